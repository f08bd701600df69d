/**
 * The end-to-end figure of the requests source: PIM requests made at known times on the local
 * Graph and ARM request APIs, the compiled requestsCollector on its schedule (the default every
 * 30 seconds, a real NCRONTAB timer under the local runner), the compiled notify function on the
 * queue, and the production ACS transport against the local ACS. Measured per request: from its
 * `createdDateTime` to the last of its approvers' approval emails accepted by ACS (the 202 of
 * its message). The app polls nothing since the one delivery path, so there is no later
 * "confirmed" moment to time (until then this benchmark's sender exposed only `send`: each
 * email went on its own and was polled until Succeeded, reported as confirmedP50Ms/P95Ms).
 *
 * Also the cost: the Graph and ARM requests the collector makes per run, as requests per hour
 * at its schedule, per tenant (Graph) and per subscription (ARM). Microsoft documents its own
 * approval emails at 3–10 minutes for 90 % of customers (docs/performance.md).
 */
import { loadavg } from 'node:os';
import { QueueClient } from '@azure/storage-queue';
import { loadFunctionApp, readHostJson, startLocalHost } from '../dev/host/index.js';
import { createServices, setServicesForTesting } from '../shared/composition/services.js';
import { createAcsTransport } from '../shared/transport/acsTransport.js';
import type { Transport } from '../shared/transport/transport.js';
import { ROLE } from '../shared/directory/roleDirectory.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { loadSettings } from '../shared/settings/settings.js';
import { EVENTS_QUEUE } from '../shared/queues/queues.js';
import { fakeCredential, routedFetch } from '../test/support/fakeGraph.js';
import { FakeAcs } from '../test/support/fakeAcs.js';
import { FakeRequestsArm, FakeRequestsGraph, PimRequests } from '../test/support/fakeRequests.js';
import type { PimRequestSource } from '../shared/sources/pimRequestSource.js';
import { percentile } from './stats.js';
import { benchClock, benchWorld, generateTenant, prng } from './tenant.js';

export interface RequestsBenchOptions {
  storageConnectionString: string;
  requests: number;
  /** Requests are made at random moments over this many seconds. */
  spreadSeconds: number;
  /** The collector's schedule, every N seconds (30 is the default REQUESTS_SCHEDULE). */
  scheduleSeconds: number;
  graphLatencyMs: number;
  acsLatencyMs: number;
  log: (line: string) => void;
}

export interface RequestsBenchResult {
  /** How many requests were measured. */
  requests: number;
  endToEndP50Ms: number;
  endToEndP95Ms: number;
  endToEndMaxMs: number;
  /** The load: requests made per minute. */
  requestsPerMinute: number;
  /** The collector's share: createdDateTime → its pending-approval event on the queue. */
  queuedP50Ms: number;
  queuedP95Ms: number;
  /**
   * Confirmation's share: from the notify function's first look at a request's pending-approval
   * event to PIM's records bearing it out, waits on the queue for a record that lags included.
   */
  confirmP50Ms: number;
  confirmP95Ms: number;
  /** Pending-approval events put back on the queue to wait for PIM's records (awaitingPim). */
  awaitingPim: number;
  /** The machine's 1-minute load average at the start and the end (2 vCPUs shared with other work inflate the notify share). */
  loadAverage: [number, number];
  /** Graph requests the collector costs per hour for one tenant, at its schedule. */
  graphRequestsPerHour: number;
  /** ARM requests it costs per hour for each subscription in AZURE_SUBSCRIPTION_IDS. */
  armRequestsPerHourPerSubscription: number;
  collectorRuns: number;
  schedule: string;
  approvalEmails: number;
  subscriptions: number;
  graphLatencyMs: number;
  acsLatencyMs: number;
  /** Microsoft's documented delivery of its approval emails, for the side-by-side. */
  microsoftDocumented: string;
}

const PENDING = ':activationPendingApproval';

