/**
 * Faults in what notify depends on, each on the local runner with the production adapters
 * (TableActivityStore, TableDeliveryLedger, AcsTransport on the local ACS, GraphDirectory on
 * the local Graph/ARM), every message delivered twice:
 * - ACS: 429 and 500 bursts; operations that end Failed and answers lost after ACS took the
 *   message, each found by the takeover's status walk; workers that die before the send
 *   (ACS never heard of it) or after it while the operation is still Running;
 * - a crash between the send and the ledger write (the worker dies after the send; the write
 *   never happens and the claims stay fresh until the lease runs out);
 * - Graph/ARM: 429/503 bursts (outer and inside $batch) and timeouts.
 * After each: every planned email delivered exactly once (the local ACS's deliveries are the
 * ground truth), exact digest counts, an empty poison queue, no address or justification in
 * any log line.
 */
import { AzureKeyCredential } from '@azure/core-auth';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setServicesForTesting } from '../../shared/composition/services.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { createDirectory, createGraphDirectory } from '../../shared/composition/services.js';
import { loadSettings } from '../../shared/settings/settings.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { OperationStatusClient } from '../../shared/transport/acs/operationStatus.js';
import { FakeAcs, type FakeAcsOptions } from '../support/fakeAcs.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeGraph, fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { GROUPS, RG, SUB, USERS, sampleTenant } from '../support/sampleTenant.js';
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
import {
  acsTransport,
  dieAfterSend,
  dieBeforeSend,
  faultServices,
  loseLedgerWrites,
  lostAnswers,
  timingOutFetch,
  type FaultServices,
} from '../support/faultsServices.js';
import { sampleWorld } from '../support/clock.js';

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

async function startAcs(options: FakeAcsOptions = {}): Promise<FakeAcs> {
  const fake = await FakeAcs.start({ pollsUntilDone: 1, ...options });
  fakes.push(fake);
  return fake;
}

/** Every message twice (a redelivery), all at once. */
async function deliverTwice(events: PimEvent[]): Promise<void> {
  const stored = events.map((e) => encodeMessage(e));
  await enqueueStored(azurite.connectionString, [...stored, ...stored]);
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

/** The invariants after a scenario: exactly once, exact counts, nothing poisoned, no leaks. */
async function checkRun(services: FaultServices, events: PimEvent[], fake: FakeAcs, planDirectory: RoleDirectory): Promise<void> {
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
}

async function snapshotDirectory(): Promise<RoleDirectory> {
  return createDirectory(loadSettings({}));
}

/** Sample events that cause emails, renamed so each scenario's ids are its own. */
async function someEvents(prefix: string, count = 8): Promise<PimEvent[]> {
  return (await sampleEvents()).slice(0, count).map((e) => ({ ...e, id: `${prefix}-${e.id}` }));
}

describe('ACS faults', () => {
  it('429 and 500 bursts: retried, each email delivered once', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const services = await faultServices(azurite.connectionString, {
      directory,
      transport: acsTransport(fake, (l) => runner.logs.push(l)),
    });
    setServicesForTesting(services);
    fake.throttleNextSends(12, 0);
    fake.failNextSendsWith500(9);
    const events = await someEvents('acs429');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(12);
    expect(fake.requests.filter((r) => r.status === 500)).toHaveLength(9);
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
      acsTransport(fake, (l) => runner.logs.push(l)),
      4,
      (a) => fake.deliveriesFor(a.messageId).length === 0,
    );
    const services = await faultServices(azurite.connectionString, { directory, transport });
    setServicesForTesting(services);
    for (let i = 0; i < 4; i++) fake.failNextOperation('InternalError', 'transient failure');
    const events = await someEvents('acsfailed');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(transport.died).toBe(4);
    expect(runner.host.stats().failures).toBeGreaterThan(0);
    expect(runner.logs.filter((l) => /ended Failed \(InternalError\); trying attempt \d/.test(l)).length).toBeGreaterThanOrEqual(1);
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
      acsTransport(fake, (l) => runner.logs.push(l), { maxRetries: 0, httpClient: http }),
      3,
    );
    const after = dieAfterSend(before, 3);
    const services = await faultServices(azurite.connectionString, { directory, transport: after });
    setServicesForTesting(services);
    const failuresBefore = runner.host.stats().failures;
    const events = await someEvents('acsunknown');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect([before.died, http.lost, after.died]).toEqual([3, 3, 3]);
    expect(runner.host.stats().failures).toBeGreaterThan(failuresBefore);
    // Died before the send: ACS never heard of it (404), so the takeover sent it.
    expect(fake.requests.filter((r) => r.method === 'GET' && r.status === 404).length).toBeGreaterThanOrEqual(1);
    // Lost answer or died after: the takeover found it Running, took that as accepted and sent nothing.
    expect(runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(1);
    // ... without waiting for it: every operation is still Running.
    const status = new OperationStatusClient(fake.endpoint, new AzureKeyCredential(fake.accessKey), { allowInsecureConnection: true });
    const statuses = await Promise.all(fake.operationIds().map(async (id) => (await status.get(id))?.status));
    expect(new Set(statuses)).toEqual(new Set(['Running']));
    await checkRun(services, events, fake, directory);
  });
});

