/** A small tenant in snapshot format for the Graph/ARM tests: nested groups, every address fallback. */
import { ROLE } from '../../shared/directory/roleDirectory.js';
import type { TenantData } from './fakeGraph.js';

export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-app`;
const u = (n: number) => `00000000-0000-0000-0000-0000000001${String(n).padStart(2, '0')}`;
const g = (n: number) => `00000000-0000-0000-0000-0000000002${String(n).padStart(2, '0')}`;
export const USERS = { alain: u(1), bea: u(2), chen: u(3), dana: u(4), eli: u(5), fay: u(6), gus: u(7) };
export const GROUPS = { approvers: g(1), inner: g(2), cycle: g(3), owners: g(4) };

export function sampleTenant(): TenantData {
  return {
    tenant: { id: '00000000-0000-0000-0000-0000000000ff', displayName: 'Contoso', pimEnabled: true },
    users: [
      { id: USERS.alain, displayName: 'Alain Charon', mail: 'alain@contoso.com', userPrincipalName: 'alain@contoso.com', otherMails: [] },
      { id: USERS.bea, displayName: 'Bea', mail: null, otherMails: ['bea@fabrikam.com'], userPrincipalName: 'bea@contoso.com' },
      { id: USERS.chen, displayName: 'Chen', mail: null, otherMails: [], userPrincipalName: 'chen@contoso.com' },
      { id: USERS.dana, displayName: 'Dana', mail: null, otherMails: [], userPrincipalName: null },
      { id: USERS.eli, displayName: 'Eli', mail: 'eli@contoso.com', userPrincipalName: 'eli@contoso.com' },
      { id: USERS.fay, displayName: 'Fay', mail: 'fay@contoso.com', userPrincipalName: 'fay@contoso.com' },
      { id: USERS.gus, displayName: 'Gus', mail: 'gus@contoso.com', userPrincipalName: 'gus@contoso.com' },
    ],
    groups: [
      { id: GROUPS.approvers, displayName: 'PIM approvers', mail: null, members: [USERS.bea, GROUPS.inner] },
      { id: GROUPS.inner, displayName: 'Inner', mail: null, members: [USERS.chen, USERS.dana, GROUPS.cycle] },
      { id: GROUPS.cycle, displayName: 'Cycle', mail: null, members: [GROUPS.approvers, USERS.alain] },
      { id: GROUPS.owners, displayName: 'Sub owners', mail: null, members: [USERS.fay] },
    ],
    roleDefinitions: [
      { id: ROLE.globalAdministrator, displayName: 'Global Administrator' },
      { id: ROLE.privilegedRoleAdministrator, displayName: 'Privileged Role Administrator' },
      { id: ROLE.securityAdministrator, displayName: 'Security Administrator' },
    ],
    roleAssignments: [
      {
        principalId: USERS.alain,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/',
        assignmentType: 'Assigned',
        startDateTime: null,
        endDateTime: null,
      },
      {
        principalId: USERS.eli,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/',
        assignmentType: 'Activated',
        startDateTime: '2026-01-01T08:00:00Z',
        endDateTime: '2099-01-01T16:00:00Z',
      },
      {
        principalId: USERS.gus,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/administrativeUnits/x',
        assignmentType: 'Assigned',
        startDateTime: null,
        endDateTime: null,
      },
      {
        principalId: USERS.eli,
        roleDefinitionId: ROLE.securityAdministrator,
        directoryScopeId: '/',
        assignmentType: 'Assigned',
        startDateTime: null,
        endDateTime: '2027-01-01T00:00:00Z',
      },
    ],
    roleEligibilities: [
      {
        principalId: GROUPS.approvers,
        roleDefinitionId: ROLE.globalAdministrator,
        directoryScopeId: '/',
        startDateTime: null,
        endDateTime: null,
      },
      { principalId: USERS.eli, roleDefinitionId: ROLE.globalAdministrator, directoryScopeId: '/', startDateTime: null, endDateTime: null },
      {
        principalId: USERS.bea,
        roleDefinitionId: ROLE.privilegedRoleAdministrator,
        directoryScopeId: '/',
        startDateTime: null,
        endDateTime: '2027-01-01T00:00:00Z',
      },
    ],
    roleManagementPolicies: [
      {
        roleDefinitionId: ROLE.globalAdministrator,
        rules: [
          {
            '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
            id: 'Notification_Admin_EndUser_Assignment',
            notificationType: 'Email',
            recipientType: 'Admin',
            notificationLevel: 'Critical',
            isDefaultRecipientsEnabled: false,
            notificationRecipients: ['secops@contoso.com'],
          },
          {
            '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
            id: 'Approval_EndUser_Assignment',
            setting: {
              isApprovalRequired: true,
              isApprovalRequiredForExtension: false,
              approvalMode: 'SingleStage',
              approvalStages: [
                {
                  approvalStageTimeOutInDays: 1,
                  primaryApprovers: [
                    { '@odata.type': '#microsoft.graph.singleUser', userId: USERS.eli },
                    { '@odata.type': '#microsoft.graph.groupMembers', groupId: GROUPS.approvers },
                  ],
                  escalationApprovers: [],
                },
              ],
            },
          },
        ],
      },
    ],
    azureResources: [
      {
        id: `/subscriptions/${SUB}`,
        displayName: 'Contoso Production',
        roleDefinitions: [
          { id: ROLE.owner, displayName: 'Owner' },
          { id: ROLE.userAccessAdministrator, displayName: 'User Access Administrator' },
          { id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', displayName: 'Contributor' },
        ],
        roleAssignments: [
          { principalId: GROUPS.owners, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null },
          { principalId: USERS.gus, roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c', state: 'active', endDateTime: null },
        ],
        roleManagementPolicies: [
          {
            roleDefinitionId: ROLE.owner,
            rules: [
              {
                '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
                id: 'Notification_Admin_Admin_Eligibility',
                notificationType: 'Email',
                recipientType: 'Admin',
                notificationLevel: 'All',
                isDefaultRecipientsEnabled: true,
                notificationRecipients: ['cloudops@contoso.com'],
              },
              {
                '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
                id: 'Approval_EndUser_Assignment',
                setting: {
                  isApprovalRequired: true,
                  approvalStages: [{ primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupMembers', groupId: GROUPS.owners }] }],
                },
              },
            ],
          },
        ],
      },
      {
        id: RG,
        displayName: 'rg-app',
        roleAssignments: [
          {
            principalId: USERS.eli,
            roleDefinitionId: ROLE.userAccessAdministrator,
            state: 'eligible',
            endDateTime: '2027-06-01T00:00:00Z',
          },
          { principalId: USERS.chen, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null },
        ],
      },
      {
        id: `/subscriptions/${SUB}/resourceGroups/rg-other`,
        displayName: 'rg-other',
        roleAssignments: [{ principalId: USERS.dana, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null }],
      },
    ],
  };
}
