/** export-directory: a tenant read through the production Graph/ARM code comes out in snapshot format. */
import { readFile } from 'node:fs/promises';
import { afterEach, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../dev/export/exportSnapshot.js';
import { parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import { ROLE, type RoleHolder } from '../../../shared/directory/roleDirectory.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import type { TenantData } from '../../support/fakeGraph.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { GROUPS, RG, SUB, USERS, sampleTenant } from '../../support/sampleTenant.js';
import { sampleClock, sampleWorld } from '../../support/clock.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test('the export parses as a snapshot and holds the holders, nested groups, approvers and Azure scopes', async () => {
  const tenant = sampleTenant();
  h = await startHarness(tenant, { server: { ...sampleWorld, pageSize: 2 } });
  const exported = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as ReturnType<typeof sampleTenant>;
  const { snapshot } = parseSnapshot(JSON.parse(JSON.stringify(exported)));
  expect(snapshot.tenant).toMatchObject({ id: tenant.tenant.id, displayName: 'Contoso' });
  expect(exported.users.map((u) => u.id).sort()).toEqual(Object.values(USERS).sort());
  expect(exported.users.find((u) => u.id === USERS.bea)?.otherMails).toEqual(['bea@fabrikam.com']);
  expect(exported.groups.map((g) => g.id).sort()).toEqual(Object.values(GROUPS).sort());
  expect(exported.groups.find((g) => g.id === GROUPS.inner)).toEqual({
    id: GROUPS.inner,
    displayName: 'Inner',
    mail: null,
    members: [USERS.chen, USERS.dana, GROUPS.cycle],
  });
  expect(exported.roleAssignments).toHaveLength(tenant.roleAssignments.length);
  expect(exported.roleEligibilities).toHaveLength(tenant.roleEligibilities.length);
  expect(exported.roleManagementPolicies).toEqual(tenant.roleManagementPolicies);
  const rg = exported.azureResources?.find((r) => r.id === RG);
  expect(rg?.roleAssignments.map((a) => [a.principalId, a.state]).sort()).toEqual(
    [
      [USERS.chen, 'active'],
      [USERS.eli, 'eligible'],
    ].sort(),
  );
  const sub = exported.azureResources?.find((r) => r.id === `/subscriptions/${SUB}`);
  expect(sub?.displayName).toBe('Contoso Production');
  expect(sub?.roleManagementPolicies?.find((p) => p.roleDefinitionId === ROLE.owner)?.rules).toEqual(
    tenant.azureResources?.[0]?.roleManagementPolicies?.[0]?.rules,
  );
  expect(exported.azureResources).toHaveLength(3);
});

