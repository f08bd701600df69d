/**
 * The delivery benchmark (issue 14): the same bench tenant and events sent two ways in one run,
 * against the local ACS in its real-service model (operations Running for 2 s, retry-after 2 s,
 * per-recipient delivery reports put on an Azurite queue as Event Grid would):
 *   - `sequential`: the former per-person sending, kept for the comparison: one ACS send per
 *     email, polled until Succeeded, email after email (bench/sendAndPoll.ts: what deliverOnce +
 *     AcsEmailSender.send did before the one delivery path). It takes seconds per email, so it
 *     runs on the first `sequentialEvents` events only;
 *   - `grouped`: the production path: identical emails as one message (≤ 50 in Bcc), sent
 *     concurrently, done at 202; every report then recorded by the real use case from the queue.
 * Plus, through the grouped path: events of 1, 10, 100 and 1,000 recipients through the whole
 * notify use case (roles of that many recipients, bench/fanOut.ts), sizes interleaved at the
 * same concurrency, for `processingByRecipients`; one event with 1,000 recipients handed
 * straight to deliver() (`largeEventSeconds`); and the weekly digest of the events' week
 * (sendLastWeeksDigest, each admin their own message) on a local ACS of its own, through the
 * production transport (`digest`) and, for the comparison, through the send-and-poll baseline
 * (`digest.sendAndPoll`): ACS requests and status reads per digest recipient (bench/digestDelivery.ts).
 *
 * Events run through the notify use case in-process, 16 at a time (host.json's batchSize), on
 * production adapters: Graph/ARM directory on local endpoints, ledger and queues on Azurite.
 * Quotas are off while measuring (they would only add waiting); events per hour before
 * throttling are computed from the measured requests per event and ACS's default quotas.
 *
 * "Processing" is one notifyEvent call, timed around it: parse, plan (directory, rendering),
 * event registry, activity row, ledger claim, every message's 202, the ledger's `accepted`
 * write. Not in it: time on the queue before the dequeue, and delivery reports (later, apart).
 */
import { QueueClient } from '@azure/storage-queue';
import { loadavg } from 'node:os';
import { createGraphDirectory, createServices, type Services } from '../shared/composition/services.js';
import { createAcsTransport } from '../shared/transport/acsTransport.js';
import { createPacers } from '../shared/transport/acs/pacer.js';
import type { Transport } from '../shared/transport/transport.js';
import { loadSettings, type Settings } from '../shared/settings/settings.js';
import { deliveryOperationId, recipientKey } from '../shared/delivery/deliveryLedger.js';
import { decodeMessage } from '../shared/queues/queueMessage.js';
import { notifyEvent } from '../shared/usecases/notify.js';
import { recordDeliveryReport } from '../shared/usecases/deliveryReports.js';
import { deliver } from '../shared/delivery/deliver.js';
import { FakeGraph, fakeCredential, routedFetch } from '../test/support/fakeGraph.js';
import { FakeArm } from '../test/support/fakeArm.js';
import { CUSTOM_DOMAIN_QUOTAS, FakeAcs, MANAGED_DOMAIN_QUOTAS, REAL_ACS_MODEL, type DeliveryReportEvent } from '../test/support/fakeAcs.js';
import { LOCAL_ACS_RESOURCE_ID, reportQueueMessage } from '../test/support/fakeAcsReports.js';
import type { PimEvent } from '../shared/events/schema.js';
import { generateEvents } from './events.js';
import { benchClock, benchWorld, generateTenant } from './tenant.js';
import { fanOutEvents, withFanOutRoles } from './fanOut.js';
import { SendAndPollTransport } from './sendAndPoll.js';
import { percentile } from './stats.js';
import { deliveryCounts, lostAndDuplicates, perHour } from './deliveryCounts.js';
import { measureWeeklyDigest, type DigestDeliveryResult } from './digestDelivery.js';

export interface DeliveryBenchOptions {
  storageConnectionString: string;
  users: number;
  roleHolders: number;
  events: number;
  sequentialEvents: number;
  largeEventRecipients: number;
  /** Events of each size of FAN_OUT_SIZES for processingByRecipients (the 1,000 one: a quarter of it, at least 2). */
  fanOutEvents: number;
  graphLatencyMs: number;
  acsLatencyMs: number;
  /** The local ACS's timing (default: the real service's, REAL_ACS_MODEL; --quick shortens it). */
  model?: { runningMs: number; pollRetryAfterSeconds: number };
  log: (line: string) => void;
}

