/**
 * `npm run bench`: the performance figures of docs/performance.md, measured on this machine
 * against Azurite (started here) and local Graph, ARM and ACS endpoints with realistic latency.
 * Prints a table and writes bench/results.json (or --out FILE).
 *
 *   node dist/bench/run.js [--quick] [--graph-latency MS] [--acs-latency MS] [--users N]
 *     [--role-holders N] [--events N] [--digest-rows N] [--digest-small-rows N] [--out FILE]
 *
 * --quick: small sizes, finishes in well under a minute; CI runs it (test/bench/quick.test.ts)
 * so the benchmark cannot rot. Nothing here asserts a timing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';
import { startAzurite } from '../shared/host/azurite.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { runColdStartBench, type ColdStartResult } from './coldStart.js';
import { runDigestBench, type DigestBenchResult } from './digestBench.js';
import { runNotifyBench, type NotifyBenchResult } from './notifyBench.js';
import { runRenderBench, type RenderBenchResult } from './renderBench.js';
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
  coldStartRuns: number;
  renderMs: number;
  out: string;
}

export interface BenchResults {
  mode: 'full' | 'quick';
  startedAt: string;
  seconds: number;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number };
  notify: NotifyBenchResult;
  digest: DigestBenchResult;
  coldStart: ColdStartResult;
  render: RenderBenchResult;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = quick
    ? { quick, graphLatencyMs: 30, acsLatencyMs: 50, users: 200, roleHolders: 40, events: 50, digestRows: 2_000, digestSmallRows: 200, digestRepeats: 1, coldStartRuns: 3, renderMs: 300, out: fromPackageRoot('bench/results.json') }
    : { quick, graphLatencyMs: 30, acsLatencyMs: 50, users: 10_000, roleHolders: 300, events: 1_000, digestRows: 100_000, digestSmallRows: 10_000, digestRepeats: 3, coldStartRuns: 7, renderMs: 2_000, out: fromPackageRoot('bench/results.json') };
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
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') continue;
    const value = argv[i + 1];
    if (arg === '--out' && value) {
      options.out = path.resolve(value);
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
  return options;
}

export async function main(argv: readonly string[] = process.argv.slice(2), log: (line: string) => void = console.log): Promise<BenchResults> {
  const options = parseArgs(argv);
  const started = new Date();
  const t0 = performance.now();
  log(`pim-notify benchmark (${options.quick ? 'quick' : 'full'}) on Node ${process.version}, ${cpus().length} CPUs`);
  const azurite = await startAzurite();
  try {
    const notify = await runNotifyBench({
      storageConnectionString: azurite.connectionString,
      users: options.users,
      roleHolders: options.roleHolders,
      events: options.events,
      graphLatencyMs: options.graphLatencyMs,
      acsLatencyMs: options.acsLatencyMs,
      log,
    });
    log(`  notify: ${notify.eventsPerSecond} events/s, p50 ${notify.p50Ms} ms, p95 ${notify.p95Ms} ms, ${notify.graphRequestsPerEvent} Graph requests and ${notify.tableOperationsPerEvent} table operations per event`);
    const digest = await runDigestBench({
      storageConnectionString: azurite.connectionString,
      rows: options.digestRows,
      smallRows: options.digestSmallRows,
      repeats: options.digestRepeats,
      log,
    });
    log('  cold start: fresh processes');
    const coldStart = await runColdStartBench({ runs: options.coldStartRuns });
    log('  render');
    const render = await runRenderBench(generateTenant({ users: options.users, roleHolders: options.roleHolders }), { durationMs: options.renderMs });
    const results: BenchResults = {
      mode: options.quick ? 'quick' : 'full',
      startedAt: started.toISOString(),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      machine: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) },
      notify,
      digest,
      coldStart,
      render,
    };
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    log('');
    log(table(results));
    log('');
    log(`written to ${path.relative(process.cwd(), options.out) || options.out}`);
    return results;
  } finally {
    await azurite.stop();
  }
}

function table(r: BenchResults): string {
  const n = r.notify;
  const d = r.digest;
  const rows: Array<[string, string, string]> = [
    ['notify.events', String(n.events), `${n.emails} emails (${n.emailsPerEvent}/event), ${n.users} users, ${n.roleHolders} role holders`],
    ['notify.eventsPerSecond', String(n.eventsPerSecond), `batchSize ${n.concurrency.batchSize}; Graph ${n.graphLatencyMs} ms, ACS ${n.acsLatencyMs} ms`],
    ['notify.p50Ms / p95Ms', `${n.p50Ms} / ${n.p95Ms}`, 'enqueue → last email confirmed (burst: includes queue wait)'],
    ['notify.processing p50 / p95', `${n.processingP50Ms} / ${n.processingP95Ms}`, 'dequeue → last email confirmed'],
    ['notify.graphRequestsPerEvent', String(n.graphRequestsPerEvent), `${n.graphRequests} Graph+ARM HTTP requests (${n.graphRequestsInBatch} inside $batch); target ≤ 0.05`],
    ['notify.tableOperationsPerEvent', String(n.tableOperationsPerEvent), `design minimum ${n.tableOperationsDesignMinimumPerEvent}; ${Object.entries(n.tableOperationsByKind).map(([k, v]) => `${k} ${v}`).join(', ')}`],
    ['digest.rows', String(d.rows), `inserted in ${d.insertSeconds} s (with ${d.smallRows} more)`],
    ['digest.seconds', String(d.seconds), `countWeek via TableActivityStore, median of ${d.secondsAll.length}`],
    ['digest.scanSeconds', String(d.scanSeconds), 'bare listEntities, same partition and projection'],
    ['digest.ratioToScan', String(d.ratioToScan), 'target ≤ 1.3'],
    ['digest.peakRssMiB', Object.entries(d.peakRssMiB).map(([k, v]) => `${k}: ${v}`).join(', '), `bare scan: ${Object.entries(d.scanPeakRssMiB).map(([k, v]) => `${k}: ${v}`).join(', ')}`],
    ['coldStart.importMs', String(r.coldStart.importMs), `${r.coldStart.entryFiles.length} entry files, median of ${r.coldStart.runs}`],
    ['coldStart.baselineMs', String(r.coldStart.baselineMs), '@azure/functions alone'],
    ['render.emailsPerSecond', String(r.render.emailsPerSecond), `${r.render.template}, ${r.render.bytes} bytes`],
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
