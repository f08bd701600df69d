/**
 * Crashes and redelivery through the real notify function on the local runner (its own
 * Azurite, the embedded snapshot, the outbox):
 * - a worker killed mid-send leaves fresh claims on its events' emails; delivering those
 *   events again must wait for the claims (deferred, not failed: maxDequeueCount is 2 here,
 *   so two busy failures would poison them) and then send every email once;
 * - an event id reused with other content, or in another ISO week, is refused with its
 *   reason; the first event's emails and its one activity row stay the only ones.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../shared/composition/services.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import {
  clearQueues,
  decodeStored,
  drainPoison,
  enqueueStored,
  expectDigestCounts,
  expectedEmails,
  expectExactlyOnce,
  outboxFiles,
  sampleEvents,
  startOwnAzurite,
  startRunner,
  useOutboxApp,
  type OutboxApp,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';

const LEASE_SECONDS = 4;

let azurite: OwnAzurite;
let runner: Runner;
let app: OutboxApp;

beforeAll(async () => {
  azurite = await startOwnAzurite();
  app = await useOutboxApp(azurite.connectionString, { DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS) });
  runner = await startRunner(azurite.connectionString, { visibilityTimeoutMs: 100, maxDequeueCount: 2 });
});

afterAll(async () => {
  await runner?.host.stop();
  await azurite?.dispose();
  await app?.cleanup();
});

describe('redelivery after a crash, and event ids reused', () => {
  it(
    'events whose sender died mid-send are delivered once the claims lapse: none poisoned, every email once',
    { timeout: 60_000 },
    async () => {
      const settings = loadSettings();
      const directory = await createDirectory(settings);
      const samples = (await sampleEvents()).filter((e) => e.type !== 'pimEnabled');
      const events: PimEvent[] = samples.slice(0, 5).map((e, i) => ({ ...e, id: `crash-${i}` }));

      // What a worker killed while sending leaves: fresh claims on every email, no outcome.
      const ledger = new TableDeliveryLedger(
        TableClient.fromConnectionString(azurite.connectionString, settings.DELIVERY_TABLE, { allowInsecureConnection: true }),
      );
      for (const event of events) {
        const plan = await planNotifications(event, directory, settings);
        expect(plan.emails.length).toBeGreaterThan(0);
        await ledger.claim(
          event.id,
          plan.emails.map((e) => ({ key: e.key, operationId: e.operationId, notification: e.recipient.notification })),
          LEASE_SECONDS * 1000,
        );
      }
      const started = Date.now();
      await enqueueStored(
        azurite.connectionString,
        events.map((e) => encodeMessage(e)),
      );
      await runner.host.waitForIdle({ timeoutMs: 45_000 });

      expect(await drainPoison(azurite.connectionString), 'no valid event may end in the poison queue').toEqual([]);
      expect(runner.host.stats()).toMatchObject({ failures: 0, poisoned: 0 });
      // They waited for the lease rather than being taken over early (nothing could say the sender was dead).
      expect(Date.now() - started).toBeGreaterThanOrEqual((LEASE_SECONDS - 1) * 1000);
      expect(runner.logs.filter((l) => /emails held by another worker's lease; queued again/.test(l)).length).toBeGreaterThanOrEqual(
        events.length,
      );
      const expected = await expectedEmails(events, directory, settings);
      expectExactlyOnce(
        (await outboxFiles(app.outbox)).map((f) => f.replace(/\.eml$/, '')),
        expected,
      );
    },
  );

  it(
    'an id reused with other content or in another week is refused with its reason; the first stays the only one',
    { timeout: 60_000 },
    async () => {
      await clearQueues(azurite.connectionString);
      const settings = loadSettings();
      const directory = await createDirectory(settings);
      const before = new Set(await outboxFiles(app.outbox));
      const samples = await sampleEvents();
      const first = { ...samples.find((e) => e.type === 'roleAssigned')!, id: 'reuse-1' };
      const otherPerson = samples.find(
        (e) => e.type !== 'pimEnabled' && e.principal !== undefined && e.principal.id !== first.principal?.id,
      )!;
      const otherContent = { ...first, principal: otherPerson.principal! } as PimEvent;
      const otherWeek = { ...first, occurredAt: new Date(Date.parse(first.occurredAt) + 7 * 86_400_000).toISOString() };

      await enqueueStored(azurite.connectionString, [encodeMessage(first)]);
      await runner.host.waitForIdle({ timeoutMs: 30_000 });
      // The same event again (a redelivery, extra fields and another key order included) is the same event.
      const { id, ...rest } = first;
      await enqueueStored(azurite.connectionString, [
        encodeMessage(otherContent),
        encodeMessage(otherWeek),
        encodeMessage({ producerNote: 'resent', ...rest, id }),
      ]);
      await runner.host.waitForIdle({ timeoutMs: 30_000 });

      const records = (await drainPoison(azurite.connectionString)).map(
        (s) => JSON.parse(decodeStored(s)) as { poison: { reason: string; fields: string[] } },
      );
      expect(records).toHaveLength(2);
      for (const r of records) {
        expect(r.poison.reason).toMatch(/^event reuse-1 is invalid: id: is already the id of a different event/);
        expect(r.poison.fields).toEqual(['id']);
      }
      const expected = await expectedEmails([first], directory, settings);
      const sent = (await outboxFiles(app.outbox)).filter((f) => !before.has(f));
      expectExactlyOnce(
        sent.map((f) => f.replace(/\.eml$/, '')),
        expected,
      );
      // One activity row, in the first event's week: the digest counts it once.
      const activity = TableClient.fromConnectionString(azurite.connectionString, app.activityTable, { allowInsecureConnection: true });
      const rows: string[] = [];
      for await (const r of activity.listEntities({ queryOptions: { filter: `RowKey eq 'reuse-1'` } })) rows.push(String(r.partitionKey));
      expect(rows).toHaveLength(1);
      await expectDigestCounts(azurite.connectionString, app.activityTable, [...(await crashEvents()), first]);
    },
  );
});

/** The first test's events, also in the activity table (expectDigestCounts checks the whole table). */
async function crashEvents(): Promise<PimEvent[]> {
  return (await sampleEvents())
    .filter((e) => e.type !== 'pimEnabled')
    .slice(0, 5)
    .map((e, i) => ({ ...e, id: `crash-${i}` }));
}
