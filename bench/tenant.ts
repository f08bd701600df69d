/**
 * A deterministic synthetic tenant in the directory-snapshot format
 * (docs/directory-snapshot.md); bench/events.ts generates a stream of PIM events against it.
 * Same options, same output, byte for byte: ids come from a counter, choices from a seeded PRNG.
 *
 * Shape of the tenant, kept close to a real one of its size:
 * - `users` people, every one with an address (a few through otherMails / UPN only);
 * - `roleHolders` distinct users holding roles: a handful of Global, Privileged Role and
 *   Security Administrators (one of them through a group), the rest spread over twelve other
 *   directory roles (active standing, active activated, eligible) and the Owner / User Access
 *   Administrator / Contributor / Reader roles of two subscriptions and their resource groups;
 * - groups: an approvers group (nested) named in approval rules, role-assignable groups
 *   holding roles, and department groups that hold nothing;
 * - role policies: approval for some roles, notification rules trimmed for others.
 */
import type { TenantData } from '../test/support/fakeGraph.js';
import { ROLE } from '../shared/directory/roleDirectory.js';
import { runningClockFrom } from '../test/support/clock.js';

/**
 * The benchmark's world has fixed dates, so it measures the same tenant on any day: the tenant's
 * schedules are written as of BENCH_TENANT_TAKEN, its events start 2026-11-17 08:00, and the app
 * and the local Graph and ARM run on benchClock, which starts at BENCH_NOW (after the events)
 * and runs with real time from there.
 */
export const BENCH_TENANT_TAKEN = '2026-11-16T00:00:00Z';
export const BENCH_NOW = '2026-11-24T00:00:00Z';
export const benchClock = runningClockFrom(BENCH_NOW);
export const benchWorld = { now: (): Date => benchClock.now() };

export interface TenantOptions {
  users: number;
  roleHolders: number;
  seed?: number;
}

export interface GeneratedTenant {
  data: TenantData;
  subscriptionIds: string[];
  /** Azure scopes events may name: the subscriptions and their resource groups. */
  azureScopes: string[];
  /** Directory role ids other than the three admin roles. */
  otherRoles: string[];
  /** Users who hold some role (event principals are drawn from them). */
  holderIds: string[];
  /** The Global / Privileged Role / Security Administrators (event actors). */
  adminIds: string[];
  groupHolderIds: string[];
}

/** mulberry32: small, fast, good enough to spread choices; deterministic across platforms. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A GUID from a kind (two hex digits) and a number: readable and unique. */
function guid(kind: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `b0000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-${hex}`;
}

