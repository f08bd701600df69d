/**
 * notify without a permission its directory reads need: the local Graph/ARM answer 403 for
 * one kind of call (Authorization_RequestDenied / AuthorizationFailed, as the real services
 * do), the notify function runs on the local runner (the host's retry and poison semantics)
 * with the production Graph directory and ACS transport. The permission is logged once per
 * process, naming it and the call, however many messages hit it; no valid event is poisoned;
 * once the permission is granted every waiting event is delivered, each email once. An event
 * that has waited MISSING_PERMISSION_WAIT_HOURS goes to the poison queue with the reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphDirectory, createServices, setServicesForTesting, type Services } from '../../shared/composition/services.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { forgetReportedPermissions } from '../../shared/permissions/missing.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { FakeAcs } from '../support/fakeAcs.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeGraph, fakeCredential, routedFetch } from '../support/fakeGraph.js';
import {
  clearQueues,
  decodeStored,
  drainPoison,
  enqueueStored,
  startOwnAzurite,
  startRunner,
  waitFor,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';
import { acsTransport } from '../support/faultsServices.js';
import { uniqueTableName } from '../support/storage.js';
import { RG, SUB, USERS, sampleTenant } from '../support/sampleTenant.js';
import { sampleWorld } from '../support/clock.js';

const GRAPH = 'https://graph.microsoft.com';
const ARM = 'https://management.azure.com';
let azurite: OwnAzurite;
let runner: Runner;
let graph: FakeGraph;
let arm: FakeArm;
let acs: FakeAcs;
let services: Services;

beforeAll(async () => {
  azurite = await startOwnAzurite();
  runner = await startRunner(azurite.connectionString, { visibilityTimeoutMs: 200 });
  graph = await new FakeGraph(sampleTenant(), { ...sampleWorld, publicBaseUrl: GRAPH }).start();
  arm = await new FakeArm(sampleTenant(), { ...sampleWorld, publicBaseUrl: ARM }).start();
});

afterEach(async () => {
  graph.clearFaults();
  arm.clearFaults();
  await runner.host.waitForIdle({ timeoutMs: 30_000 }).catch(() => {});
  await clearQueues(azurite.connectionString);
  setServicesForTesting(undefined);
  forgetReportedPermissions();
  runner.logs.length = 0;
  await acs?.close();
});

afterAll(async () => {
  await runner?.host.stop();
  await Promise.all([graph?.stop(), arm?.stop()]);
  await azurite?.dispose();
});

/** The production Graph/ARM directory and ACS transport on the local endpoints; events wait 1 s between looks. */
async function useServices(env: Record<string, string> = {}): Promise<Services> {
  acs = await FakeAcs.start({ pollsUntilDone: 1 });
  const settings = loadSettings({
    AzureWebJobsStorage: azurite.connectionString,
    ACTIVITY_TABLE: uniqueTableName('PermAct'),
    DELIVERY_TABLE: uniqueTableName('PermLed'),
    DIRECTORY_SOURCE: 'graph',
    GRAPH_BASE_URL: GRAPH,
    ARM_BASE_URL: ARM,
    AZURE_SUBSCRIPTION_IDS: SUB,
    // A fresh look every second instead of 15 minutes; no directory cache between looks.
    MISSING_PERMISSION_RETRY_SECONDS: '1',
    DIRECTORY_CACHE_TTL_SECONDS: '0',
    // Directory reads are what this file refuses; confirmation's own wait is in test/trust.
    CONFIRM_WITH_PIM: 'false',
    RECIPIENT_RATE_TABLE: uniqueTableName('PermRate'),
    ...env,
  });
  services = await createServices(settings, {
    credential: fakeCredential(),
    fetch: routedFetch({ [GRAPH]: graph, [ARM]: arm }),
    transport: acsTransport(acs, (l) => runner.logs.push(l)),
  });
  setServicesForTesting(services);
  return services;
}

function events(prefix: string, occurredAt = new Date().toISOString()): PimEvent[] {
  const tenantId = sampleTenant().tenant.id;
  const directory = { kind: 'directory' as const, id: '/' };
  return [
    {
      id: `${prefix}-1`,
      type: 'activationPendingApproval',
      tenantId,
      occurredAt,
      scope: directory,
      role: { id: ROLE.globalAdministrator },
      principal: { id: USERS.fay, type: 'user' },
      request: { justification: 'incident 42' },
    },
    {
      id: `${prefix}-2`,
      type: 'activationCompleted',
      tenantId,
      occurredAt,
      scope: directory,
      role: { id: ROLE.globalAdministrator },
      principal: { id: USERS.eli, type: 'user' },
      assignment: { state: 'active', permanent: false, endDateTime: '2026-11-18T18:00:00Z' },
    },
    {
      id: `${prefix}-3`,
      type: 'roleAssigned',
      tenantId,
      occurredAt,
      scope: directory,
      role: { id: ROLE.securityAdministrator },
      principal: { id: USERS.chen, type: 'user' },
      assignment: { state: 'eligible', permanent: true },
    },
  ];
}

const armEvent = (id: string): PimEvent => ({
  id,
  type: 'roleAssigned',
  tenantId: sampleTenant().tenant.id,
  occurredAt: new Date().toISOString(),
  scope: { kind: 'azureResource', id: RG },
  role: { id: ROLE.owner },
  principal: { id: USERS.alain, type: 'user' },
  assignment: { state: 'eligible', permanent: false, endDateTime: '2027-02-01T00:00:00Z' },
});

const waits = () => runner.logs.filter((l) => /a directory read lacks a permission .*queued again/.test(l)).length;
const naming = (permission: string) => runner.logs.filter((l) => l.includes(permission));

