/**
 * A health-care tenant built for issue 25 (PIM for Groups, renew and extend), in the snapshot
 * format the local Graph serves too. Three PIM-managed groups:
 *
 * - **ICU Clinical Systems**: permanent owners Olivia (listed with an upper-case id), Oscar (no
 *   mailbox: only a sign-in name) and Orla (no address at all); Omar owns it through a
 *   time-bound active PIM assignment; Erin is an eligible owner who activated; the group Night
 *   Charge Nurses is an eligible owner. Members: Mia (eligible, time-bound), Max (active,
 *   time-bound) and the group Ward 7 Nurses (eligible; nested: Ward 7 Night, with Nina).
 *   Activation approvers: Ada and the group ICU Approvers (Ben, and the owner Olivia) for
 *   membership, Ada for ownership.
 * - **Radiology PACS Admins**: owners Paula and Peter; approvers Peter and Rita; custom
 *   notification rules on membership: defaults off with extra recipients, critical only.
 * - **Pharmacy Controlled Substances**: owner Sue; approvers Sam (who also requests) and Tom.
 */
import type { TenantData } from './fakeGraph.js';

export const TENANT_ID = 'c0ffee00-0000-4000-8000-00000000beef';
export const NOW = new Date('2026-12-01T06:00:00Z');
/** A user id with hex letters in it, so upper and lower case differ. */
const u = (n: number) => `ab${String(n).padStart(6, '0')}-cafe-4000-8000-00000000d0c${n % 10}`;
const g = (n: number) => `fe${String(n).padStart(6, '0')}-face-4000-9000-000000000a0${n}`;

export const U = {
  olivia: u(1),
  omar: u(2),
  oscar: u(3),
  orla: u(4),
  erin: u(5),
  ada: u(6),
  ben: u(7),
  mia: u(8),
  max: u(9),
  nina: u(10),
  paula: u(11),
  peter: u(12),
  rita: u(13),
  rob: u(14),
  sam: u(15),
  sue: u(16),
  tom: u(17),
  nora: u(18),
} as const;
export type Person = keyof typeof U;

export const G = {
  icu: g(1),
  icuApprovers: g(2),
  ward7: g(3),
  ward7Night: g(4),
  nightCharge: g(5),
  radiology: g(6),
  pharmacy: g(7),
} as const;

export const DOMAIN = 'hospital.example';
/** The address each person is mailed at: Oscar has only a sign-in name, Orla nothing. */
export function addressOf(p: Person): string {
  return p === 'oscar' ? `oscar.upn@${DOMAIN}` : `${p}@${DOMAIN}`;
}

const user = (p: Person) => ({
  id: U[p],
  displayName: p.charAt(0).toUpperCase() + p.slice(1),
  mail: p === 'oscar' || p === 'orla' ? null : `${p}@${DOMAIN}`,
  userPrincipalName: p === 'orla' ? null : p === 'oscar' ? `oscar.upn@${DOMAIN}` : `${p}@${DOMAIN}`,
  otherMails: [],
});

export const notification = (id: string, props: Record<string, unknown>) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
  id,
  notificationType: 'Email',
  ...props,
});

const approval = (approvers: Array<{ user?: string; group?: string }>) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  id: 'Approval_EndUser_Assignment',
  setting: {
    isApprovalRequired: true,
    isApprovalRequiredForExtension: true,
    approvalMode: 'SingleStage',
    approvalStages: [
      {
        approvalStageTimeOutInDays: 1,
        primaryApprovers: approvers.map((a) =>
          a.user
            ? { '@odata.type': '#microsoft.graph.singleUser', userId: a.user }
            : { '@odata.type': '#microsoft.graph.groupMembers', groupId: a.group },
        ),
        escalationApprovers: [],
      },
    ],
  },
});

/** Radiology's membership rules: the owners' assignment alerts go to an audit mailbox only, the assignee's too. */
export const RADIOLOGY_MEMBER_RULES = [
  notification('Notification_Admin_Admin_Eligibility', {
    recipientType: 'Admin',
    notificationLevel: 'All',
    isDefaultRecipientsEnabled: false,
    notificationRecipients: [`pacs-audit@${DOMAIN}`],
  }),
  notification('Notification_Requestor_Admin_Eligibility', {
    recipientType: 'Requestor',
    notificationLevel: 'All',
    isDefaultRecipientsEnabled: false,
    notificationRecipients: [`pacs-requests@${DOMAIN}`],
  }),
  notification('Notification_Approver_Admin_Eligibility', {
    recipientType: 'Approver',
    notificationLevel: 'Critical',
    isDefaultRecipientsEnabled: true,
    notificationRecipients: [`pacs-approvals@${DOMAIN}`],
  }),
  notification('Notification_Admin_Admin_Assignment', {
    recipientType: 'Admin',
    notificationLevel: 'Critical',
    isDefaultRecipientsEnabled: true,
    notificationRecipients: [],
  }),
  notification('Notification_Admin_EndUser_Assignment', {
    recipientType: 'Admin',
    notificationLevel: 'Critical',
    isDefaultRecipientsEnabled: true,
    notificationRecipients: [],
  }),
];