const OTHER_ROLES: Array<[string, string]> = [
  ['29232cdf-9323-42fd-ade2-1d097af3e4de', 'Exchange Administrator'],
  ['fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator'],
  ['729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator'],
  ['f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'SharePoint Administrator'],
  ['3a2c62db-5318-420d-8d74-23affee5d9d5', 'Intune Administrator'],
  ['b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', 'Conditional Access Administrator'],
  ['9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', 'Application Administrator'],
  ['158c047a-c907-4556-b7ef-446551a6b5f7', 'Cloud Application Administrator'],
  ['fdd7a751-b60b-444a-984c-02652fe8fa1c', 'Groups Administrator'],
  ['5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader'],
  ['f2ef992c-3afb-46b9-b7cf-a126ee74c451', 'Global Reader'],
  ['17315797-102d-40b4-93e0-432062caca18', 'Compliance Administrator'],
];

export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

const FIRST = [
  'Alain',
  'Bea',
  'Chen',
  'Dana',
  'Eli',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kai',
  'Lea',
  'Mo',
  'Nia',
  'Omar',
  'Pia',
  'Quin',
  'Rui',
  'Sam',
  'Tao',
];
const LAST = [
  'Charon',
  'Novak',
  'Okafor',
  'Lindqvist',
  'Haddad',
  'Moreau',
  'Tanaka',
  'Silva',
  'Kowalski',
  'Byrne',
  'Ivanova',
  'Mensah',
  'Rossi',
  'Park',
];

const notificationRule = (id: string, extra: Record<string, unknown>) => ({
  '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
  id,
  notificationType: 'Email',
  recipientType: id.split('_')[1] ?? 'Admin',
  notificationLevel: 'All',
  isDefaultRecipientsEnabled: true,
  notificationRecipients: [],
  ...extra,
});

function approvalRule(approvers: Array<{ user?: string; group?: string }>) {
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
    id: 'Approval_EndUser_Assignment',
    setting: {
      isApprovalRequired: true,
      isApprovalRequiredForExtension: false,
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
  };
}

export function generateTenant(options: TenantOptions): GeneratedTenant {
  const rand = prng(options.seed ?? 20261116);
  const tenantId = guid(0xf, 1);
  const domain = 'contoso-bench.example';

  const users: TenantData['users'] = [];
  for (let i = 0; i < options.users; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
    const local = `${first}.${last}.${i}`.toLowerCase();
    const kind = i % 50;
    users.push({
      id: guid(1, i),
      displayName: `${first} ${last} ${i}`,
      // Most have mail; a few only otherMails or only a UPN (the address fallbacks).
      mail: kind === 7 || kind === 13 ? null : `${local}@${domain}`,
      otherMails: kind === 7 ? [`${local}@partner.example`] : [],
      userPrincipalName: `${local}@${domain}`,
    });
  }
  const userId = (i: number) => users[i % users.length]!.id;

  // Holders are the first `roleHolders` users (admins first), which keeps the set exact.
  const holders = Math.min(options.roleHolders, users.length);
  const adminCount = Math.max(6, Math.min(12, Math.round(holders / 25)));
  const adminIds = Array.from({ length: adminCount }, (_, i) => userId(i));
  const holderIds = Array.from({ length: holders }, (_, i) => userId(i));

  const group = (n: number) => guid(2, n);
  const approversInner = group(2);
  const approvers = group(1);
  const secAdminsGroup = group(3);
  const groups: TenantData['groups'] = [
    { id: approvers, displayName: 'PIM approvers', mail: 'pim-approvers@' + domain, members: [adminIds[0]!, adminIds[1]!, approversInner] },
    {
      id: approversInner,
      displayName: 'PIM approvers (deputies)',
      mail: null,
      members: [userId(adminCount), userId(adminCount + 1), userId(adminCount + 2)],
    },
    // Holds Security Administrator as a group: its members are admins through it.
    {
      id: secAdminsGroup,
      displayName: 'SecOps on call',
      mail: null,
      members: [adminIds[adminCount - 1]!, adminIds[adminCount - 2]!],
      isAssignableToRole: true,
    },
  ];
  const groupHolderIds: string[] = [secAdminsGroup];
  // Role-assignable groups for some of the other roles, 4-8 members each, all of them holders.
  for (let r = 0; r < 4; r++) {
    const id = group(10 + r);
    const members = Array.from({ length: 4 + (r % 5) }, () => holderIds[adminCount + Math.floor(rand() * (holders - adminCount))]!);
    // Role-assignable, as a group must be to hold a directory role (Graph's isAssignableToRole): the
    // requests collector reads their PIM for Groups requests.
    groups.push({
      id,
      displayName: `${OTHER_ROLES[r]![1]}s (group)`,
      mail: null,
      members: [...new Set(members)],
      isAssignableToRole: true,
    });
    groupHolderIds.push(id);
  }
  // Department groups: many members, no roles (what a tenant of this size has in bulk).
  for (let d = 0; d < 20; d++) {
    const members: string[] = [];
    for (let i = d; i < users.length; i += 20) members.push(users[i]!.id);
    groups.push({ id: group(100 + d), displayName: `Department ${d + 1}`, mail: `dept${d + 1}@${domain}`, members });
  }

  const roleDefinitions: TenantData['roleDefinitions'] = [
    { id: ROLE.globalAdministrator, displayName: 'Global Administrator' },
    { id: ROLE.privilegedRoleAdministrator, displayName: 'Privileged Role Administrator' },
    { id: ROLE.securityAdministrator, displayName: 'Security Administrator' },
    ...OTHER_ROLES.map(([id, displayName]) => ({ id, displayName })),
  ];

  const roleAssignments: TenantData['roleAssignments'] = [];
  const roleEligibilities: TenantData['roleEligibilities'] = [];
  const now = Date.parse(BENCH_TENANT_TAKEN);
  const endIn = (days: number) => new Date(now + days * 86_400_000).toISOString();
  const assign = (principalId: string, roleDefinitionId: string, how: 'standing' | 'activated' | 'eligible' | 'eligibleUntil') => {
    if (how === 'standing')
      roleAssignments.push({
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
        assignmentType: 'Assigned',
        startDateTime: null,
        endDateTime: null,
      });
    else if (how === 'activated')
      roleAssignments.push({
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
        assignmentType: 'Activated',
        startDateTime: endIn(-1),
        endDateTime: endIn(3650),
      });
    else
      roleEligibilities.push({
        principalId,
        roleDefinitionId,
        directoryScopeId: '/',
        startDateTime: null,
        endDateTime: how === 'eligible' ? null : endIn(30 + Math.floor(rand() * 300)),
      });
  };

  // The admins: 2 standing Global Administrators (break-glass), the rest eligible for one admin role.
  const adminRoles = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator];
  adminIds.forEach((id, i) => {
    if (i < 2) assign(id, ROLE.globalAdministrator, 'standing');
    else assign(id, adminRoles[i % 3]!, i % 4 === 0 ? 'activated' : 'eligible');
  });
  assign(secAdminsGroup, ROLE.securityAdministrator, 'eligible');

  // The other holders: mostly eligible for one or two other directory roles; every fifth holds an Azure role instead.
  const subscriptionIds = [guid(3, 1), guid(3, 2)];
  const azureScopes: string[] = [];
  const azureResources: NonNullable<TenantData['azureResources']> = [];
  subscriptionIds.forEach((sub, s) => {
    const subScope = `/subscriptions/${sub}`;
    azureScopes.push(subScope);
    azureResources.push({
      id: subScope,
      displayName: s === 0 ? 'Contoso Production' : 'Contoso Development',
      roleDefinitions: [
        { id: ROLE.owner, displayName: 'Owner' },
        { id: ROLE.userAccessAdministrator, displayName: 'User Access Administrator' },
        { id: CONTRIBUTOR, displayName: 'Contributor' },
        { id: READER, displayName: 'Reader' },
      ],
      roleAssignments: [
        { principalId: adminIds[0]!, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null },
        { principalId: adminIds[2 + s]!, roleDefinitionId: ROLE.userAccessAdministrator, state: 'eligible', endDateTime: null },
      ],
      roleManagementPolicies: [
        { roleDefinitionId: ROLE.owner, rules: [approvalRule([{ group: approvers }])] },
        {
          roleDefinitionId: CONTRIBUTOR,
          rules: [notificationRule('Notification_Admin_EndUser_Assignment', { notificationLevel: 'Critical' })],
        },
      ],
    });
    for (let r = 0; r < 3; r++) {
      const id = `${subScope}/resourceGroups/rg-app-${s}-${r}`;
      azureScopes.push(id);
      azureResources.push({ id, displayName: `rg-app-${s}-${r}`, roleAssignments: [] });
    }
  });
  const rgs = azureResources.filter((r) => r.id.includes('/resourceGroups/'));

  for (let i = adminCount; i < holders; i++) {
    const id = holderIds[i]!;
    if (i % 5 === 0) {
      const rg = rgs[i % rgs.length]!;
      const role = i % 15 === 0 ? ROLE.owner : i % 2 ? CONTRIBUTOR : READER;
      rg.roleAssignments.push({
        principalId: id,
        roleDefinitionId: role,
        state: i % 3 ? 'eligible' : 'active',
        endDateTime: i % 7 ? null : endIn(90),
      });
      continue;
    }
    const [role] = OTHER_ROLES[i % OTHER_ROLES.length]!;
    assign(id, role, i % 6 === 0 ? 'standing' : i % 6 === 1 ? 'activated' : i % 2 ? 'eligible' : 'eligibleUntil');
    if (i % 9 === 0) assign(id, OTHER_ROLES[(i + 5) % OTHER_ROLES.length]![0], 'eligible');
  }
  groupHolderIds.slice(1).forEach((g, r) => assign(g, OTHER_ROLES[r]![0], 'eligible'));

  const roleManagementPolicies: TenantData['roleManagementPolicies'] = [
    { roleDefinitionId: ROLE.globalAdministrator, rules: [approvalRule([{ group: approvers }])] },
    { roleDefinitionId: ROLE.privilegedRoleAdministrator, rules: [approvalRule([{ user: adminIds[0]! }, { group: approvers }])] },
    {
      roleDefinitionId: OTHER_ROLES[0]![0],
      rules: [
        approvalRule([{ user: adminIds[1]! }]),
        notificationRule('Notification_Admin_EndUser_Assignment', { notificationRecipients: [`secops@${domain}`] }),
      ],
    },
    {
      roleDefinitionId: OTHER_ROLES[1]![0],
      rules: [
        notificationRule('Notification_Admin_Admin_Eligibility', {
          isDefaultRecipientsEnabled: false,
          notificationRecipients: [`iam-team@${domain}`],
        }),
      ],
    },
    {
      roleDefinitionId: OTHER_ROLES[9]![0],
      rules: [notificationRule('Notification_Admin_EndUser_Assignment', { notificationLevel: 'Critical' })],
    },
  ];

  return {
    data: {
      tenant: { id: tenantId, displayName: 'Contoso (benchmark)', pimEnabled: true },
      users,
      groups,
      roleDefinitions,
      roleAssignments,
      roleEligibilities,
      roleManagementPolicies,
      azureResources,
    },
    subscriptionIds,
    azureScopes,
    otherRoles: OTHER_ROLES.map(([id]) => id),
    holderIds,
    adminIds,
    groupHolderIds,
  };
}