/** Each email the plan (with every permission) calls for, delivered by the local ACS exactly once. */
async function expectDeliveredOnce(sent: PimEvent[]): Promise<void> {
  const directory = await createGraphDirectory(services.settings, {
    credential: fakeCredential(),
    fetch: routedFetch({ [GRAPH]: graph, [ARM]: arm }),
  });
  const wanted: string[] = [];
  for (const e of sent)
    for (const p of (await planNotifications(e, directory, services.settings)).emails)
      wanted.push(`${e.id} → ${p.email.to.address.toLowerCase()}`);
  const delivered = acs.deliveries.flatMap((d) =>
    [...(d.message.recipients.to ?? []), ...(d.message.recipients.bcc ?? [])].map(
      (r) => `${d.message.headers?.['X-PIM-Event-Id'] ?? '?'} → ${r.address.toLowerCase()}`,
    ),
  );
  expect(wanted.length).toBeGreaterThan(sent.length);
  expect(delivered.sort()).toEqual(wanted.sort());
}

describe('notify with a permission missing', () => {
  it('Graph: one line naming the permission and the call across messages; the events wait, then are delivered once when granted', async () => {
    await useServices();
    // User.Read.All refused: every user lookup (each with its own id in the path) gets 403, in $batch or not.
    graph.inject({ match: /^\/v1\.0\/users/, status: 403, times: 100_000 });
    graph.inject({ match: /^\/v1\.0\/users/, status: 403, times: 100_000, inBatch: true });
    const sent = events('perm-graph');
    await enqueueStored(
      azurite.connectionString,
      [...sent, ...sent].map((e) => encodeMessage(e)),
    );
    // Every message looked at, and put back, several times.
    await waitFor(() => waits() >= 3 * sent.length, 30_000, 'each event waiting for the permission more than once');

    expect(acs.deliveries, 'nothing sent while the recipients cannot be read').toEqual([]);
    const lines = naming('User.Read.All');
    expect(lines, 'the permission is logged once per process, not per message').toHaveLength(1);
    expect(lines[0]).toMatch(
      /missing permission: Microsoft Graph GET \/users.* failed with 403 Authorization_RequestDenied: grant .*User\.Read\.All/,
    );
    expect(lines[0]).toMatch(/wait on the queue, looked at again every 1 s for up to 24 h/);
    expect(runner.host.stats().failures, 'waiting uses up no try').toBe(0);
    expect(await drainPoison(azurite.connectionString)).toEqual([]);

    graph.clearFaults();
    await runner.host.waitForIdle({ timeoutMs: 30_000 });
    await expectDeliveredOnce(sent);
    expect(await drainPoison(azurite.connectionString)).toEqual([]);
    expect(runner.host.stats().poisoned).toBe(0);
  }, 90_000);

  it('ARM: the Reader role on the subscription named once; the Azure-role event waits, the directory events go out', async () => {
    await useServices();
    arm.inject({ match: /./, status: 403, times: 100_000 });
    const waiting = [armEvent('perm-arm-1'), armEvent('perm-arm-2')];
    const directoryEvents = events('perm-arm-dir');
    await enqueueStored(
      azurite.connectionString,
      [...waiting, ...directoryEvents].map((e) => encodeMessage(e)),
    );
    await waitFor(() => waits() >= 2 * waiting.length, 30_000, 'the Azure-role events waiting');

    const reported = runner.logs.filter((l) => /missing permission: Azure Resource Manager GET/.test(l));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(new RegExp(`GET /subscriptions/${SUB}/.* failed with 403 AuthorizationFailed: .*Reader role`));
    // What needs no ARM read is not held up.
    await waitFor(() => acs.deliveries.length > 0, 30_000, 'the directory events delivered');
    expect(await drainPoison(azurite.connectionString)).toEqual([]);

    arm.clearFaults();
    await runner.host.waitForIdle({ timeoutMs: 30_000 });
    await expectDeliveredOnce([...waiting, ...directoryEvents]);
    expect(runner.host.stats().poisoned).toBe(0);
  }, 90_000);

  it('an event that has waited MISSING_PERMISSION_WAIT_HOURS goes to the poison queue with the reason, once', async () => {
    await useServices({ MISSING_PERMISSION_WAIT_HOURS: '1' });
    graph.inject({ match: /^\/v1\.0\/users/, status: 403, times: 100_000 });
    graph.inject({ match: /^\/v1\.0\/users/, status: 403, times: 100_000, inBatch: true });
    const old = events('perm-old', new Date(Date.now() - 2 * 3_600_000).toISOString()).slice(0, 1);
    await enqueueStored(
      azurite.connectionString,
      old.map((e) => encodeMessage(e)),
    );
    await waitFor(async () => (await drainPoisonInto(poisoned)) > 0, 30_000, 'the event in the poison queue');

    expect(poisoned).toHaveLength(1);
    const record = JSON.parse(decodeStored(poisoned[0]!)) as {
      poison: { reason: string; eventId: string; dequeueCount: number };
      messageText: string;
    };
    expect(record.poison).toMatchObject({ eventId: old[0]!.id, dequeueCount: 1 });
    expect(record.poison.reason).toMatch(
      /waited 1 h \(MISSING_PERMISSION_WAIT_HOURS\) for a directory read that is refused: .*User\.Read\.All.*pim-notify redrive/,
    );
    expect(JSON.parse(record.messageText)).toEqual(old[0]);
    expect(acs.deliveries).toEqual([]);
  }, 60_000);
});

const poisoned: string[] = [];
async function drainPoisonInto(into: string[]): Promise<number> {
  into.push(...(await drainPoison(azurite.connectionString)));
  return into.length;
}
