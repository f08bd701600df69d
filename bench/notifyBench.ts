/**
 * The notify benchmark: the compiled notify function (dist/functions/notify.js) under the local
 * runner with host.json's concurrency, on Azurite, with the production Graph/ARM directory and
 * the production ACS transport talking to local endpoints that add realistic latency.
 *
 * An event is done when the last of its messages is accepted (ACS's 202): the app polls
 * nothing. Until the one delivery path, this benchmark's sender exposed only `send`, so its
 * events went per person, each email polled until Succeeded (what bench/sendAndPoll.ts keeps
 * for the delivery part's comparison); figures before then measured that.
 *
 * Services are built here (composition's setServicesForTesting) because the directory needs an
 * injected transport and credential; every adapter is the production one.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { QueueClient } from '@azure/storage-queue';
import type { TableClient } from '@azure/data-tables';
import {
  createGraphDirectory,
  createServices,
  setServicesForTesting,
  storageConnection,
  type Services,
} from '../shared/composition/services.js';
import { createAcsTransport } from '../shared/transport/acsTransport.js';
import type { Transport } from '../shared/transport/transport.js';
import { loadFunctionApp, readHostJson, startLocalHost } from '../dev/host/index.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { loadSettings } from '../shared/settings/settings.js';
import { TableActivityStore } from '../shared/activity/tableActivityStore.js';
import { type ActivityStore } from '../shared/activity/activityStore.js';
import { TableDeliveryLedger } from '../shared/delivery/tableDeliveryLedger.js';
import type { DeliveryRequest, FreshMessage } from '../shared/delivery/deliveryLedger.js';
import { EVENTS_QUEUE, encodeMessage } from '../shared/queues/queues.js';
import { ensureTable, tableClient } from '../shared/storage/tables.js';
import { fakeCredential, routedFetch } from '../test/support/fakeGraph.js';
import { FakeAcs } from '../test/support/fakeAcs.js';
import { FakeRequestsArm, FakeRequestsGraph, PimRequests } from '../test/support/fakeRequests.js';
import { genuineEvents } from './genuine.js';
import { generateEvents } from './events.js';
import { benchClock, benchWorld, generateTenant } from './tenant.js';
import { percentile } from './stats.js';

export interface NotifyBenchOptions {
  storageConnectionString: string;
  users: number;
  roleHolders: number;
  events: number;
  graphLatencyMs: number;
  acsLatencyMs: number;
  log: (line: string) => void;
}

export interface NotifyBenchResult {
  events: number;
  emails: number;
  emailsPerEvent: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  processingP50Ms: number;
  processingP95Ms: number;
  graphRequests: number;
  graphRequestsPerEvent: number;
  graphRequestsInBatch: number;
  graphRequestsByKind: Record<string, number>;
  /**
   * Of graphRequests, those to PIM's request APIs for confirming events (CONFIRM_WITH_PIM): list
   * reads and ARM reads by id; Graph reads by id ride in the $batch requests counted above.
   */
  confirmRequests: number;
  confirmRequestsPerEvent: number;
  /** Graph reads of one request by id inside $batch (not HTTP requests of their own). */
  confirmReadsInBatch: number;
  /** HTTP requests to ACS (sends and any status reads) per email (one email: one recipient). */
  acsRequestsPerEmail: number;
  tableOperations: number;
  tableOperationsPerEvent: number;
  tableOperationsByKind: Record<string, number>;
  tableOperationsDesignMinimumPerEvent: number;
  concurrency: { batchSize: number; newBatchThreshold: number };
  failures: number;
  users: number;
  roleHolders: number;
  graphLatencyMs: number;
  acsLatencyMs: number;
}

