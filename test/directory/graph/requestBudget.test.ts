/**
 * Issue 6's budget: 1,000 events about many principals, roles and scopes on the benchmark's
 * generated tenant cost at most 0.05 Graph+ARM HTTP requests per event (requests counted at
 * the local endpoints, $batch envelopes counted once; no timings), and every event still gets
 * the same people as from the offline directory over the same tenant.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateEvents } from '../../../bench/events.js';
import { generateTenant, type GeneratedTenant } from '../../../bench/tenant.js';
import { parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import { gatherRecipientInputs, type GatheredInputs } from '../../../shared/planning/recipientInputs.js';
import type { PimEvent } from '../../../shared/events/schema.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { sampleWorld } from '../../support/clock.js';

let h: Harness;
let tenant: GeneratedTenant;
let events: PimEvent[];
const gathered = new Map<string, GatheredInputs>();

beforeAll(async () => {
  tenant = generateTenant({ users: 10_000, roleHolders: 300 });
  events = generateEvents(tenant, 1_000);
  h = await startHarness(tenant.data, { server: sampleWorld, env: { AZURE_SUBSCRIPTION_IDS: tenant.subscriptionIds.join(';') } });
  // As the notify function gets them: 16 at a time (host.json batchSize), a new one as one finishes.
  const queue = [...events];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) gathered.set(e.id, await gatherRecipientInputs(e, h.directory));
    }),
  );
});
afterAll(() => h?.stop());

test('1,000 events cost at most 0.05 Graph+ARM requests per event', () => {
  const requests = h.graph.count(undefined, false) + h.arm.count(undefined, false);
  expect(gathered.size).toBe(1_000);
  expect(new Set(events.map((e) => e.principal?.id)).size).toBeGreaterThan(200);
  expect(requests / events.length).toBeLessThanOrEqual(0.05);
});

test('and each event gets the people the offline directory gives for the same tenant', async () => {
  const offline = new SnapshotDirectory(parseSnapshot(JSON.parse(JSON.stringify(tenant.data))).snapshot);
  const people = (list: readonly { id: string; address: string | null }[]) => list.map((p) => `${p.id} ${p.address}`).sort();
  for (const event of events) {
    const live = gathered.get(event.id)!;
    const expected = await gatherRecipientInputs(event, offline);
    expect(people(live.admins), event.id).toEqual(people(expected.admins));
    expect(live.admins.map((a) => `${a.id} ${a.state} ${a.roleDefinitionId}`).sort(), event.id).toEqual(
      expected.admins.map((a) => `${a.id} ${a.state} ${a.roleDefinitionId}`).sort(),
    );
    expect(people(live.principal), event.id).toEqual(people(expected.principal));
    expect([live.principalName, live.actorName, live.roleName, live.tenantName], event.id).toEqual([
      expected.principalName,
      expected.actorName,
      expected.roleName,
      expected.tenantName,
    ]);
    // ARM has no policy inheritance (a resource group without its own policy has the factory
    // defaults, see test/dev/export/exportSnapshot.test.ts) where the snapshot falls back to the subscription's.
    if (event.scope.kind === 'directory' || /^\/subscriptions\/[^/]+$/.test(event.scope.id)) {
      expect(live.policy, event.id).toEqual(expected.policy);
      expect(people(live.approvers), event.id).toEqual(people(expected.approvers));
    }
  }
});
