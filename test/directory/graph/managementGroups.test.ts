/**
 * Issue 11 items 9 and 11 through the production directory (real Graph client and ARM reader
 * against local endpoints that speak ARM's wire format): Owners and User Access Administrators of
 * management groups above a subscription count on it and below it, and Azure scopes are named.
 */
import { afterEach, expect, test } from 'vitest';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import { parseEvent } from '../../../shared/events/parse.js';
import { loadSettings } from '../../../shared/settings/settings.js';
import { planNotifications } from '../../../shared/planning/planNotifications.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { RG, SUB, USERS, sampleTenant } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';

const ROOT = '/providers/Microsoft.Management/managementGroups/tenant-root';
const PLATFORM = '/providers/Microsoft.Management/managementGroups/platform';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function tenantWithManagementGroups() {
  const data = sampleTenant();
  const resources = data.azureResources!;
  resources.find((r) => r.id === `/subscriptions/${SUB}`)!.parentId = PLATFORM;
  resources.push(
    {
      id: PLATFORM,
      displayName: 'Platform',
      parentId: ROOT,
      roleAssignments: [{ principalId: USERS.gus, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null }],
    },
    {
      id: ROOT,
      displayName: 'Tenant Root Group',
      roleAssignments: [{ principalId: USERS.alain, roleDefinitionId: ROLE.userAccessAdministrator, state: 'eligible', endDateTime: null }],
    },
    // Another branch of the hierarchy: not above this subscription.
    {
      id: '/providers/Microsoft.Management/managementGroups/sandbox',
      displayName: 'Sandbox',
      parentId: ROOT,
      roleAssignments: [{ principalId: USERS.bea, roleDefinitionId: ROLE.owner, state: 'active', endDateTime: null }],
    },
  );
  return data;
}

test('management-group Owners and UAAs (and their parents) are admins of the subscription, its resource groups and resources', async () => {
  h = await startHarness(tenantWithManagementGroups(), { server: sampleWorld });
  for (const scope of [`/subscriptions/${SUB}`, RG, `${RG}/providers/Microsoft.KeyVault/vaults/kv1`]) {
    const ids = (await h.directory.azureScopeAdmins(scope)).map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining([USERS.gus, USERS.alain]));
    expect(ids).not.toContain(USERS.bea);
  }
  // A management group's own admins: itself and the groups above it.
  expect((await h.directory.azureScopeAdmins(PLATFORM)).map((a) => a.id).sort()).toEqual([USERS.alain, USERS.gus].sort());
});

test('an assignment on the subscription reaches the management-group Owner, with the scope named from ARM', async () => {
  h = await startHarness(tenantWithManagementGroups(), { server: sampleWorld });
  const parsed = parseEvent({
    id: 'mg-1',
    type: 'roleAssigned',
    tenantId: '00000000-0000-0000-0000-0000000000ff',
    occurredAt: '2026-12-01T06:00:00Z',
    scope: { kind: 'azureResource', id: `/subscriptions/${SUB}` },
    role: { id: 'b24988ac-6180-42a0-ab88-20f7382dd24c' },
    principal: { id: USERS.chen, type: 'user' },
    assignment: { state: 'active', permanent: true },
  });
  if (parsed.kind === 'invalid') throw parsed.error;
  const plan = await planNotifications(parsed.event, h.directory, loadSettings({}));
  const to = new Map(plan.emails.map((e) => [e.recipient.address, e]));
  expect(to.get('gus@contoso.com')?.recipient.notification).toBe('assignmentAlert');
  expect(to.get('chen@contoso.com')?.recipient.notification).toBe('assignmentNotice');
  expect(to.get('gus@contoso.com')?.email.text).toContain('Contoso Production');
  expect(await h.directory.azureScopeDisplayName(PLATFORM)).toBe('Platform');
  expect(await h.directory.azureScopeDisplayName(RG)).toBe('rg-app');
});