describe('a crash between the send and the ledger write', () => {
  it('the worker dies right after ACS accepted: the retry finds the sends done and sends nothing again', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const transport = dieAfterSend(
      acsTransport(fake, (l) => runner.logs.push(l)),
      6,
    );
    const services = await faultServices(azurite.connectionString, { directory, transport });
    setServicesForTesting(services);
    const events = await someEvents('died');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(transport.died).toBe(6);
    await checkRun(services, events, fake, directory);
    // The sends that "died" were looked up (mayHaveBeenSent), not repeated.
    expect(runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(6);
  });

  it('the ledger write never happens: claims stay fresh for the lease, then the takeover asks ACS and sends nothing again', async () => {
    const fake = await startAcs();
    const directory = await snapshotDirectory();
    const lose = loseLedgerWrites(3);
    const services = await faultServices(azurite.connectionString, {
      directory,
      transport: acsTransport(fake, (l) => runner.logs.push(l)),
      wrapLedger: lose.wrap,
    });
    setServicesForTesting(services);
    const events = await someEvents('lost', 6);
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 45_000 });

    expect(lose.lost).toBe(3);
    await checkRun(services, events, fake, directory);
    expect(
      runner.logs.some((l) => /emails held by another worker's lease; queued again .*\(busy\)/.test(l)),
      'the fresh claims made the retries wait (queued again, not failed)',
    ).toBe(true);
    expect(runner.logs.filter((l) => /had already been accepted; not sending again/.test(l)).length).toBeGreaterThanOrEqual(1);
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
      const services = await faultServices(azurite.connectionString, { directory, transport });
      setServicesForTesting(services);
      const events = await someEvents('outboxdied');
      await deliverTwice(events);
      await runner.host.waitForIdle({ timeoutMs: 45_000 });

      expect(transport.died).toBe(5);
      const expected = await expectedEmails(events, directory, services.settings);
      expectExactlyOnce(
        (await outboxFiles(dir)).map((f) => f.replace(/\.eml$/, '')),
        expected,
      );
      await expectDigestCounts(azurite.connectionString, services.activityTable, events);
      expect(await drainPoison(azurite.connectionString)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Events about the Graph test tenant (test/support/sampleTenant.ts). */
function graphEvents(prefix: string): PimEvent[] {
  const tenantId = sampleTenant().tenant.id;
  const at = '2026-11-18T10:00:00Z';
  const directory = { kind: 'directory' as const, id: '/' };
  return [
    {
      id: `${prefix}-1`,
      type: 'activationPendingApproval',
      tenantId,
      occurredAt: at,
      scope: directory,
      role: { id: ROLE.globalAdministrator },
      principal: { id: USERS.fay, type: 'user' },
      request: { justification: 'secret-justification-graph-1 incident 42' },
    },
    {
      id: `${prefix}-2`,
      type: 'activationCompleted',
      tenantId,
      occurredAt: at,
      scope: directory,
      role: { id: ROLE.globalAdministrator },
      principal: { id: USERS.eli, type: 'user' },
      assignment: { state: 'active', permanent: false, endDateTime: '2026-11-18T18:00:00Z' },
    },
    {
      id: `${prefix}-3`,
      type: 'roleAssigned',
      tenantId,
      occurredAt: at,
      scope: directory,
      role: { id: ROLE.securityAdministrator },
      principal: { id: USERS.chen, type: 'user' },
      assignment: { state: 'eligible', permanent: true },
    },
    {
      id: `${prefix}-4`,
      type: 'roleAssigned',
      tenantId,
      occurredAt: at,
      scope: { kind: 'azureResource', id: RG },
      role: { id: ROLE.owner },
      principal: { id: USERS.alain, type: 'user' },
      assignment: { state: 'eligible', permanent: false, endDateTime: '2027-02-01T00:00:00Z' },
    },
    {
      id: `${prefix}-5`,
      type: 'roleAssignedOutsidePim',
      tenantId,
      occurredAt: at,
      scope: directory,
      role: { id: ROLE.privilegedRoleAdministrator },
      principal: { id: GROUPS.approvers, type: 'group' },
      assignment: { state: 'active', permanent: true },
    },
    {
      id: `${prefix}-6`,
      type: 'activationPendingApproval',
      tenantId,
      occurredAt: at,
      scope: { kind: 'azureResource', id: `/subscriptions/${SUB}` },
      role: { id: ROLE.owner },
      principal: { id: USERS.gus, type: 'user' },
      request: { justification: 'secret-justification-graph-6' },
    },
  ];
}

describe('Graph and ARM faults', () => {
  const servers: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function graphDirectory(options: { timeouts?: number } = {}) {
    const settings = loadSettings({
      GRAPH_BASE_URL: 'https://graph.microsoft.com',
      ARM_BASE_URL: 'https://management.azure.com',
      AZURE_SUBSCRIPTION_IDS: SUB,
    });
    const graph = await new FakeGraph(sampleTenant(), { ...sampleWorld, publicBaseUrl: settings.GRAPH_BASE_URL }).start();
    const arm = await new FakeArm(sampleTenant(), { ...sampleWorld, publicBaseUrl: settings.ARM_BASE_URL }).start();
    servers.push(graph, arm);
    const routed = routedFetch({ [new URL(settings.GRAPH_BASE_URL).origin]: graph, [new URL(settings.ARM_BASE_URL).origin]: arm });
    const fetch = timingOutFetch(routed, options.timeouts ?? 0);
    return { graph, arm, fetch, directory: await createGraphDirectory(settings, { credential: fakeCredential(), fetch }) };
  }

  it('429/503 bursts from Graph (outside and inside $batch) and ARM: retried, each email delivered once', async () => {
    const fake = await startAcs();
    const faulty = await graphDirectory();
    const clean = await graphDirectory();
    faulty.graph.inject({ match: /./, status: 429, retryAfterSeconds: 0, times: 10 });
    faulty.graph.inject({ match: /./, status: 503, retryAfterSeconds: 0, times: 10, inBatch: true });
    faulty.graph.inject({
      match: /roleManagementPolicyAssignments|roleEligibilityScheduleInstances/,
      status: 503,
      retryAfterSeconds: 0,
      times: 6,
    });
    faulty.arm.inject({ match: /./, status: 503, retryAfterSeconds: 0, times: 6 });
    const services = await faultServices(azurite.connectionString, {
      directory: faulty.directory,
      transport: acsTransport(fake, (l) => runner.logs.push(l)),
    });
    setServicesForTesting(services);
    const events = graphEvents('graph429');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 60_000 });

    await checkRun(services, events, fake, clean.directory);
  });

  it('Graph requests that time out: the invocation fails, the retry finishes the job', async () => {
    const fake = await startAcs();
    const faulty = await graphDirectory({ timeouts: 15 });
    const clean = await graphDirectory();
    const services = await faultServices(azurite.connectionString, {
      directory: faulty.directory,
      transport: acsTransport(fake, (l) => runner.logs.push(l)),
    });
    setServicesForTesting(services);
    const failuresBefore = runner.host.stats().failures;
    const events = graphEvents('graphtimeout');
    await deliverTwice(events);
    await runner.host.waitForIdle({ timeoutMs: 60_000 });

    expect(faulty.fetch.timedOut).toBe(15);
    expect(runner.host.stats().failures).toBeGreaterThan(failuresBefore);
    await checkRun(services, events, fake, clean.directory);
  });
});