export function hospitalTenant(): TenantData {
  return {
    tenant: { id: TENANT_ID, displayName: 'Northwind Health', pimEnabled: true },
    users: (Object.keys(U) as Person[]).map(user),
    groups: [
      {
        id: G.icu,
        displayName: 'ICU Clinical Systems',
        mail: null,
        members: [U.max],
        // Mixed case: Graph ids compare case-insensitively.
        owners: [U.olivia.toUpperCase(), U.oscar, U.orla],
        isAssignableToRole: true,
      },
      { id: G.icuApprovers, displayName: 'ICU Approvers', mail: null, members: [U.ben, U.olivia], isAssignableToRole: false },
      { id: G.ward7, displayName: 'Ward 7 Nurses', mail: null, members: [G.ward7Night], isAssignableToRole: false },
      { id: G.ward7Night, displayName: 'Ward 7 Night', mail: null, members: [U.nina], isAssignableToRole: false },
      { id: G.nightCharge, displayName: 'Night Charge Nurses', mail: null, members: [U.nora], isAssignableToRole: false },
      {
        id: G.radiology,
        displayName: 'Radiology PACS Admins',
        mail: null,
        members: [],
        owners: [U.paula, U.peter],
        isAssignableToRole: true,
      },
      { id: G.pharmacy, displayName: 'Pharmacy Controlled Substances', mail: null, members: [], owners: [U.sue], isAssignableToRole: true },
    ],
    roleDefinitions: [],
    roleAssignments: [],
    roleEligibilities: [],
    roleManagementPolicies: [],
    privilegedAccessGroups: [
      {
        groupId: G.icu,
        assignments: [
          // Omar: standing ownership until the end of March, assigned through PIM.
          {
            principalId: U.omar,
            accessId: 'owner',
            state: 'active',
            assignmentType: 'assigned',
            startDateTime: '2026-01-01T00:00:00Z',
            endDateTime: '2027-03-31T00:00:00Z',
          },
          { principalId: U.erin, accessId: 'owner', state: 'eligible', startDateTime: null, endDateTime: null },
          {
            principalId: U.erin,
            accessId: 'owner',
            state: 'active',
            assignmentType: 'activated',
            startDateTime: '2026-12-01T05:00:00Z',
            endDateTime: '2026-12-01T13:00:00Z',
          },
          { principalId: G.nightCharge, accessId: 'owner', state: 'eligible', startDateTime: null, endDateTime: null },
          {
            principalId: U.mia,
            accessId: 'member',
            state: 'eligible',
            startDateTime: '2026-06-01T00:00:00Z',
            endDateTime: '2026-12-10T00:00:00Z',
          },
          {
            principalId: U.max,
            accessId: 'member',
            state: 'active',
            assignmentType: 'assigned',
            startDateTime: '2026-06-01T00:00:00Z',
            endDateTime: '2026-12-31T00:00:00Z',
          },
          {
            principalId: G.ward7,
            accessId: 'member',
            state: 'eligible',
            startDateTime: '2026-06-01T00:00:00Z',
            endDateTime: '2026-12-05T00:00:00Z',
          },
        ],
        roleManagementPolicies: [
          { accessId: 'member', rules: [approval([{ user: U.ada }, { group: G.icuApprovers }])] },
          { accessId: 'owner', rules: [approval([{ user: U.ada }])] },
        ],
      },
      {
        groupId: G.radiology,
        assignments: [
          {
            principalId: U.rob,
            accessId: 'member',
            state: 'eligible',
            startDateTime: '2026-06-01T00:00:00Z',
            endDateTime: '2026-12-10T00:00:00Z',
          },
        ],
        roleManagementPolicies: [
          { accessId: 'member', rules: [approval([{ user: U.peter }, { user: U.rita }]), ...RADIOLOGY_MEMBER_RULES] },
        ],
      },
      {
        groupId: G.pharmacy,
        assignments: [{ principalId: U.sam, accessId: 'member', state: 'eligible', startDateTime: null, endDateTime: null }],
        roleManagementPolicies: [{ accessId: 'member', rules: [approval([{ user: U.sam }, { user: U.tom }])] }],
      },
    ],
  };
}
