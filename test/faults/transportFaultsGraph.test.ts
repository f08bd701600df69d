/**
 * Graph/ARM faults, on the local runner with GraphDirectory on the local Graph/ARM, the
 * production adapters and every message delivered twice (test/faults/transportFaultsRun.ts):
 * 429/503 bursts (outer and inside $batch) and timeouts. After each: every planned email
 * delivered exactly once, exact digest counts, an empty poison queue, no address or
 * justification in any log line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGraphDirectory, setServicesForTesting } from '../../shared/composition/services.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { sampleWorld } from '../support/clock.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeGraph, fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { acsTransport, faultServices, timingOutFetch } from '../support/faultsServices.js';
import { GROUPS, RG, SUB, USERS, sampleTenant } from '../support/sampleTenant.js';
import { transportFaultsRun } from './transportFaultsRun.js';

const run = transportFaultsRun();
const { startAcs, deliverTwice, checkRun } = run;

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
    const services = await faultServices(run.azurite.connectionString, {
      directory: faulty.directory,
      transport: acsTransport(fake, (l) => run.runner.logs.push(l)),
    });
    setServicesForTesting(services);
    const events = graphEvents('graph429');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 60_000 });

    await checkRun(services, events, fake, clean.directory);
  });

  it('Graph requests that time out: the invocation fails, the retry finishes the job', async () => {
    const fake = await startAcs();
    const faulty = await graphDirectory({ timeouts: 15 });
    const clean = await graphDirectory();
    const services = await faultServices(run.azurite.connectionString, {
      directory: faulty.directory,
      transport: acsTransport(fake, (l) => run.runner.logs.push(l)),
    });
    setServicesForTesting(services);
    const failuresBefore = run.runner.host.stats().failures;
    const events = graphEvents('graphtimeout');
    await deliverTwice(events);
    await run.runner.host.waitForIdle({ timeoutMs: 60_000 });

    expect(faulty.fetch.timedOut).toBe(15);
    expect(run.runner.host.stats().failures).toBeGreaterThan(failuresBefore);
    await checkRun(services, events, fake, clean.directory);
  });
});
