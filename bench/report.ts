/**
 * What a benchmark run produces: the shape of bench/results.json, and the table printed from it
 * at the end of the run (figure, value, what it means).
 */
import type { ColdStartResult } from './coldStart.js';
import type { DeliveryBenchResult } from './deliveryBench.js';
import type { DigestBenchResult } from './digestBench.js';
import type { NotifyBenchResult } from './notifyBench.js';
import type { BenchPart } from './options.js';
import type { RenderBenchResult } from './renderBench.js';
import type { RequestsBenchResult } from './requestsBench.js';

export interface BenchResults {
  mode: 'full' | 'quick';
  startedAt: string;
  seconds: number;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number };
  /** Parts run (when not all of them: --only). */
  only?: BenchPart[];
  /** Every part is present unless --only left it out. */
  notify?: NotifyBenchResult;
  delivery?: DeliveryBenchResult;
  digest?: DigestBenchResult;
  coldStart?: ColdStartResult;
  render?: RenderBenchResult;
  requests?: RequestsBenchResult;
}

type Row = [string, string, string];

function notifyRows(n: NotifyBenchResult): Row[] {
  return [
    ['notify.events', String(n.events), `${n.emails} emails (${n.emailsPerEvent}/event), ${n.users} users, ${n.roleHolders} role holders`],
    [
      'notify.eventsPerSecond',
      String(n.eventsPerSecond),
      `batchSize ${n.concurrency.batchSize}; Graph ${n.graphLatencyMs} ms, ACS ${n.acsLatencyMs} ms`,
    ],
    ['notify.p50Ms / p95Ms', `${n.p50Ms} / ${n.p95Ms}`, 'enqueue → last email accepted by ACS (burst: includes queue wait)'],
    ['notify.processing p50 / p95', `${n.processingP50Ms} / ${n.processingP95Ms}`, 'dequeue → last email accepted by ACS'],
    [
      'notify.graphRequestsPerEvent',
      String(n.graphRequestsPerEvent),
      `${n.graphRequests} Graph+ARM HTTP requests (${n.graphRequestsInBatch} inside $batch), confirmation with PIM included; target ≤ 0.1`,
    ],
    [
      'notify.confirmRequestsPerEvent',
      String(n.confirmRequestsPerEvent),
      `${n.confirmRequests} of them to PIM's request APIs to confirm the events (${n.confirmReadsInBatch} reads by id inside $batch)`,
    ],
    [
      'notify.tableOperationsPerEvent',
      String(n.tableOperationsPerEvent),
      `design minimum ${n.tableOperationsDesignMinimumPerEvent}; ${Object.entries(n.tableOperationsByKind)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    ],
  ];
}

function deliveryRows(d: DeliveryBenchResult): Row[] {
  const s = d.sequential;
  return [
    [
      'delivery.acsRequestsPerRecipient',
      String(d.acsRequestsPerRecipient),
      `sequential per-person ${s.acsRequestsPerRecipient}; ${d.grouped.acsMessages} messages for ${d.grouped.recipients} recipients; target ≤ 0.35`,
    ],
    [
      'delivery.processingP95Ms',
      String(d.processingP95Ms),
      `dequeue → all accepted; sequential ${s.processingP95Ms} ms (ACS Running ${d.model.runningMs} ms); target ≤ 1000`,
    ],
    [
      'delivery.processingByRecipients p95',
      Object.entries(d.processingByRecipients)
        .map(([n, x]) => `${n}: ${x.p95Ms}`)
        .join(', '),
      `ms by recipients per event (${Object.entries(d.processingByRecipients)
        .map(([n, x]) => `${n}: ${x.events} events, ${x.messagesPerEvent} messages`)
        .join('; ')}); load average ${d.loadAverage.join(' → ')}; target ≤ 1000, flat`,
    ],
    [
      'delivery.digestAcsRequestsPerRecipient',
      String(d.digestAcsRequestsPerRecipient),
      `weekly digest ${d.digest.week}: ${d.digest.acsMessages} messages for ${d.digest.recipients} recipients, ${d.digest.acsStatusReads} status reads (${d.digestAcsStatusReadsPerRecipient} per recipient) in ${d.digest.seconds} s; sent and polled ${d.digest.sendAndPoll.acsRequestsPerRecipient} (${d.digest.sendAndPoll.acsStatusReadsPerRecipient} status reads) in ${d.digest.sendAndPoll.seconds} s`,
    ],
    [
      'delivery.largeEventSeconds',
      String(d.largeEventSeconds),
      `${d.largeEvent.recipients} recipients in ${d.largeEvent.messages} messages; sequential ≈ ${d.sequentialLargeEventSecondsEstimate} s (not run)`,
    ],
    [
      'delivery.eventsPerHourCustomDomain',
      String(d.eventsPerHourCustomDomain),
      `100 sends/h; sequential ${s.eventsPerHourCustomDomain}; target ≥ 50`,
    ],
    [
      'delivery.eventsPerHourManagedDomain',
      String(d.eventsPerHourManagedDomain),
      `10 sends/h; sequential ${s.eventsPerHourManagedDomain}; target ≥ 5`,
    ],
    ['delivery.lost / duplicates', `${d.lost} / ${d.duplicates}`, `${d.grouped.outcomesRecorded ?? 0} Delivered reports recorded`],
  ];
}

function digestRows(d: DigestBenchResult): Row[] {
  return [
    [
      'digest.rows',
      String(d.rows),
      `loaded in ${d.insertSeconds} s (${d.apiRows} through the API, ${d.seededRows} seeded; with ${d.smallRows} more)`,
    ],
    ['digest.seconds', String(d.seconds), `countWeek via TableActivityStore, median of ${d.secondsAll.length}`],
    ['digest.scanSeconds', String(d.scanSeconds), 'bare listEntities, same partition and projection'],
    ['digest.ratioToScan', String(d.ratioToScan), 'target ≤ 1.3'],
    [
      'digest.peakRssMiB',
      Object.entries(d.peakRssMiB)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
      `bare scan: ${Object.entries(d.scanPeakRssMiB)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`,
    ],
  ];
}

function coldStartRows(c: ColdStartResult): Row[] {
  return [
    ['coldStart.importMs', String(c.importMs), `${c.entryFiles.length} entry files, median of ${c.runs}`],
    ['coldStart.baselineMs', String(c.baselineMs), '@azure/functions alone'],
    [
      'coldStart.importMsWithTelemetry',
      String(c.importMsWithTelemetry),
      'the same entry files with APPLICATIONINSIGHTS_CONNECTION_STRING set (as in Azure)',
    ],
  ];
}

function renderRows(x: RenderBenchResult): Row[] {
  return [['render.emailsPerSecond', String(x.emailsPerSecond), `${x.template}, ${x.bytes} bytes`]];
}

function requestsRows(q: RequestsBenchResult): Row[] {
  return [
    ['requests.requests', String(q.requests), `${q.approvalEmails} approval emails; collector ${q.schedule}, ${q.collectorRuns} runs`],
    [
      'requests.endToEndP50Ms / P95Ms',
      `${q.endToEndP50Ms} / ${q.endToEndP95Ms}`,
      `createdDateTime → approvers' emails accepted by ACS (max ${q.endToEndMaxMs}) at ${q.requestsPerMinute} requests/min; target p95 ≤ 45000; Microsoft: ${q.microsoftDocumented}`,
    ],
    [
      'requests.queued p50 / p95',
      `${q.queuedP50Ms} / ${q.queuedP95Ms}`,
      `createdDateTime → on the queue (the collector's share); load average ${q.loadAverage.join(' → ')}`,
    ],
    [
      'requests.confirm p50 / p95',
      `${q.confirmP50Ms} / ${q.confirmP95Ms}`,
      `notify's first look → confirmed by PIM's records (confirmation's share); ${q.awaitingPim} looks put back to wait for PIM; target p95 ≤ 2000`,
    ],
    [
      'requests.graphRequestsPerHour',
      String(q.graphRequestsPerHour),
      `per tenant; ARM ${q.armRequestsPerHourPerSubscription} per hour per subscription`,
    ],
  ];
}

export function table(r: BenchResults): string {
  const rows: Array<[string, string, string]> = [
    ...(r.notify ? notifyRows(r.notify) : []),
    ...(r.delivery ? deliveryRows(r.delivery) : []),
    ...(r.digest ? digestRows(r.digest) : []),
    ...(r.coldStart ? coldStartRows(r.coldStart) : []),
    ...(r.render ? renderRows(r.render) : []),
    ...(r.requests ? requestsRows(r.requests) : []),
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  return rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`).join('\n');
}
