/** The production directory through the real Graph client and plain-fetch ARM, against local endpoints. */
import { afterEach, expect, test } from 'vitest';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import { approvalSetting, notificationSetting } from '../../../shared/rules/policy.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { GROUPS, RG, SUB, USERS, sampleTenant } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test('directory role holders: users only, nested groups expanded once, strongest state, scope "/" only, address fallbacks', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const holders = await h.directory.directoryRoleHolders(ROLE.globalAdministrator);
  const byId = new Map(holders.map((x) => [x.id, x]));
  expect([...byId.keys()].sort()).toEqual([USERS.alain, USERS.bea, USERS.chen, USERS.dana, USERS.eli].sort());
  expect(holders).toHaveLength(5);
  // Alain is active directly and eligible through the cycle group: active, direct wins.
  expect(byId.get(USERS.alain)).toMatchObject({ state: 'active', assignmentType: 'Assigned', via: 'direct', address: 'alain@contoso.com' });
  expect(byId.get(USERS.eli)).toMatchObject({ state: 'active', assignmentType: 'Activated', endDateTime: '2099-01-01T16:00:00Z' });
  expect(byId.get(USERS.bea)).toMatchObject({ state: 'eligible', via: 'PIM approvers', address: 'bea@fabrikam.com' });
  expect(byId.get(USERS.chen)).toMatchObject({ address: 'chen@contoso.com' });
  expect(byId.get(USERS.dana)?.address).toBeNull();
  // Gus holds GA only on an administrative unit.
  expect(byId.has(USERS.gus)).toBe(false);
  expect(h.graph.count(/transitiveMembers\/microsoft\.graph\.user/)).toBe(1);
});

test('follows @odata.nextLink (absolute, on the production base URL) to the last page', async () => {
  h = await startHarness(sampleTenant(), { server: { ...sampleWorld, pageSize: 1 } });
  const holders = await h.directory.directoryRoleHolders(ROLE.globalAdministrator);
  expect(holders).toHaveLength(5);
  // Tenant-wide lists: 4 active instances (all roles) → 4 pages; 3 eligible → 3 pages.
  expect(h.graph.count(/roleAssignmentScheduleInstances/)).toBe(4);
  expect(h.graph.count(/roleEligibilityScheduleInstances/)).toBe(3);
  // 4 user principals in one `id in` filter: first page in $batch, 3 more by nextLink.
  expect(h.graph.count(/\/users\?\$filter=id.*skiptoken/, false)).toBe(3);
  // 4 users in the group → 4 pages (1 in $batch).
  expect(h.graph.count(/transitiveMembers.*skiptoken/, false)).toBe(3);
});

test('single lookups at the same time share one $batch; people already seen are not asked again', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const unknown = '00000000-0000-0000-0000-999999999999';
  const people = await Promise.all([...Object.values(USERS), unknown, 'bea@contoso.com'].map((id) => h!.directory.user(id)));
  expect(people.filter(Boolean)).toHaveLength(Object.values(USERS).length + 1);
  expect(people.at(-1)).toEqual({ id: USERS.bea, displayName: 'Bea', address: 'bea@fabrikam.com' });
  expect(h.graph.count(/\$batch/, false)).toBe(1);
  // The GUIDs go 15 to an `id in` filter; a userPrincipalName gets its own GET.
  expect(h.graph.count(/\/users\?\$filter=id in/, true)).toBe(1);
  expect(h.graph.count(/\/users\/bea@contoso\.com/, true)).toBe(1);

  const h2 = await startHarness(sampleTenant(), { server: sampleWorld });
  try {
    const [a, b] = await Promise.all([h2.directory.groupMembers(GROUPS.approvers), h2.directory.groupMembers(GROUPS.owners)]);
    expect(a.map((m) => m.id).sort()).toEqual([USERS.alain, USERS.bea, USERS.chen, USERS.dana].sort());
    expect(b.map((m) => m.id)).toEqual([USERS.fay]);
    expect(h2.graph.count(/\$batch/, false)).toBe(1);
    // Everyone the groups returned is known now: no further request.
    expect(await h2.directory.user(USERS.chen)).toEqual({ id: USERS.chen, displayName: 'Chen', address: 'chen@contoso.com' });
    expect(await h2.directory.groupMembers(GROUPS.owners)).toHaveLength(1);
    expect(h2.graph.count()).toBe(1 + 2);
  } finally {
    await h2.stop();
  }
});

test('role holders, policies and names of every directory role come from the same few tenant-wide requests', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  await Promise.all([
    ...[ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator].flatMap((r) => [
      h!.directory.directoryRoleHolders(r),
      h!.directory.rolePolicy({ kind: 'directory', id: '/' }, r),
      h!.directory.roleDisplayName({ kind: 'directory', id: '/' }, r),
    ]),
    h.directory.user(USERS.eli),
    h.directory.groupMembers(GROUPS.approvers),
  ]);
  expect(h.graph.count(/roleAssignmentScheduleInstances/)).toBe(1);
  expect(h.graph.count(/roleEligibilityScheduleInstances/)).toBe(1);
  expect(h.graph.count(/roleManagementPolicyAssignments/)).toBe(1);
  expect(h.graph.count(/roleDefinitions/)).toBe(1);
  // Principals: users, then the rest as groups, then the groups' members; Eli and the approvers came with them.
  expect(h.graph.count(/\$batch/, false)).toBe(3);
});