/** Every question simulate asks, put to the served tenant (GraphDirectory) and to its export (SnapshotDirectory). */
async function expectSameAnswers(tenant: TenantData, subscriptionIds: string[]): Promise<{ exported: ExportedTenant }> {
  h = await startHarness(tenant, { server: { ...sampleWorld, pageSize: 3 }, env: { AZURE_SUBSCRIPTION_IDS: subscriptionIds.join(';') } });
  const exported = (await exportDirectorySnapshot(h.directory, { subscriptionIds })) as ExportedTenant;
  const { snapshot, warnings } = parseSnapshot(JSON.parse(JSON.stringify(exported)));
  // Only what the tenant itself holds (a user with no address); no dangling ids.
  expect(warnings.filter((w) => !/no usable address/.test(w))).toEqual([]);
  // Asked at the instant the served tenant is in (the export holds what is in force then).
  const offline = new SnapshotDirectory(snapshot, { clock: sampleClock });
  const holder = (x: RoleHolder) => `${x.id} ${x.state} ${x.address} ${x.roleDefinitionId}`;
  const directoryRoles = [
    ...new Set([...tenant.roleDefinitions.map((d) => d.id), ...tenant.roleManagementPolicies.map((p) => p.roleDefinitionId)]),
  ];
  for (const role of directoryRoles) {
    expect((await offline.directoryRoleHolders(role)).map(holder).sort(), role).toEqual(
      (await h.directory.directoryRoleHolders(role)).map(holder).sort(),
    );
    expect(await offline.rolePolicy({ kind: 'directory', id: '/' }, role), role).toEqual(
      await h.directory.rolePolicy({ kind: 'directory', id: '/' }, role),
    );
  }
  const scopes = (tenant.azureResources ?? []).filter((r) =>
    subscriptionIds.some((s) => r.id.toLowerCase().startsWith(`/subscriptions/${s}`)),
  );
  const azureRoles = [
    ...new Set([ROLE.owner, ROLE.userAccessAdministrator, ...scopes.flatMap((r) => r.roleAssignments.map((a) => a.roleDefinitionId))]),
  ];
  for (const scope of scopes) {
    expect((await offline.azureScopeAdmins(scope.id)).map(holder).sort(), scope.id).toEqual(
      (await h.directory.azureScopeAdmins(scope.id)).map(holder).sort(),
    );
    for (const role of azureRoles) {
      const where = { kind: 'azureResource' as const, id: scope.id };
      expect(await offline.rolePolicy(where, role), `${scope.id} ${role}`).toEqual(await h.directory.rolePolicy(where, role));
      expect(await offline.roleDisplayName(where, role)).toEqual(await h.directory.roleDisplayName(where, role));
    }
  }
  for (const u of tenant.users) expect(await offline.user(u.id)).toEqual(await h.directory.user(u.id));
  for (const g of tenant.groups) {
    const members = async (d: { groupMembers(id: string): Promise<{ id: string; address: string | null }[]> }) =>
      (await d.groupMembers(g.id)).map((p) => `${p.id} ${p.address}`).sort();
    expect(await members(offline), g.id).toEqual(await members(h.directory));
  }
  return { exported };
}

type ExportedTenant = TenantData & { servicePrincipals: { id: string; displayName: string }[] };

test('the export of the sample tenant answers every lookup like the tenant it came from', async () => {
  const sample = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8')) as TenantData;
  const subscriptions = [...new Set((sample.azureResources ?? []).map((r) => r.id.split('/')[2]!))];
  const { exported } = await expectSameAnswers(sample, subscriptions);
  // Users with no role at all are there too: events can name anyone.
  expect(exported.users).toHaveLength(sample.users.length);
  // Active Azure assignments keep their schedule (ARM's schedule instances, not bare role assignments).
  const sandbox = exported.azureResources?.find((r) => r.id.endsWith('/rg-dev-sandbox'));
  expect(sandbox?.roleAssignments.find((a) => a.state === 'active')).toMatchObject({
    assignmentType: 'Activated',
    endDateTime: '2027-06-30T00:00:00Z',
  });
});

test("the export of the small tenant answers like it; a resource group without a policy of its own does not take its subscription's", async () => {
  const { exported } = await expectSameAnswers(sampleTenant(), [SUB]);
  expect(exported.azureResources?.find((r) => r.id === RG)?.roleManagementPolicies).toEqual([{ roleDefinitionId: ROLE.owner, rules: [] }]);
});

test('allUsers: false exports only the people role lookups reach', async () => {
  const tenant = sampleTenant();
  tenant.users.push({
    id: '00000000-0000-0000-0000-000000000199',
    displayName: 'Nobody',
    mail: 'nobody@contoso.com',
    userPrincipalName: 'nobody@contoso.com',
  });
  h = await startHarness(tenant, { server: sampleWorld });
  const all = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as ExportedTenant;
  const some = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB], allUsers: false })) as ExportedTenant;
  expect(all.users.map((u) => u.id)).toContain('00000000-0000-0000-0000-000000000199');
  expect(some.users.map((u) => u.id).sort()).toEqual(Object.values(USERS).sort());
});
