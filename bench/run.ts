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
import { cpus, totalmem } from 'node:os';
import { startAzurite } from '../dev/host/azurite.js';
import { runColdStartBench } from './coldStart.js';
import { runDeliveryBench } from './deliveryBench.js';
import { runDigestBench } from './digestBench.js';
import { runNotifyBench } from './notifyBench.js';
import { BENCH_PARTS, parseArgs, type BenchPart } from './options.js';
import { runRenderBench } from './renderBench.js';
import { table, type BenchResults } from './report.js';
import { runRequestsBench } from './requestsBench.js';
import { generateTenant } from './tenant.js';

export { BENCH_PARTS, parseArgs, type BenchOptions, type BenchPart } from './options.js';
export type { BenchResults } from './report.js';

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

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}