/** Counts every HTTP request a TableClient sends, by a short kind (insert, query, batch, ...). */
function countingPolicy(counts: Map<string, number>): PipelinePolicy {
  return {
    name: 'benchTableOperationCounter',
    sendRequest: (request, next) => {
      const url = new URL(request.url);
      const kind = url.pathname.endsWith('/$batch')
        ? 'transaction'
        : /\/Tables(\(|$)/.test(url.pathname)
          ? 'createTable'
          : request.method === 'GET'
            ? 'query'
            : request.method === 'POST'
              ? 'insert'
              : request.method.toLowerCase();
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return next(request);
    },
  };
}

/** Graph and ARM paths reduced to what they ask for (ids and queries dropped). */
function requestKind(service: string, url: string): string {
  const path = url.split('?')[0]!;
  if (service === 'arm') return `arm ${path.replace(/^.*\/providers\/microsoft\.authorization\//i, '').replace(/\/.*$/, '')}`;
  return `graph ${path.replace(/^\/v1\.0/, '').replace(/\/[0-9a-f-]{36}/gi, '/{id}')}`;
}

export async function runNotifyBench(options: NotifyBenchOptions): Promise<NotifyBenchResult> {
  const { log } = options;
  const tenant = generateTenant({ users: options.users, roleHolders: options.roleHolders });
  // Real events: each with the PIM record that confirms it (genuine.ts), on the request APIs too.
  const { events, requests } = genuineEvents(tenant, generateEvents(tenant, options.events), benchClock.now());
  const pim = new PimRequests();
  for (const r of requests) pim.add(r);
  const graph = await new FakeRequestsGraph(tenant.data, pim, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const arm = await new FakeRequestsArm(tenant.data, pim, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const acs = await FakeAcs.start({ latencyMs: options.acsLatencyMs });
  const suffix = Date.now().toString(36);
  const settings = loadSettings({
    AzureWebJobsStorage: options.storageConnectionString,
    DIRECTORY_SOURCE: 'graph',
    EMAIL_TRANSPORT: 'acs',
    ACS_CONNECTION_STRING: acs.connectionString(),
    AZURE_SUBSCRIPTION_IDS: tenant.subscriptionIds.join(';'),
    ACTIVITY_TABLE: `BenchActivity${suffix}`,
    DELIVERY_TABLE: `BenchDeliveries${suffix}`,
    // Throughput of every email: the rate limit (docs/rate-limit.md) would hold most of a synthetic flood back.
    RECIPIENT_RATE_LIMIT: '0',
  });

  const tableCounts = new Map<string, number>();
  const counted = (client: TableClient) => {
    client.pipeline.addPolicy(countingPolicy(tableCounts));
    return client;
  };
  const storage = storageConnection(settings);
  const activityClient = counted(tableClient(storage, settings.ACTIVITY_TABLE));
  const ledgerClient = counted(tableClient(storage, settings.DELIVERY_TABLE));
  await Promise.all([ensureTable(activityClient), ensureTable(ledgerClient)]);
  tableCounts.clear(); // table creation is once per process, not per event

  // Per event: when its message was put on the queue, when processing started, when its last email was accepted.
  const enqueuedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const touch = (id: string) => doneAt.set(id, Math.max(doneAt.get(id) ?? 0, performance.now()));

  const innerActivity = new TableActivityStore(activityClient);
  const activity: ActivityStore = {
    record: (event) => {
      if (!startedAt.has(event.id)) startedAt.set(event.id, performance.now());
      return innerActivity.record(event);
    },
    week: (t, w) => innerActivity.week(t, w),
  };
  // The claim: an event with no emails is done here.
  const ledger = new (class extends TableDeliveryLedger {
    override async claimFresh(eventId: string, messages: FreshMessage[], onClaimed?: (messageIds: string[]) => void): Promise<Set<string>> {
      const ours = await super.claimFresh(eventId, messages, onClaimed);
      touch(eventId);
      return ours;
    }
    override async claim(eventId: string, requests: DeliveryRequest[], leaseMs: number) {
      const claims = await super.claim(eventId, requests, leaseMs);
      touch(eventId);
      return claims;
    }
  })(ledgerClient);
  const acsTransport = createAcsTransport(settings, { clientOptions: { allowInsecureConnection: true } });
  let emails = 0;
  const emailTransport: Transport = {
    maxRecipients: acsTransport.maxRecipients,
    accept: async (message, acceptOptions) => {
      const result = await acsTransport.accept(message, acceptOptions);
      emails += message.to.length + message.bcc.length;
      const eventId = message.headers?.['X-PIM-Event-Id'];
      if (eventId) touch(eventId);
      return result;
    },
  };
  const transport = {
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
  };
  const directory = await createGraphDirectory(settings, { ...transport, clock: benchClock });
  // The production confirmer too, on the same local endpoints (the composition root builds it).
  const services: Services = {
    ...(await createServices(settings, { ...transport, clock: benchClock, directory, transport: emailTransport })),
    activity,
    ledger,
    storage,
  };
  setServicesForTesting(services);

  const functions = (await loadFunctionApp([fromPackageRoot('dist/functions/notify.js')])).filter((f) => f.name === 'notify');
  const hostJson = readHostJson(fromPackageRoot('host.json'));
  const queue = new QueueClient(options.storageConnectionString, EVENTS_QUEUE);
  await queue.createIfNotExists();
  await queue.clearMessages();
  const host = await startLocalHost({
    functions,
    storageConnectionString: options.storageConnectionString,
    env: { AzureWebJobsStorage: options.storageConnectionString },
    hostJson,
    timers: false,
    log: (line) => {
      if (/fail|error|poison/i.test(line)) log(`  host: ${line}`);
    },
  });

  log(
    `  notify: ${events.length} events, ${options.users} users, ${tenant.holderIds.length} role holders; Graph/ARM ${options.graphLatencyMs} ms, ACS ${options.acsLatencyMs} ms`,
  );
  const t0 = performance.now();
  // Enqueued as fast as Azurite takes them: a burst, as after an outage or a bulk change.
  const messages = events.map((e) => ({ id: e.id, text: encodeMessage(e) }));
  const ENQUEUE_CONCURRENCY = 32;
  await Promise.all(
    Array.from({ length: ENQUEUE_CONCURRENCY }, async (_, w) => {
      for (let i = w; i < messages.length; i += ENQUEUE_CONCURRENCY) {
        const m = messages[i]!;
        enqueuedAt.set(m.id, performance.now());
        await queue.sendMessage(m.text);
      }
    }),
  );
  await host.waitForIdle({ timeoutMs: 30 * 60_000 });
  const stats = host.stats();
  await host.stop();
  setServicesForTesting(undefined);

  const ids = events.map((e) => e.id);
  const missing = ids.filter((id) => !doneAt.has(id));
  if (missing.length > 0) throw new Error(`notify benchmark: ${missing.length} events never finished (first: ${missing[0]})`);
  const last = Math.max(...ids.map((id) => doneAt.get(id)!));
  const seconds = (last - t0) / 1000;
  const latencies = ids.map((id) => doneAt.get(id)! - enqueuedAt.get(id)!);
  const processing = ids.map((id) => doneAt.get(id)! - startedAt.get(id)!);

  const graphByKind: Record<string, number> = {};
  for (const [service, server] of [
    ['graph', graph],
    ['arm', arm],
  ] as const) {
    for (const r of server.requests.filter((q) => !q.inBatch)) {
      const kind = requestKind(service, r.url);
      graphByKind[kind] = (graphByKind[kind] ?? 0) + 1;
    }
  }
  const graphRequests = graph.count(undefined, false) + arm.count(undefined, false);
  const confirmRequests = graph.count(/ScheduleRequests/, false) + arm.count(/ScheduleRequests/, false);
  const confirmReadsInBatch = graph.count(/ScheduleRequests\//, true);
  const tableOperations = [...tableCounts.values()].reduce((a, b) => a + b, 0);
  const acsRequests = acs.requests.length;
  await Promise.all([graph.stop(), arm.stop(), acs.close()]);

  const round = (n: number, d = 2) => Number(n.toFixed(d));
  return {
    events: events.length,
    emails,
    emailsPerEvent: round(emails / events.length),
    seconds: round(seconds, 3),
    eventsPerSecond: round(events.length / seconds),
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    processingP50Ms: Math.round(percentile(processing, 50)),
    processingP95Ms: Math.round(percentile(processing, 95)),
    graphRequests,
    graphRequestsPerEvent: round(graphRequests / events.length, 4),
    graphRequestsInBatch: graph.count(undefined, true),
    graphRequestsByKind: Object.fromEntries(Object.entries(graphByKind).sort((a, b) => b[1] - a[1])),
    confirmRequests,
    confirmRequestsPerEvent: round(confirmRequests / events.length, 4),
    confirmReadsInBatch,
    acsRequestsPerEmail: round(acsRequests / Math.max(1, emails)),
    tableOperations,
    tableOperationsPerEvent: round(tableOperations / events.length, 3),
    tableOperationsByKind: Object.fromEntries(tableCounts),
    tableOperationsDesignMinimumPerEvent: 4,
    concurrency: { batchSize: hostJson.queues.batchSize, newBatchThreshold: hostJson.queues.newBatchThreshold },
    failures: stats.failures,
    users: options.users,
    roleHolders: tenant.holderIds.length,
    graphLatencyMs: options.graphLatencyMs,
    acsLatencyMs: options.acsLatencyMs,
  };
}
