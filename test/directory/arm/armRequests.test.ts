/**
 * Issue 16, item 7: the export reads what ARM's first answers already hold. Schedule instances
 * carry `expandedProperties.roleDefinition` (the role's name) and the policy-assignment list
 * carries `effectiveRules` (the policy), so the export makes no role-definition request per role
 * per scope and no policy GET per policy. Requests are counted by path at the local ARM.
 */
import { afterEach, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../dev/export/exportSnapshot.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import type { TenantData } from '../../support/fakeGraph.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { SUB, sampleTenant } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ROLE_DEFINITION_GET = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/?]+\?/i;
const POLICY_GET = /\/providers\/Microsoft\.Authorization\/roleManagementPolicies\/[^/?]+\?/i;

/** What the export used to ask: one name per (scope, role named there), one GET per policy assignment of a wanted role. */
function formerRequests(tenant: TenantData): { roleDefinitions: number; policies: number } {
  const resources = tenant.azureResources ?? [];
  const held = new Set([
    ROLE.owner,
    ROLE.userAccessAdministrator,
    ...resources.flatMap((r) => r.roleAssignments.map((a) => a.roleDefinitionId)),
  ]);
  return {
    roleDefinitions: resources.reduce(
      (n, r) => n + new Set([ROLE.owner, ROLE.userAccessAdministrator, ...r.roleAssignments.map((a) => a.roleDefinitionId)]).size,
      0,
    ),
    policies: resources.reduce((n, r) => n + (r.roleManagementPolicies ?? []).filter((p) => held.has(p.roleDefinitionId)).length, 0),
  };
}

test('no role-definition or policy GETs when the first answers name every role and carry every policy', async () => {
  const tenant = sampleTenant();
  const former = formerRequests(tenant);
  h = await startHarness(tenant, { server: sampleWorld });
  const exported = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as Required<TenantData>;
  expect(former.roleDefinitions).toBe(7);
  expect(former.policies).toBe(1);
  expect(h.arm.count(ROLE_DEFINITION_GET)).toBe(0);
  expect(h.arm.count(POLICY_GET)).toBe(0);
  // The same names and rules as before, read from the lists.
  const sub = exported.azureResources.find((r) => r.id === `/subscriptions/${SUB}`);
  expect(sub?.roleDefinitions).toEqual(
    expect.arrayContaining([
      { id: ROLE.owner, displayName: 'Owner' },
      { id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', displayName: 'Contributor' },
    ]),
  );
  expect(sub?.roleManagementPolicies?.find((p) => p.roleDefinitionId === ROLE.owner)?.rules).toEqual(
    tenant.azureResources?.[0]?.roleManagementPolicies?.[0]?.rules,
  );
});

test('a role no instance names is asked for once per subscription, not once per scope', async () => {
  const tenant = sampleTenant();
  // Nobody holds User Access Administrator any more: no instance names it, yet every scope lists it.
  for (const r of tenant.azureResources ?? [])
    r.roleAssignments = r.roleAssignments.filter((a) => a.roleDefinitionId !== ROLE.userAccessAdministrator);
  h = await startHarness(tenant, { server: sampleWorld });
  const exported = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as Required<TenantData>;
  expect(h.arm.count(ROLE_DEFINITION_GET)).toBe(1);
  for (const r of exported.azureResources)
    expect(r.roleDefinitions).toContainEqual({ id: ROLE.userAccessAdministrator, displayName: 'User Access Administrator' });
});
