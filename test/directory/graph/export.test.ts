/** export-directory: a tenant read through the production Graph/ARM code comes out in snapshot format. */
import { afterEach, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../shared/directory/exportSnapshot.js';
import { parseSnapshot } from '../../../shared/directory/snapshot.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import { startHarness, type Harness } from './harness.js';
import { GROUPS, RG, SUB, USERS, sampleTenant } from './tenant.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test('the export parses as a snapshot and holds the holders, nested groups, approvers and Azure scopes', async () => {
  const tenant = sampleTenant();
  h = await startHarness(tenant, { server: { pageSize: 2 } });
  const exported = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as ReturnType<typeof sampleTenant>;
  const { snapshot } = parseSnapshot(JSON.parse(JSON.stringify(exported)));
  expect(snapshot.tenant).toMatchObject({ id: tenant.tenant.id, displayName: 'Contoso' });
  expect(exported.users.map((u) => u.id).sort()).toEqual(Object.values(USERS).sort());
  expect(exported.users.find((u) => u.id === USERS.bea)?.otherMails).toEqual(['bea@fabrikam.com']);
  expect(exported.groups.map((g) => g.id).sort()).toEqual(Object.values(GROUPS).sort());
  expect(exported.groups.find((g) => g.id === GROUPS.inner)).toEqual({ id: GROUPS.inner, displayName: 'Inner', mail: null, members: [USERS.chen, USERS.dana, GROUPS.cycle] });
  expect(exported.roleAssignments).toHaveLength(tenant.roleAssignments.length);
  expect(exported.roleEligibilities).toHaveLength(tenant.roleEligibilities.length);
  expect(exported.roleManagementPolicies).toEqual(tenant.roleManagementPolicies);
  const rg = exported.azureResources?.find((r) => r.id === RG);
  expect(rg?.roleAssignments.map((a) => [a.principalId, a.state]).sort()).toEqual([[USERS.chen, 'active'], [USERS.eli, 'eligible']].sort());
  const sub = exported.azureResources?.find((r) => r.id === `/subscriptions/${SUB}`);
  expect(sub?.displayName).toBe('Contoso Production');
  expect(sub?.roleManagementPolicies?.find((p) => p.roleDefinitionId === ROLE.owner)?.rules).toEqual(tenant.azureResources?.[0]?.roleManagementPolicies?.[0]?.rules);
  expect(exported.azureResources).toHaveLength(3);
});
