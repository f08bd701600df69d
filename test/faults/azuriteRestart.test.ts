/**
 * Storage goes away mid-stream: this file's own Azurite (fixed ports, data on disk) is stopped
 * while the runner is processing, and started again on the same ports a moment later. Every
 * message delivered twice. Afterwards: every planned email exactly once in the outbox, exact
 * digest counts, nothing poisoned, the runner still processing new messages, and no address
 * or justification in the logs.
 *
 * The restart is graceful (SIGTERM: Azurite answers what is in flight and saves its database),
 * as Azure storage never loses a write it acknowledged. What an outage does lose is the
 * runner's own calls: a delete or release whose SDK retries (about 16 s) end before storage is
 * back never happens, so that message stays invisible for the rest of its processing lease and
 * then comes back (the ledger keeps its emails from going out twice). On Azure that lease is the
 * host's 10 minutes; here it is 4 s, so those messages come back within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../shared/composition/services.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import {
  drainPoison,
  enqueueStored,
  expectDigestCounts,
  expectedEmails,
  expectExactlyOnce,
  expectNoSecretsInLogs,
  outboxFiles,
  sampleEvents,
  sleep,
  startOwnAzurite,
  startRunner,
  useOutboxApp,
  waitFor,
  type OutboxApp,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';

let azurite: OwnAzurite;
let runner: Runner;
let app: OutboxApp;
let outbox: string;
let activityTable: string;

beforeAll(async () => {
  azurite = await startOwnAzurite();
  // A worker that lost storage mid-send leaves claims; they are taken over after 1 s.
  app = await useOutboxApp(azurite.connectionString, { DELIVERY_LEASE_SECONDS: '1' });
  ({ outbox, activityTable } = app);
  runner = await startRunner(azurite.connectionString, { visibilityTimeoutMs: 300, maxDequeueCount: 10, messageLeaseMs: 4_000 });
});

afterAll(async () => {
  await runner?.host.stop();
  await azurite?.dispose();
  await app?.cleanup();
});

describe('Azurite stopped and restarted while the runner is processing', () => {
  it('loses nothing and sends nothing twice', { timeout: 150_000 }, async () => {
    const samples = await sampleEvents();
    const events: PimEvent[] = [];
    for (let round = 0; round < 4; round++) for (const e of samples) events.push({ ...e, id: `restart-${round}-${e.id}` });
    const stored = events.map((e) => encodeMessage(e));
    await enqueueStored(azurite.connectionString, [...stored, ...stored]);

    // Pull the plug once the first emails are out, while most messages are still queued or in flight.
    await waitFor(async () => (await outboxFiles(outbox)).length >= 20, 30_000, 'the first emails');
    await azurite.stop();
    const filesDuringOutage = (await outboxFiles(outbox)).length;
    // Longer than the table client retries (about 5 s) and the queue client's (0 + 4 + 12 s), so
    // invocations fail and their completions and lease renewals may fail too.
    await sleep(20_000);
    await azurite.start();

    await runner.host.waitForIdle({ timeoutMs: 60_000 });

    const settings = loadSettings();
    const directory = await createDirectory(settings);
    const expected = await expectedEmails(events, directory, settings);
    expect(filesDuringOutage).toBeLessThan(expected.size); // the outage really was mid-stream
    expectExactlyOnce(
      (await outboxFiles(outbox)).map((f) => f.replace(/\.eml$/, '')),
      expected,
    );
    await expectDigestCounts(azurite.connectionString, activityTable, events);
    expect(await drainPoison(azurite.connectionString), 'nothing may end in the poison queue').toEqual([]);
    expect(runner.host.stats().poisoned).toBe(0);
    // The outage reached the runner: an invocation failed, or (when none was mid-flight at the
    // moment the plug was pulled, as happens on a loaded machine) the listener could not receive.
    expect(
      runner.logs.some((l) => /^(Executed 'notify' \(Failed|Queue listener for 'notify' .*could not receive).*ECONNREFUSED/.test(l)),
      'the runner saw the outage',
    ).toBe(true);

    // Still alive and processing after the outage.
    const later = { ...samples[0]!, id: 'after-restart' };
    await enqueueStored(azurite.connectionString, [encodeMessage(later)]);
    await runner.host.waitForIdle({ timeoutMs: 30_000 });
    const files = new Set(await outboxFiles(outbox));
    for (const id of (await expectedEmails([later], directory, settings)).keys()) expect(files.has(`${id}.eml`)).toBe(true);

    expectNoSecretsInLogs(
      runner.logs,
      events.flatMap((e) => (e.request?.justification ? [e.request.justification.slice(0, 40)] : [])),
    );
  });
});