export interface DeliveryModeResult {
  events: number;
  recipients: number;
  acsMessages: number;
  acsRequests: number;
  acsStatusReads: number;
  acsRequestsPerRecipient: number;
  processingP50Ms: number;
  processingP95Ms: number;
  eventsPerHourCustomDomain: number;
  eventsPerHourManagedDomain: number;
  /** Recipients planned but never delivered, or delivered more than once (extra deliveries). */
  lost: number;
  duplicates: number;
  /** Rows holding a Delivered report (grouped mode: its events and the large event). */
  outcomesRecorded?: number;
}

export interface DeliveryBenchResult {
  /** The figures of the production (grouped) path, as the issue names them. */
  acsRequestsPerRecipient: number;
  /** The weekly digest through the production transport: ACS requests, and of them status reads, per digest recipient. */
  digestAcsRequestsPerRecipient: number;
  digestAcsStatusReadsPerRecipient: number;
  processingP95Ms: number;
  largeEventSeconds: number;
  eventsPerHourCustomDomain: number;
  eventsPerHourManagedDomain: number;
  lost: number;
  duplicates: number;
  grouped: DeliveryModeResult;
  sequential: DeliveryModeResult;
  /** The sequential mode's 1,000-recipient event, extrapolated from its measured seconds per email (not run: it would outlast the function timeout). */
  sequentialLargeEventSecondsEstimate: number;
  largeEvent: { recipients: number; messages: number; seconds: number; lost: number; duplicates: number };
  /** The weekly digest through the production transport, and through the send-and-poll baseline (`sendAndPoll`, one email after another). */
  digest: DigestDeliveryResult & { sendAndPoll: DigestDeliveryResult };
  /** Events of N recipients through the whole use case, sizes interleaved, 16 at a time: processing p50/p95 per size. */
  processingByRecipients: Record<string, { events: number; messagesPerEvent: number; p50Ms: number; p95Ms: number }>;
  /** The machine's 1-minute load average at the start and end of the grouped runs (2 vCPUs: above 2, something else shares them). */
  loadAverage: [number, number];
  model: { runningMs: number; pollRetryAfterSeconds: number; acsLatencyMs: number; concurrentEvents: number; sendConcurrency: number };
}

const CONCURRENT_EVENTS = 16;
export const FAN_OUT_SIZES = [1, 10, 100, 1000] as const;

/** Each event's processing time, in the order of `events`. */
async function runEvents(events: PimEvent[], services: Services, log: (line: string) => void): Promise<number[]> {
  const times: number[] = new Array<number>(events.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT_EVENTS }, async () => {
      for (let i = next++; i < events.length; i = next++) {
        const e = events[i]!;
        const t0 = performance.now();
        const outcome = await notifyEvent(e, { ...services, log: (level, m) => level === 'error' && log(`  ${m}`) });
        if (outcome.kind !== 'done') throw new Error(`delivery benchmark: event ${e.id} was ${outcome.kind}`);
        times[i] = performance.now() - t0;
      }
    }),
  );
  return times;
}