export async function runRequestsBench(options: RequestsBenchOptions): Promise<RequestsBenchResult> {
  const { log } = options;
  const tenant = generateTenant({ users: 500, roleHolders: 60 });
  const pim = new PimRequests();
  const graph = await new FakeRequestsGraph(tenant.data, pim, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const arm = await new FakeRequestsArm(tenant.data, pim, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const acs = await FakeAcs.start({ latencyMs: options.acsLatencyMs });
  const schedule = `*/${options.scheduleSeconds} * * * * *`;
  const suffix = Date.now().toString(36);
  const settings = loadSettings({
    AzureWebJobsStorage: options.storageConnectionString,
    DIRECTORY_SOURCE: 'graph',
    EMAIL_TRANSPORT: 'acs',
    ACS_CONNECTION_STRING: acs.connectionString(),
    AZURE_SUBSCRIPTION_IDS: tenant.subscriptionIds.join(';'),
    ACTIVITY_TABLE: `BenchReqActivity${suffix}`,
    DELIVERY_TABLE: `BenchReqDeliveries${suffix}`,
    // Throughput of every email: the rate limit (docs/rate-limit.md) would hold most of a synthetic flood back.
    RECIPIENT_RATE_LIMIT: '0',
    SOURCES_TABLE: `BenchReqSources${suffix}`,
    REQUESTS_SCHEDULE: schedule,
  });

  // Per request: when ACS accepted (202) the last of its approval emails.
  const acceptedAt = new Map<string, number>();
  let approvalEmails = 0;
  const acsTransport = createAcsTransport(settings, { clientOptions: { allowInsecureConnection: true } });
  const transport: Transport = {
    maxRecipients: acsTransport.maxRecipients,
    accept: async (message, acceptOptions) => {
      const result = await acsTransport.accept(message, acceptOptions);
      const requestId = requestOf(message.headers?.['X-PIM-Event-Id']);
      if (requestId) {
        approvalEmails += message.to.length + message.bcc.length;
        acceptedAt.set(requestId, Math.max(acceptedAt.get(requestId) ?? 0, Date.now()));
      }
      return result;
    },
  };
  const services = await createServices(settings, {
    clock: benchClock,
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
    transport,
  });
  // The collector's own requests, as its source counts them: its Graph lists share $batch requests (one
  // HTTP request for up to 20 lists), which the local Graph records as $batch, not by the lists inside.
  const source = (await services.sources.requestSource()) as Partial<Pick<PimRequestSource, 'graphRequestCount' | 'armRequestCount'>>;
  const collectorRequests = () => ({ graph: source.graphRequestCount ?? 0, arm: source.armRequestCount ?? 0 });
  // When each request's pending-approval event reached the queue (the collector's share of the figure).
  const queuedAt = new Map<string, number>();
  const events = services.events;
  services.events = {
    send: async (event) => {
      await events.send(event);
      const requestId = requestOf(event.id);
      if (requestId) queuedAt.set(requestId, Date.now());
    },
    later: (eventText, delayMs) => events.later(eventText, delayMs),
  };
  // When the notify function first asked PIM's records about each request's event, and when they bore it out.
  const confirmStarted = new Map<string, number>();
  const confirmedAt = new Map<string, number>();
  let awaitingPim = 0;
  const confirmer = services.confirmer;
  services.confirmer = {
    confirm: async (event) => {
      const requestId = requestOf(event.id);
      if (requestId && !confirmStarted.has(requestId)) confirmStarted.set(requestId, Date.now());
      const result = await confirmer.confirm(event);
      if (requestId && result.kind === 'notYet') awaitingPim++;
      if (requestId && result.kind === 'confirmed') confirmedAt.set(requestId, Date.now());
      return result;
    },
  };
  setServicesForTesting(services);
  const queue = new QueueClient(options.storageConnectionString, EVENTS_QUEUE);
  await queue.createIfNotExists();
  await queue.clearMessages();

  const functions = (
    await loadFunctionApp([fromPackageRoot('dist/functions/requestsCollector.js'), fromPackageRoot('dist/functions/notify.js')])
  ).filter((f) => ['requestsCollector', 'notify'].includes(f.name));
  let runs = 0;
  const host = await startLocalHost({
    functions,
    storageConnectionString: options.storageConnectionString,
    env: { AzureWebJobsStorage: options.storageConnectionString, REQUESTS_SCHEDULE: schedule },
    hostJson: readHostJson(fromPackageRoot('host.json')),
    timers: true,
    log: (line) => {
      if (/requests since/.test(line)) runs++;
      if (/fail|error|poison/i.test(line)) log(`  host: ${line}`);
    },
  });

  log(
    `  requests: ${options.requests} requests over ${options.spreadSeconds} s, collector ${schedule}; Graph/ARM ${options.graphLatencyMs} ms, ACS ${options.acsLatencyMs} ms`,
  );
  // Half directory roles (Global Administrator), half Azure (Owner of a subscription): both need approval.
  const rand = prng(15);
  const moments = Array.from({ length: options.requests }, () => rand() * options.spreadSeconds * 1000).sort((a, b) => a - b);
  const created = new Map<string, number>();
  const start = Date.now();
  const loadAtStart = loadavg()[0]!;
  const collectorRequestsAtStart = collectorRequests();
  const runsAtStart = runs;
  for (let i = 0; i < moments.length; i++) {
    const wait = start + moments[i]! - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `be${String(i).padStart(6, '0')}-0000-4000-8000-${suffix.padStart(12, '0').slice(-12)}`;
    const azure = i % 2 === 1;
    const sub = tenant.subscriptionIds[i % tenant.subscriptionIds.length]!;
    // Made now, in the benchmark's world; latencies are measured on the real clock (durations).
    const now = benchClock.now();
    pim.add({
      id,
      kind: azure ? 'azureResource' : 'directory',
      scope: azure ? `/subscriptions/${sub}` : '/',
      createdDateTime: now.toISOString(),
      principalId: tenant.holderIds[i % tenant.holderIds.length]!,
      roleDefinitionId: azure ? ROLE.owner : ROLE.globalAdministrator,
      justification: 'benchmark',
    });
    created.set(id, Date.now());
  }
  // Until every request's approvers are emailed (at most a schedule period and the sends after the last one).
  const deadline = Date.now() + (options.scheduleSeconds + 120) * 1000;
  while ([...created.keys()].some((id) => !acceptedAt.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await host.waitForIdle({ timeoutMs: 120_000 });
  const collectorCalls = collectorRequests();
  await host.stop();
  setServicesForTesting(undefined);
  await Promise.all([graph.stop(), arm.stop(), acs.close()]);

  const missing = [...created.keys()].filter((id) => !acceptedAt.has(id));
  if (missing.length > 0)
    throw new Error(`requests benchmark: ${missing.length} requests never reached their approvers (first: ${missing[0]})`);
  const latencies = [...created].map(([id, at]) => acceptedAt.get(id)! - at);
  const queued = [...created].map(([id, at]) => (queuedAt.get(id) ?? at) - at);
  const confirming = [...created.keys()].map((id) => (confirmedAt.get(id) ?? 0) - (confirmStarted.get(id) ?? 0));
  const measuredRuns = Math.max(1, runs - runsAtStart);
  const perRun = (n: number, n0: number) => (n - n0) / measuredRuns;
  const runsPerHour = 3600 / options.scheduleSeconds;
  return {
    requests: latencies.length,
    endToEndP50Ms: Math.round(percentile(latencies, 50)),
    endToEndP95Ms: Math.round(percentile(latencies, 95)),
    endToEndMaxMs: Math.round(Math.max(...latencies)),
    requestsPerMinute: Number(((options.requests / options.spreadSeconds) * 60).toFixed(1)),
    queuedP50Ms: Math.round(percentile(queued, 50)),
    queuedP95Ms: Math.round(percentile(queued, 95)),
    confirmP50Ms: Math.round(percentile(confirming, 50)),
    confirmP95Ms: Math.round(percentile(confirming, 95)),
    awaitingPim,
    loadAverage: [Number(loadAtStart.toFixed(1)), Number(loadavg()[0]!.toFixed(1))],
    graphRequestsPerHour: Math.round(perRun(collectorCalls.graph, collectorRequestsAtStart.graph) * runsPerHour),
    armRequestsPerHourPerSubscription: Math.round(
      (perRun(collectorCalls.arm, collectorRequestsAtStart.arm) / tenant.subscriptionIds.length) * runsPerHour,
    ),
    collectorRuns: measuredRuns,
    schedule,
    approvalEmails,
    subscriptions: tenant.subscriptionIds.length,
    graphLatencyMs: options.graphLatencyMs,
    acsLatencyMs: options.acsLatencyMs,
    microsoftDocumented: '3–10 minutes for 90 % of customers, up to 15 minutes for 1 %',
  };
}

/** The request id of an approval email's event (`req:<id>:activationPendingApproval`), else undefined. */
function requestOf(eventId: string | undefined): string | undefined {
  return eventId?.startsWith('req:') && eventId.endsWith(PENDING) ? eventId.slice('req:'.length, -PENDING.length) : undefined;
}
