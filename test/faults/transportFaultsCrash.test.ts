/**
 * A crash between the send and the ledger write, on the local runner with the production
 * adapters and every message delivered twice (test/faults/transportFaultsRun.ts): the worker
 * dies after the send, or the write never happens and the claims stay fresh until the lease
 * runs out; and the outbox's version of the first. After each: every planned email delivered
 * exactly once, exact digest counts, an empty poison queue, no address or justification in any
 * log line.
 */
import { describe, expect, it } from 'vitest';
import { setServicesForTesting } from '../../shared/composition/services.js';
import { drainPoison, expectDigestCounts, expectedEmails } from '../support/faults.js';
import { acsTransport, dieAfterSend, faultServices, loseLedgerWrites } from '../support/faultsServices.js';
import { transportFaultsRun } from './transportFaultsRun.js';

const run = transportFaultsRun();
const { startAcs, deliverTwice, checkRun, snapshotDirectory, someEvents } = run;

describe('a crash between the send and the ledger write', () => {
  it('the worker dies right after ACS accepted: the retry finds the sends done and sends nothing again', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const transport = dieAfterSend(
      acsTransport(fake, (l) => run.runner.logs.push(l)),
      6,
    );
    const services = await faultServices(run.azurite.connectionString, { directory, transport });
    setServicesForTesting(services);
    const events = await someEvents('died');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(transport.died).toBe(6);
    await checkRun(services, events, fake, directory);
    // The sends that "died" were looked up (mayHaveBeenSent), not repeated.
    expect(run.runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(6);
  });

  it('the ledger write never happens: claims stay fresh for the lease, then the takeover asks ACS and sends nothing again', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const lose = loseLedgerWrites(3);
    const services = await faultServices(run.azurite.connectionString, {
      directory,
      transport: acsTransport(fake, (l) => run.runner.logs.push(l)),
      wrapLedger: lose.wrap,
    });
    setServicesForTesting(services);
    const events = await someEvents('lost', 6);
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(lose.lost).toBe(3);
    await checkRun(services, events, fake, directory);
    expect(
      run.runner.logs.some((l) => /emails held by another worker's lease; queued again .*\(busy\)/.test(l)),
      'the fresh claims made the retries wait (queued again, not failed)',
    ).toBe(true);
    expect(run.runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(1);
  });

  it('the outbox: a worker dying after writing the file does not write it twice', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { OutboxTransport } = await import('../../shared/transport/outboxTransport.js');
    const { outboxFiles, expectExactlyOnce } = await import('../support/faults.js');
    const dir = await mkdtemp(path.join(tmpdir(), 'faults-outbox-'));
    try {
      const directory = await snapshotDirectory();
      const transport = dieAfterSend(new OutboxTransport({ dir }), 5);
      const services = await faultServices(run.azurite.connectionString, { directory, transport });
      setServicesForTesting(services);
      const events = await someEvents('outboxdied');
      await deliverTwice(events);
      await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

      expect(transport.died).toBe(5);
      const expected = await expectedEmails(events, directory, services.settings);
      expectExactlyOnce(
        (await outboxFiles(dir)).map((f) => f.replace(/\.eml$/, '')),
        expected,
      );
      await expectDigestCounts(run.azurite.connectionString, services.activityTable, events);
      expect(await drainPoison(run.azurite.connectionString)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
