/**
 * `npm run bench`: the performance figures of docs/performance.md, measured on this machine
 * against Azurite (started here) and local Graph, ARM and ACS endpoints with realistic latency.
 * Prints a table and writes bench/results.json (or --out FILE).
 *
 *   node dist/bench/run.js [--quick] [--graph-latency MS] [--acs-latency MS] [--users N]
 *     [--role-holders N] [--events N] [--digest-rows N] [--digest-small-rows N] [--digest-repeats N]
 *     [--digest-load seed|api] [--cold-start-runs N] [--sequential-events N] [--requests N] [--only PART[,PART…]] [--out FILE]
 *
 * --only notify|delivery|digest|coldStart|render|requests (comma-separated): run only those parts; the others are
 * left out of the results, which then go to a file in the temp folder unless --out is given (so a
 * partial run never overwrites bench/results.json).
 * --digest-load: how the digest's large week gets into Azurite, see bench/digestBench.ts
 * ('seed', the default, or 'api': every row through entity-group transactions, ~5 min at 100,000).
 *
 * --quick: small sizes, finishes in well under a minute; CI runs it (test/bench/quick.test.ts)
 * so the benchmark cannot rot. Nothing here asserts a timing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, tmpdir, totalmem } from 'node:os';
import { startAzurite } from '../dev/host/azurite.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { runColdStartBench, type ColdStartResult } from './coldStart.js';
import { runDeliveryBench, type DeliveryBenchResult } from './deliveryBench.js';
import { runDigestBench, type DigestBenchResult, type DigestLoad } from './digestBench.js';
import { runNotifyBench, type NotifyBenchResult } from './notifyBench.js';
import { runRenderBench, type RenderBenchResult } from './renderBench.js';
import { runRequestsBench, type RequestsBenchResult } from './requestsBench.js';
import { generateTenant } from './tenant.js';

export interface BenchOptions {
  quick: boolean;
  graphLatencyMs: number;
  acsLatencyMs: number;
  users: number;
  roleHolders: number;
  events: number;
  digestRows: number;
  digestSmallRows: number;
  digestRepeats: number;
  digestLoad: DigestLoad;
  coldStartRuns: number;
  /** Events of the delivery part's sequential (today's) mode: seconds per email, so a sample. */
  sequentialEvents: number;
  renderMs: number;
  /** The requests part: how many requests, made over how many seconds, the collector every N seconds. */
  requests: number;
  requestsSpreadSeconds: number;
  requestsScheduleSeconds: number;
  out: string;
  /** The parts to run (all by default). */
  only: BenchPart[];
}

