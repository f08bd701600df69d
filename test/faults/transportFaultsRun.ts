/**
 * The run the transport-fault suites share (test/faults/transportFaults*.test.ts): each suite
 * starts its own Azurite and the local runner with the production adapters (TableActivityStore,
 * TableDeliveryLedger, AcsTransport on a local ACS started per test), and delivers every
 * message twice. After each scenario, checkRun: every planned email delivered exactly once
 * (the local ACS's deliveries are the ground truth), exact digest counts, an empty poison
 * queue, no address or justification in any log line.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createDirectory, setServicesForTesting } from '../../shared/composition/services.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { FakeAcs, type FakeAcsOptions } from '../support/fakeAcs.js';
import {
  clearQueues,
  drainPoison,
  enqueueStored,
  expectDigestCounts,
  expectedEmails,
  expectNoSecretsInLogs,
  sampleEvents,
  startOwnAzurite,
  startRunner,
  type ExpectedEmail,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';
import type { FaultServices } from '../support/faultsServices.js';

export interface TransportFaultsRun {
  /** Started in beforeAll. */
  readonly azurite: OwnAzurite;
  /** Started in beforeAll. */
  readonly runner: Runner;
  /** A local ACS, closed after the test. */
  startAcs(options?: FakeAcsOptions): Promise<FakeAcs>;
  /** Every message twice (a redelivery), all at once. */
  deliverTwice(events: PimEvent[]): Promise<void>;
  /** The invariants after a scenario: exactly once, exact counts, nothing poisoned, no leaks. */
  checkRun(services: FaultServices, events: PimEvent[], fake: FakeAcs, planDirectory: RoleDirectory): Promise<void>;
  snapshotDirectory(): Promise<RoleDirectory>;
  /** Sample events that cause emails, renamed so each scenario's ids are its own. */
  someEvents(prefix: string, count?: number): Promise<PimEvent[]>;
}

/** Registers the suite's hooks (own Azurite and runner; queues cleared and fakes closed after each test). */
export function transportFaultsRun(): TransportFaultsRun {
  let azurite: OwnAzurite;
  let runner: Runner;
  const fakes: FakeAcs[] = [];

  beforeAll(async () => {
    azurite = await startOwnAzurite();
    // Retries 400 ms apart, ten tries: enough to outlast a 1 s delivery lease after a crash.
    runner = await startRunner(azurite.connectionString, { visibilityTimeoutMs: 400, maxDequeueCount: 10 });
  });

  afterEach(async () => {
    await runner.host.waitForIdle({ timeoutMs: 30_000 }).catch(() => {});
    await clearQueues(azurite.connectionString);
    setServicesForTesting(undefined);
    await Promise.all(fakes.splice(0).map((f) => f.close()));
  });

  afterAll(async () => {
    await runner?.host.stop();
    await azurite?.dispose();
  });

  return {
    get azurite() {
      return azurite;
    },
    get runner() {
      return runner;
    },

    async startAcs(options: FakeAcsOptions = {}): Promise<FakeAcs> {
      const fake = await FakeAcs.start({ pollsUntilDone: 1, ...options });
      fakes.push(fake);
      return fake;
    },

    async deliverTwice(events: PimEvent[]): Promise<void> {
      const stored = events.map((e) => encodeMessage(e));
      await enqueueStored(azurite.connectionString, [...stored, ...stored]);
    },

    async checkRun(services: FaultServices, events: PimEvent[], fake: FakeAcs, planDirectory: RoleDirectory): Promise<void> {
      const expected = await expectedEmails(events, planDirectory, services.settings);
      expect(expected.size).toBeGreaterThan(events.length);
      expectDeliveredOnce(fake, expected);
      await expectDigestCounts(azurite.connectionString, services.activityTable, events);
      expect(await drainPoison(azurite.connectionString), 'nothing may end in the poison queue').toEqual([]);
      expect(runner.host.stats().poisoned).toBe(0);
      expectNoSecretsInLogs(
        runner.logs,
        events.flatMap((e) => (e.request?.justification ? [e.request.justification.slice(0, 40)] : [])),
      );
    },

    async snapshotDirectory(): Promise<RoleDirectory> {
      return createDirectory(loadSettings({}));
    },

    async someEvents(prefix: string, count = 8): Promise<PimEvent[]> {
      return (await sampleEvents()).slice(0, count).map((e) => ({ ...e, id: `${prefix}-${e.id}` }));
    },
  };
}

/** Each planned (event, recipient) delivered exactly once by the local ACS; nothing else. */
function expectDeliveredOnce(fake: FakeAcs, expected: Map<string, ExpectedEmail>): void {
  const key = (eventId: string, address: string) => `${eventId} → ${address.toLowerCase()}`;
  // Every recipient of every message: one per message sent per person, many in Bcc when batched.
  const delivered = fake.deliveries.flatMap((d) =>
    [...(d.message.recipients.to ?? []), ...(d.message.recipients.bcc ?? [])].map((r) =>
      key(d.message.headers?.['X-PIM-Event-Id'] ?? '?', r.address),
    ),
  );
  const counts = new Map<string, number>();
  for (const k of delivered) counts.set(k, (counts.get(k) ?? 0) + 1);
  const wanted = new Set([...expected.values()].map((e) => key(e.eventId, e.address)));
  expect({
    duplicates: [...counts].filter(([, n]) => n > 1).map(([k]) => k),
    missing: [...wanted].filter((k) => !counts.has(k)),
    extra: [...counts.keys()].filter((k) => !wanted.has(k)),
  }).toEqual({ duplicates: [], missing: [], extra: [] });
}
