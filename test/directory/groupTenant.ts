/**
 * A tenant built for PIM for Groups, in snapshot format (served by the local Graph too): one
 * role-assignable group "SOC Tier 2" with permanent owners, an eligible owner who activated,
 * eligible and active members, a member policy with an approver and rule levels, an owner
 * policy with default recipients off and an extra address; a second group whose policy names
 * no approvers.
 */
import type { TenantData } from '../support/fakeGraph.js';

const u = (n: number) => `00000000-0000-0000-0000-0000000003${String(n).padStart(2, '0')}`;
export const TENANT_ID = '00000000-0000-0000-0000-0000000000ee';
export const NOW = new Date('2026-11-23T06:00:00Z');
export const U = { olga: u(1), pete: u(2), quinn: u(3), rosa: u(4), sam: u(5), tara: u(6), uma: u(7), vic: u(8), walt: u(9) };
export const SOC = '00000000-0000-0000-0000-000000000401';
export const NOAPPROVERS = '00000000-0000-0000-0000-000000000402';
export const APPROVER_GROUP = '00000000-0000-0000-0000-000000000403';

const user = (id: string, name: string) => ({
  id,
  displayName: name,
  mail: `${name.toLowerCase()}@contoso.com`,
  userPrincipalName: `${name.toLowerCase()}@contoso.com`,
  otherMails: [],
});
const notification = (id: string, props: Record<string, unknown>) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
  id,
  notificationType: 'Email',
  ...props,
});
const approval = (approvers: Record<string, unknown>[]) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  id: 'Approval_EndUser_Assignment',
  setting: {
    isApprovalRequired: true,
    isApprovalRequiredForExtension: true,
    approvalMode: 'SingleStage',
    approvalStages: [{ approvalStageTimeOutInDays: 1, primaryApprovers: approvers, escalationApprovers: [] }],
  },
});

export function groupTenant(): TenantData {
  return {
    tenant: { id: TENANT_ID, displayName: 'Contoso', pimEnabled: true },
    users: [
      user(U.olga, 'Olga'),
      user(U.pete, 'Pete'),
      user(U.quinn, 'Quinn'),
      user(U.rosa, 'Rosa'),
      user(U.sam, 'Sam'),
      user(U.tara, 'Tara'),
      user(U.uma, 'Uma'),
      user(U.vic, 'Vic'),
      user(U.walt, 'Walt'),
    ],
    groups: [
      // Olga and Pete own SOC Tier 2 with standing access; Quinn is an eligible owner who activated.
      { id: SOC, displayName: 'SOC Tier 2', mail: null, members: [U.sam], owners: [U.olga, U.pete], isAssignableToRole: true },
      { id: NOAPPROVERS, displayName: 'Tier 1 Helpdesk', mail: null, members: [], owners: [U.walt], isAssignableToRole: true },
      { id: APPROVER_GROUP, displayName: 'SOC approvers', mail: null, members: [U.tara, U.pete], isAssignableToRole: false },
    ],
    roleDefinitions: [],
    roleAssignments: [],
    roleEligibilities: [],
    roleManagementPolicies: [],
    privilegedAccessGroups: [
      {
        groupId: SOC,
        assignments: [
          { principalId: U.quinn, accessId: 'owner', state: 'eligible', startDateTime: null, endDateTime: null },
          {
            principalId: U.quinn,
            accessId: 'owner',
            state: 'active',
            assignmentType: 'activated',
            startDateTime: '2026-11-23T05:00:00Z',
            endDateTime: '2026-11-23T13:00:00Z',
          },
          {
            principalId: U.rosa,
            accessId: 'member',
            state: 'eligible',
            startDateTime: '2026-11-01T00:00:00Z',
            endDateTime: '2026-12-05T00:00:00Z',
          },
          {
            principalId: U.sam,
            accessId: 'member',
            state: 'active',
            assignmentType: 'assigned',
            startDateTime: '2026-11-01T00:00:00Z',
            endDateTime: '2027-01-31T00:00:00Z',
          },
        ],
        roleManagementPolicies: [
          {
            accessId: 'member',
            rules: [
              approval([
                { '@odata.type': '#microsoft.graph.singleUser', userId: U.uma },
                { '@odata.type': '#microsoft.graph.groupMembers', groupId: APPROVER_GROUP },
              ]),
              notification('Notification_Admin_Admin_Eligibility', {
                recipientType: 'Admin',
                notificationLevel: 'Critical',
                isDefaultRecipientsEnabled: true,
                notificationRecipients: [],
              }),
              notification('Notification_Admin_EndUser_Assignment', {
                recipientType: 'Admin',
                notificationLevel: 'All',
                isDefaultRecipientsEnabled: true,
                notificationRecipients: ['soc-audit@contoso.com'],
              }),
              notification('Notification_Requestor_Admin_Assignment', {
                recipientType: 'Requestor',
                notificationLevel: 'None',
                isDefaultRecipientsEnabled: true,
                notificationRecipients: [],
              }),
            ],
          },
          {
            accessId: 'owner',
            rules: [
              notification('Notification_Admin_Admin_Eligibility', {
                recipientType: 'Admin',
                notificationLevel: 'All',
                isDefaultRecipientsEnabled: false,
                notificationRecipients: ['owners-audit@contoso.com'],
              }),
            ],
          },
        ],
      },
      {
        groupId: NOAPPROVERS,
        assignments: [{ principalId: U.vic, accessId: 'member', state: 'eligible', startDateTime: null, endDateTime: null }],
        roleManagementPolicies: [{ accessId: 'member', rules: [approval([])] }],
      },
    ],
  };
}