export async function runDeliveryBench(options: DeliveryBenchOptions): Promise<DeliveryBenchResult> {
  const { log } = options;
  const tenant = withFanOutRoles(generateTenant({ users: options.users, roleHolders: options.roleHolders }), FAN_OUT_SIZES);
  const events = generateEvents(tenant, options.events, { prefix: 'deliv' });
  const fanOut = fanOutEvents(
    tenant,
    FAN_OUT_SIZES,
    (n) => (n >= 1000 ? Math.max(2, Math.round(options.fanOutEvents / 4)) : options.fanOutEvents),
    'fanout',
  );
  const graph = await new FakeGraph(tenant.data, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const arm = await new FakeArm(tenant.data, { ...benchWorld, latencyMs: options.graphLatencyMs }).start();
  const suffix = Date.now().toString(36);
  const reportsQueue = new QueueClient(options.storageConnectionString, `bench-reports-${suffix}`);
  await reportsQueue.create();

  const settingsFor = (acs: FakeAcs, table: string, more: Record<string, string> = {}): Settings =>
    loadSettings({
      AzureWebJobsStorage: options.storageConnectionString,
      DIRECTORY_SOURCE: 'graph',
      EMAIL_TRANSPORT: 'acs',
      ACS_CONNECTION_STRING: acs.connectionString(),
      AZURE_SUBSCRIPTION_IDS: tenant.subscriptionIds.join(';'),
      ACTIVITY_TABLE: `BenchDelivAct${table}${suffix}`,
      DELIVERY_TABLE: `BenchDeliv${table}${suffix}`,
      // Throughput of every email: the rate limit (docs/rate-limit.md) would hold most of a synthetic flood back.
      RECIPIENT_RATE_LIMIT: '0',
      // Delivery only: its events have no PIM records; confirming them is the notify part's figure.
      CONFIRM_WITH_PIM: 'false',
      ...more,
    });
  const model = options.model ?? REAL_ACS_MODEL;
  // Sequential, the former way: per person, each send polled to the end (the SDK's interval
  // follows retry-after), an event's emails one after another (concurrency 1).
  const seqAcs = await FakeAcs.start({ ...model, latencyMs: options.acsLatencyMs });
  const sequentially = { EMAIL_SEND_CONCURRENCY: '1' };
  const seqSettings = settingsFor(seqAcs, 'Seq', sequentially);
  const directory = await createGraphDirectory(seqSettings, {
    clock: benchClock,
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
  });
  const clientOptions = { allowInsecureConnection: true };
  const sendAndPoll = (server: FakeAcs): Transport =>
    new SendAndPollTransport(server.connectionString(), {
      clientOptions,
      pollIntervalMs: Math.max(100, model.pollRetryAfterSeconds * 1000),
    });

  const seqServices = await createServices(seqSettings, { clock: benchClock, directory, transport: sendAndPoll(seqAcs) });
  const seqEvents = events.slice(0, options.sequentialEvents);
  log(
    `  delivery: sequential per-person sending, ${seqEvents.length} events (ACS Running ${model.runningMs} ms, retry-after ${model.pollRetryAfterSeconds} s)`,
  );
  const seqTimes = await runEvents(seqEvents, seqServices, log);

  // Grouped: the production path, with delivery reports onto the queue.
  const reportEvents: DeliveryReportEvent[] = [];
  const acs = await FakeAcs.start({
    ...model,
    latencyMs: options.acsLatencyMs,
    // Kept until the timed runs are over, then put on the queue as Event Grid would: in Azure that
    // is Event Grid's work, on its machines, into a storage account that takes thousands of
    // writes a second; here it would be this process and the same Azurite, mid-measurement.
    reports: { sink: (e) => void reportEvents.push(e), delayMs: 500 },
    // Reports carry ACS's time, which the app bounds by its own clock (reportEvidence.ts): one clock for both.
    now: () => benchClock.now().getTime(),
  });
  const settings = settingsFor(acs, 'Grp', { ACS_RESOURCE_ID: LOCAL_ACS_RESOURCE_ID });
  const transport = createAcsTransport(settings, { clientOptions, pacers: createPacers() });
  const services = await createServices(settings, { clock: benchClock, directory, transport });
  log(`  delivery: grouped sending, ${events.length} events`);
  const loadBefore = loadavg()[0]!;
  const times = await runEvents(events, services, log);
  const mainPosts = acs.count('POST', '/emails:send');
  const mainReads = acs.count('GET', '/emails/operations');

  // Events of 1, 10, 100 and 1,000 recipients, interleaved, through the same use case.
  log(`  delivery: ${fanOut.length} events of ${FAN_OUT_SIZES.join(', ')} recipients`);
  const fanOutTimes = await runEvents(
    fanOut.map((f) => f.event),
    services,
    log,
  );
  const fanOutPosts = acs.count('POST', '/emails:send') - mainPosts;
  const loadAfter = loadavg()[0]!;
  const messagesOf = new Map<string, number>();
  for (const d of acs.deliveries) {
    const id = d.message.headers?.['X-PIM-Event-Id'] ?? '?';
    messagesOf.set(id, (messagesOf.get(id) ?? 0) + 1);
  }
  const processingByRecipients = Object.fromEntries(
    FAN_OUT_SIZES.map((size) => {
      const of = fanOut.flatMap((f, i) => (f.recipients === size ? [{ id: f.event.id, ms: fanOutTimes[i]! }] : []));
      const ts = of.map((o) => o.ms);
      const messagesPerEvent = Number((of.reduce((a, o) => a + (messagesOf.get(o.id) ?? 0), 0) / Math.max(1, of.length)).toFixed(1));
      return [
        String(size),
        { events: of.length, messagesPerEvent, p50Ms: Math.round(percentile(ts, 50)), p95Ms: Math.round(percentile(ts, 95)) },
      ];
    }),
  );

  // The 1,000-recipient event, grouped: admins reached three ways (three reason lines).
  const large = Array.from({ length: options.largeEventRecipients }, (_, i) => `admin${i}@bench.example`);
  const largeItems = large.map((address, i) => ({
    key: recipientKey(address),
    operationId: deliveryOperationId('large-event', address),
    notification: 'activationCompleted',
    email: {
      notification: 'activationCompleted',
      subject: 'PIM: a role was activated',
      html: `<p>You received this email as ${['a Global Administrator', 'a Privileged Role Administrator', 'an approver'][i % 3]}.</p>`,
      text: `You received this email as ${['a Global Administrator', 'a Privileged Role Administrator', 'an approver'][i % 3]}.`,
      from: { address: settings.EMAIL_SENDER_ADDRESS },
      to: { address },
      headers: { 'X-PIM-Event-Id': 'large-event' },
    },
  }));
  const postsBefore = acs.count('POST', '/emails:send');
  const tLarge = performance.now();
  await deliver('large-event', largeItems, {
    transport,
    ledger: services.ledger,
    leaseMs: 300_000,
    concurrency: settings.EMAIL_SEND_CONCURRENCY,
    personal: false,
    log: () => {},
  });
  const largeEventSeconds = (performance.now() - tLarge) / 1000;
  const largeMessages = acs.count('POST', '/emails:send') - postsBefore;

  // The weekly digest of the events' week, each way on a local ACS of its own: the production
  // transport, then the send-and-poll baseline (bench/digestDelivery.ts).
  const { digest, servers: digestServers } = await measureWeeklyDigest({
    directory,
    activity: services.activity,
    acs: { ...model, latencyMs: options.acsLatencyMs },
    production: {
      ledger: services.ledger,
      settings: (server) => settingsFor(server, 'Grp'),
      transport: (_server, digestSettings) => createAcsTransport(digestSettings, { clientOptions, pacers: createPacers() }),
    },
    baseline: { ledger: seqServices.ledger, settings: (server) => settingsFor(server, 'Seq', sequentially), transport: sendAndPoll },
    log,
  });

  // Drain the reports queue through the real use case, as the deliveryReports function would.
  await acs.reportsSettled();
  // A few hundred on the queue at a time, as Event Grid's stream would be: Azurite's queue
  // slows down with every message it holds (~3 reports/s at 15,000 queued, here).
  let reports = 0;
  for (let i = 0; i < reportEvents.length; i += 256) {
    await Promise.all(reportEvents.slice(i, i + 256).map((e) => reportsQueue.sendMessage(reportQueueMessage(e))));
    for (;;) {
      const batch = await reportsQueue.receiveMessages({ numberOfMessages: 32 });
      if (batch.receivedMessageItems.length === 0) break;
      await Promise.all(
        batch.receivedMessageItems.map(async (m) => {
          const outcome = await recordDeliveryReport(decodeMessage(m.messageText) ?? '', { ...services, settings, log: () => {} });
          if (outcome.kind === 'invalid') throw outcome.error;
          reports++;
          await reportsQueue.deleteMessage(m.messageId, m.popReceipt);
        }),
      );
    }
  }
  let outcomesRecorded = 0;
  for (const e of [...events, ...fanOut.map((f) => f.event), { id: 'large-event' }]) {
    outcomesRecorded += (await services.ledger.outcomes(e.id)).filter((o) => o.deliveryStatus === 'Delivered').length;
  }
  log(`  delivery: ${reports} delivery reports recorded`);

  const result = async (
    list: PimEvent[],
    svc: Services,
    server: FakeAcs,
    evTimes: number[],
    posts = server.count('POST', '/emails:send'),
    reads = server.count('GET', '/emails/operations'),
  ): Promise<DeliveryModeResult> => {
    // This list's deliveries only (the same local ACS also served the other runs).
    const ids = new Set(list.map((e) => e.id));
    const counts = new Map([...deliveryCounts(server)].filter(([k]) => ids.has(k.slice(0, k.indexOf('\n')))));
    // What should have gone: the ledger's rows, one per recipient the rules chose.
    const plannedKeys = new Set<string>();
    for (const e of list) for (const o of await svc.ledger.outcomes(e.id)) plannedKeys.add(`${e.id}\n${o.key}`);
    const recipients = plannedKeys.size;
    return {
      events: list.length,
      recipients,
      acsMessages: posts,
      acsRequests: posts + reads,
      acsStatusReads: reads,
      acsRequestsPerRecipient: Number(((posts + reads) / Math.max(1, recipients)).toFixed(3)),
      processingP50Ms: Math.round(percentile(evTimes, 50)),
      processingP95Ms: Math.round(percentile(evTimes, 95)),
      eventsPerHourCustomDomain: perHour(CUSTOM_DOMAIN_QUOTAS, posts / list.length, reads / list.length),
      eventsPerHourManagedDomain: perHour(MANAGED_DOMAIN_QUOTAS, posts / list.length, reads / list.length),
      ...lostAndDuplicates(plannedKeys, counts),
    };
  };
  const sequential = await result(seqEvents, seqServices, seqAcs, seqTimes);
  const grouped = { ...(await result(events, services, acs, times, mainPosts, mainReads)), outcomesRecorded };
  const fanOutLD = await result(
    fanOut.map((f) => f.event),
    services,
    acs,
    fanOutTimes,
    fanOutPosts,
    0,
  );
  // A delivery for no event of any run would be one nobody planned.
  const known = new Set([...events, ...fanOut.map((f) => f.event), { id: 'large-event' }].map((e) => e.id));
  const strays = [...deliveryCounts(acs)].filter(([k]) => !known.has(k.slice(0, k.indexOf('\n')))).reduce((a, [, n]) => a + n, 0);
  const largeCounts = deliveryCounts(acs);
  const largeKeys = new Set(large.map((a) => `large-event\n${recipientKey(a)}`));
  const largeLD = lostAndDuplicates(largeKeys, new Map([...largeCounts].filter(([k]) => k.startsWith('large-event\n'))));
  const secondsPerEmail = seqTimes.reduce((a, b) => a + b, 0) / 1000 / Math.max(1, sequential.recipients);

  await Promise.all([graph.stop(), arm.stop(), acs.close(), seqAcs.close(), ...digestServers.map((s) => s.close()), reportsQueue.delete()]);
  return {
    acsRequestsPerRecipient: grouped.acsRequestsPerRecipient,
    digestAcsRequestsPerRecipient: digest.acsRequestsPerRecipient,
    digestAcsStatusReadsPerRecipient: digest.acsStatusReadsPerRecipient,
    processingP95Ms: grouped.processingP95Ms,
    largeEventSeconds: Number(largeEventSeconds.toFixed(2)),
    eventsPerHourCustomDomain: grouped.eventsPerHourCustomDomain,
    eventsPerHourManagedDomain: grouped.eventsPerHourManagedDomain,
    lost: grouped.lost + sequential.lost + largeLD.lost + fanOutLD.lost,
    duplicates: grouped.duplicates + sequential.duplicates + largeLD.duplicates + fanOutLD.duplicates + strays,
    grouped,
    sequential,
    sequentialLargeEventSecondsEstimate: Math.round(secondsPerEmail * options.largeEventRecipients),
    largeEvent: { recipients: large.length, messages: largeMessages, seconds: Number(largeEventSeconds.toFixed(2)), ...largeLD },
    digest,
    processingByRecipients,
    loadAverage: [Number(loadBefore.toFixed(1)), Number(loadAfter.toFixed(1))],
    model: {
      runningMs: model.runningMs,
      pollRetryAfterSeconds: model.pollRetryAfterSeconds,
      acsLatencyMs: options.acsLatencyMs,
      concurrentEvents: CONCURRENT_EVENTS,
      sendConcurrency: settings.EMAIL_SEND_CONCURRENCY,
    },
  };
}