test('group members and a user by id', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const members = await h.directory.groupMembers(GROUPS.inner);
  expect(members.map((m) => m.id).sort()).toEqual([USERS.alain, USERS.bea, USERS.chen, USERS.dana].sort());
  expect(await h.directory.user(USERS.bea)).toEqual({ id: USERS.bea, displayName: 'Bea', address: 'bea@fabrikam.com' });
  expect(await h.directory.user('00000000-0000-0000-0000-999999999999')).toBeUndefined();
  expect(await h.directory.groupDisplayName(GROUPS.inner)).toBe('Inner');
  expect(await h.directory.groupDisplayName('00000000-0000-0000-0000-999999999999')).toBeUndefined();
});

test('directory role policy in Graph shape reads as configured', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const policy = await h.directory.rolePolicy({ kind: 'directory', id: '/' }, ROLE.globalAdministrator);
  expect(notificationSetting(policy, 'Notification_Admin_EndUser_Assignment')).toMatchObject({
    level: 'Critical',
    isDefaultRecipientsEnabled: false,
    notificationRecipients: ['secops@contoso.com'],
    configured: true,
  });
  expect(approvalSetting(policy).approvers).toEqual([
    { kind: 'user', id: USERS.eli },
    { kind: 'group', id: GROUPS.approvers },
  ]);
  expect((await h.directory.rolePolicy({ kind: 'directory', id: '/' }, ROLE.securityAdministrator)).rules).toEqual([]);
});

test('Azure scope admins: Owners and UAAs on the scope and enclosing scopes, groups expanded, others left out', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const admins = await h.directory.azureScopeAdmins(RG);
  const byId = new Map(admins.map((a) => [a.id, a]));
  expect([...byId.keys()].sort()).toEqual([USERS.chen, USERS.eli, USERS.fay].sort());
  expect(byId.get(USERS.fay)).toMatchObject({ state: 'active', via: 'Sub owners', roleDefinitionId: ROLE.owner });
  expect(byId.get(USERS.eli)).toMatchObject({
    state: 'eligible',
    roleDefinitionId: ROLE.userAccessAdministrator,
    endDateTime: '2027-06-01T00:00:00Z',
  });
  // The subscription itself has only the group owner: the resource groups' admins do not count upwards.
  expect((await h.directory.azureScopeAdmins(`/subscriptions/${SUB}`)).map((a) => a.id)).toEqual([USERS.fay]);
  // One subscription-wide list of each kind answers the subscription and its resource groups.
  await h.directory.azureScopeAdmins(`/subscriptions/${SUB}/resourceGroups/rg-other`);
  expect(h.arm.count(/roleAssignmentScheduleInstances/)).toBe(1);
  expect(h.arm.count(/roleEligibilityScheduleInstances/)).toBe(1);
  expect(h.arm.count(/atScope/)).toBe(0);
});

test('Azure role policy: ARM rule shape (ruleType, userType approvers) converted to Graph shape', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const policy = await h.directory.rolePolicy({ kind: 'azureResource', id: `/subscriptions/${SUB}` }, ROLE.owner);
  expect(policy.rules.map((r) => r['@odata.type'])).toEqual([
    '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
    '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  ]);
  expect(notificationSetting(policy, 'Notification_Admin_Admin_Eligibility').notificationRecipients).toEqual(['cloudops@contoso.com']);
  expect(approvalSetting(policy)).toMatchObject({ isApprovalRequired: true, approvers: [{ kind: 'group', id: GROUPS.owners }] });
  expect((await h.directory.rolePolicy({ kind: 'azureResource', id: RG }, ROLE.owner)).rules).toEqual([]);
  expect(await h.directory.roleDisplayName({ kind: 'azureResource', id: RG }, 'b24988ac-6180-42a0-ab88-20f7382dd24c')).toBe('Contributor');
});

test('top roles per cli.md: distinct principals, permanent = Assigned without end, ordered, zero totals left out', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  expect(await h.directory.topDirectoryRoles(5)).toEqual([
    // GA: Alain and Gus permanent (Eli's is an activation); approvers group and Eli eligible.
    { roleDefinitionId: ROLE.globalAdministrator, displayName: 'Global Administrator', permanent: 2, eligible: 2, total: 4 },
    {
      roleDefinitionId: ROLE.privilegedRoleAdministrator,
      displayName: 'Privileged Role Administrator',
      permanent: 0,
      eligible: 1,
      total: 1,
    },
  ]);
  expect(await h.directory.roleDisplayName({ kind: 'directory', id: '/' }, ROLE.securityAdministrator)).toBe('Security Administrator');
});

test('scheduled assignments across the directory and the configured subscriptions', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const all = await h.directory.scheduledAssignments();
  expect(all.filter((a) => a.scope.kind === 'directory')).toHaveLength(7);
  expect(all.find((a) => a.principalId === GROUPS.approvers)).toMatchObject({ principalType: 'group', state: 'eligible' });
  const azure = all.filter((a) => a.scope.kind === 'azureResource');
  expect(azure).toHaveLength(5);
  expect(azure.find((a) => a.principalId === USERS.eli)).toMatchObject({
    scope: { kind: 'azureResource', id: RG },
    state: 'eligible',
    principalType: 'user',
    endDateTime: '2027-06-01T00:00:00Z',
  });
});

test('national cloud: GRAPH_BASE_URL and ARM_BASE_URL decide the hosts and the token audiences', async () => {
  h = await startHarness(sampleTenant(), {
    server: sampleWorld,
    env: { GRAPH_BASE_URL: 'https://graph.microsoft.us', ARM_BASE_URL: 'https://management.usgovcloudapi.net' },
  });
  expect((await h.directory.directoryRoleHolders(ROLE.privilegedRoleAdministrator)).map((x) => x.id)).toEqual([USERS.bea]);
  expect(await h.directory.azureScopeAdmins(`/subscriptions/${SUB}`)).toHaveLength(1);
  expect(h.graph.count()).toBeGreaterThan(0);
  expect(h.arm.count()).toBeGreaterThan(0);
});