export const BENCH_PARTS = ['notify', 'delivery', 'digest', 'coldStart', 'render', 'requests'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

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

export function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = quick
    ? {
        quick,
        graphLatencyMs: 30,
        acsLatencyMs: 50,
        users: 200,
        roleHolders: 40,
        events: 50,
        digestRows: 2_000,
        digestSmallRows: 200,
        digestRepeats: 1,
        digestLoad: 'seed',
        coldStartRuns: 3,
        sequentialEvents: 3,
        renderMs: 300,
        requests: 20,
        requestsSpreadSeconds: 4,
        requestsScheduleSeconds: 5,
        out: fromPackageRoot('bench/results.json'),
        only: [...BENCH_PARTS],
      }
    : {
        quick,
        graphLatencyMs: 30,
        acsLatencyMs: 50,
        users: 10_000,
        roleHolders: 300,
        events: 1_000,
        digestRows: 100_000,
        digestSmallRows: 10_000,
        digestRepeats: 3,
        digestLoad: 'seed',
        coldStartRuns: 7,
        sequentialEvents: 32,
        renderMs: 2_000,
        requests: 240,
        requestsSpreadSeconds: 300,
        requestsScheduleSeconds: 30,
        out: fromPackageRoot('bench/results.json'),
        only: [...BENCH_PARTS],
      };
  const numeric: Record<string, keyof BenchOptions> = {
    '--graph-latency': 'graphLatencyMs',
    '--acs-latency': 'acsLatencyMs',
    '--users': 'users',
    '--role-holders': 'roleHolders',
    '--events': 'events',
    '--digest-rows': 'digestRows',
    '--digest-small-rows': 'digestSmallRows',
    '--digest-repeats': 'digestRepeats',
    '--cold-start-runs': 'coldStartRuns',
    '--sequential-events': 'sequentialEvents',
    '--requests': 'requests',
  };
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') continue;
    const value = argv[i + 1];
    if (arg === '--out' && value) {
      options.out = path.resolve(value);
      outGiven = true;
      i++;
      continue;
    }
    if (arg === '--digest-load' && (value === 'seed' || value === 'api')) {
      options.digestLoad = value;
      i++;
      continue;
    }
    if (arg === '--only' && value) {
      const parts = value.split(',').map((p) => BENCH_PARTS.find((b) => b.toLowerCase() === p.trim().toLowerCase()));
      if (parts.some((p) => p === undefined))
        throw new Error(`bench: --only takes ${BENCH_PARTS.join('|')} (comma-separated), not "${value}"`);
      options.only = BENCH_PARTS.filter((b) => parts.includes(b));
      i++;
      continue;
    }
    const key = numeric[arg];
    const n = Number(value);
    if (!key || value === undefined || !Number.isInteger(n) || n < 0) {
      throw new Error(`bench: unknown or invalid argument "${arg}${value === undefined ? '' : ` ${value}`}"; see the top of bench/run.ts`);
    }
    (options as unknown as Record<string, number>)[key] = n;
    i++;
  }
  if (options.only.length < BENCH_PARTS.length && !outGiven) {
    options.out = path.join(tmpdir(), `pim-notify-bench-${options.only.join('-')}.json`);
  }
  return options;
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  log: (line: string) => void = console.log,
): Promise<BenchResults> {
  const options = parseArgs(argv);
  const started = new Date();
  const t0 = performance.now();
  log(`pim-notify benchmark (${options.quick ? 'quick' : 'full'}) on Node ${process.version}, ${cpus().length} CPUs`);
  const runs = (part: BenchPart) => options.only.includes(part);
  // The notify part's Azurite (in memory); the digest part starts its own (see bench/digestBench.ts).
  const azurite = runs('notify') || runs('delivery') || runs('requests') ? await startAzurite() : undefined;
  try {
    const notify =
      azurite && runs('notify')
        ? await runNotifyBench({
            storageConnectionString: azurite.connectionString,
            users: options.users,
            roleHolders: options.roleHolders,
            events: options.events,
            graphLatencyMs: options.graphLatencyMs,
            acsLatencyMs: options.acsLatencyMs,
            log,
          })
        : undefined;
    if (notify)
      log(
        `  notify: ${notify.eventsPerSecond} events/s, p50 ${notify.p50Ms} ms, p95 ${notify.p95Ms} ms, ${notify.graphRequestsPerEvent} Graph requests and ${notify.tableOperationsPerEvent} table operations per event`,
      );
    const delivery =
      azurite && runs('delivery')
        ? await runDeliveryBench({
            storageConnectionString: azurite.connectionString,
            users: options.users,
            roleHolders: options.roleHolders,
            // Quick: fewer events than notify's 50, so that the suite's run stays short.
            events: options.quick ? 20 : options.events,
            sequentialEvents: options.sequentialEvents,
            largeEventRecipients: 1000,
            // Events of each size for processingByRecipients (of 1,000 recipients: a quarter as many).
            fanOutEvents: options.quick ? 2 : 16,
            graphLatencyMs: options.graphLatencyMs,
            acsLatencyMs: options.acsLatencyMs,
            // Quick mode only checks the benchmark runs: operations finish in 200 ms instead of 2 s.
            ...(options.quick ? { model: { runningMs: 200, pollRetryAfterSeconds: 0 } } : {}),
            log,
          })
        : undefined;
    if (delivery)
      log(
        `  delivery: ${delivery.acsRequestsPerRecipient} ACS requests per recipient (sequential ${delivery.sequential.acsRequestsPerRecipient}), processing p95 ${delivery.processingP95Ms} ms; digest ${delivery.digestAcsRequestsPerRecipient} per recipient (sent and polled ${delivery.digest.sendAndPoll.acsRequestsPerRecipient})`,
      );
    const digest = runs('digest')
      ? await runDigestBench({
          rows: options.digestRows,
          smallRows: options.digestSmallRows,
          repeats: options.digestRepeats,
          load: options.digestLoad,
          log,
        })
      : undefined;
    if (runs('coldStart')) log('  cold start: fresh processes');
    const coldStart = runs('coldStart') ? await runColdStartBench({ runs: options.coldStartRuns }) : undefined;
    if (runs('render')) log('  render');
    const render = runs('render')
      ? await runRenderBench(generateTenant({ users: options.users, roleHolders: options.roleHolders }), { durationMs: options.renderMs })
      : undefined;
    const requests =
      azurite && runs('requests')
        ? await runRequestsBench({
            storageConnectionString: azurite.connectionString,
            requests: options.requests,
            spreadSeconds: options.requestsSpreadSeconds,
            scheduleSeconds: options.requestsScheduleSeconds,
            graphLatencyMs: options.graphLatencyMs,
            acsLatencyMs: options.acsLatencyMs,
            log,
          })
        : undefined;
    const results: BenchResults = {
      mode: options.quick ? 'quick' : 'full',
      startedAt: started.toISOString(),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      machine: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
      },
      ...(options.only.length < BENCH_PARTS.length ? { only: options.only } : {}),
      notify: notify || undefined,
      delivery,
      digest,
      coldStart,
      render,
      requests,
    };
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    log('');
    log(table(results));
    log('');
    log(`written to ${path.relative(process.cwd(), options.out) || options.out}`);
    return results;
  } finally {
    await azurite?.stop();
  }
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
      `createdDateTime → approvers' emails accepted by ACS (max ${q.endToEndMaxMs}) at ${q.requestsPerMinute} requests/min; target p95 ≤ 60000; Microsoft: ${q.microsoftDocumented}`,
    ],
    [
      'requests.queued p50 / p95',
      `${q.queuedP50Ms} / ${q.queuedP95Ms}`,
      `createdDateTime → on the queue (the collector's share); load average ${q.loadAverage.join(' → ')}`,
    ],
    [
      'requests.graphRequestsPerHour',
      String(q.graphRequestsPerHour),
      `per tenant; ARM ${q.armRequestsPerHourPerSubscription} per hour per subscription`,
    ],
  ];
}

function table(r: BenchResults): string {
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

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}
