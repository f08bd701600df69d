/**
 * ACS faults, on the local runner with the production adapters and every message delivered
 * twice (test/faults/transportFaultsRun.ts): 429 and 500 bursts; operations that end Failed
 * and answers lost after ACS took the message, each found by the takeover's status walk;
 * workers that die before the send (ACS never heard of it) or after it while the operation is
 * still Running; an ACS that refuses messages with an empty To. After each: every planned email
 * delivered exactly once, exact digest counts,
 * an empty poison queue, no address or justification in any log line.
 */
import { AzureKeyCredential } from '@azure/core-auth';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { setServicesForTesting } from '../../shared/composition/services.js';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { OperationStatusClient } from '../../shared/transport/acs/operationStatus.js';
import { acsTransport, dieAfterSend, dieBeforeSend, faultServices, lostAnswers } from '../support/faultsServices.js';
import { transportFaultsRun } from './transportFaultsRun.js';

const run = transportFaultsRun();
const { startAcs, deliverTwice, checkRun, snapshotDirectory, someEvents } = run;

describe('ACS faults', () => {
  it('429 and 500 bursts: retried, each email delivered once', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const services = await faultServices(run.azurite.connectionString, {
      directory,
      transport: acsTransport(fake, (l) => run.runner.logs.push(l)),
    });
    setServicesForTesting(services);
    fake.throttleNextSends(12, 0);
    fake.failNextSendsWith500(9);
    const events = await someEvents('acs429');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(12);
    expect(fake.requests.filter((r) => r.status === 500)).toHaveLength(9);
    await checkRun(services, events, fake, directory);
  });

  it('ACS refuses shared messages with an empty To: every email goes per person instead, once; the fallback is logged once', async () => {
    const fake = await startAcs({ emptyTo: 'refuse' });
    const directory = await snapshotDirectory();
    const services = await faultServices(run.azurite.connectionString, {
      directory,
      transport: acsTransport(fake, (l) => run.runner.logs.push(l)),
    });
    setServicesForTesting(services);
    const events = await someEvents('acsemptyto');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(fake.requests.filter((r) => r.method === 'POST' && r.status === 400).length).toBeGreaterThanOrEqual(1);
    for (const d of fake.deliveries) expect(d.message.recipients.to, 'one person a message').toHaveLength(1);
    expect(run.runner.logs.filter((l) => /from now on this process sends everyone their own message/.test(l))).toHaveLength(1);
    await checkRun(services, events, fake, directory);
  });

  it('operations that end Failed, found by the takeover after the worker died: sent again under the next attempt id, never twice', async () => {
    // Final at the first status read, so a takeover sees Failed at once.
    const fake = await startAcs({ pollsUntilDone: 0 });
    const directory = await snapshotDirectory();
    // ACS fails an operation after its 202, so the acceptance does not show it. Without delivery
    // reports (their Failed report and the resend: deliveryFaults.test.ts) a takeover is what
    // finds it: here the worker dies after each send that will fail, before recording it.
    const transport = dieAfterSend(
      acsTransport(fake, (l) => run.runner.logs.push(l)),
      4,
      (a) => fake.deliveriesFor(a.messageId).length === 0,
    );
    const services = await faultServices(run.azurite.connectionString, { directory, transport });
    setServicesForTesting(services);
    for (let i = 0; i < 4; i++) fake.failNextOperation('InternalError', 'transient failure');
    const events = await someEvents('acsfailed');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(transport.died).toBe(4);
    expect(run.runner.host.stats().failures).toBeGreaterThan(0);
    expect(run.runner.logs.filter((l) => /ended Failed \(InternalError\); trying attempt \d/.test(l)).length).toBeGreaterThanOrEqual(1);
    // Each message (its attempt chain) delivered once; the Failed ones under a later attempt id.
    const ids = fake.operationIds();
    const delivered = new Set(fake.deliveries.map((d) => d.operationId));
    const chainOf = (root: string) => [0, 1, 2, 3, 4, 5].map((n) => attemptOperationId(root, n)).filter((id) => ids.includes(id));
    const roots = ids.filter((id) => !ids.some((other) => other !== id && chainOf(other).includes(id)));
    const failedRoots = roots.filter((root) => !delivered.has(root));
    expect(failedRoots.length).toBeGreaterThanOrEqual(1);
    for (const root of roots)
      expect(
        chainOf(root).filter((id) => delivered.has(id)),
        `message ${root}`,
      ).toHaveLength(1);
    await checkRun(services, events, fake, directory);
  });

  it('workers that die before the send, answers lost after ACS took it, workers that die after it while ACS is still Running: the takeover asks ACS, each email once', async () => {
    // Running for a minute whoever asks (real ACS: a few seconds): a takeover never sees the end.
    const fake = await startAcs({ runningMs: 60_000 });
    const directory = await snapshotDirectory();
    // No client retry of the reset connection: deliver() cannot tell whether ACS took the message.
    const http = lostAnswers(createDefaultHttpClient(), 3);
    const before = dieBeforeSend(
      acsTransport(fake, (l) => run.runner.logs.push(l), { maxRetries: 0, httpClient: http }),
      3,
    );
    const after = dieAfterSend(before, 3);
    const services = await faultServices(run.azurite.connectionString, { directory, transport: after });
    setServicesForTesting(services);
    const failuresBefore = run.runner.host.stats().failures;
    const events = await someEvents('acsunknown');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect([before.died, http.lost, after.died]).toEqual([3, 3, 3]);
    expect(run.runner.host.stats().failures).toBeGreaterThan(failuresBefore);
    // Died before the send: ACS never heard of it (404), so the takeover sent it.
    expect(fake.requests.filter((r) => r.method === 'GET' && r.status === 404).length).toBeGreaterThanOrEqual(1);
    // Lost answer or died after: the takeover found it Running, took that as accepted and sent nothing.
    expect(run.runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(1);
    // ... without waiting for it: every operation is still Running.
    const status = new OperationStatusClient(fake.endpoint, new AzureKeyCredential(fake.accessKey), { allowInsecureConnection: true });
    const statuses = await Promise.all(fake.operationIds().map(async (id) => (await status.get(id))?.status));
    expect(new Set(statuses)).toEqual(new Set(['Running']));
    await checkRun(services, events, fake, directory);
  });
});
