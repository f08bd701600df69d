/**
 * The digest benchmark: a week of activity rows in one partition (inserted with entity-group
 * transactions), then countWeek through TableActivityStore against a bare listEntities of
 * the same partition with the same projection — each in a fresh child process, so the peak
 * RSS of each count is its own and can be compared between a small and a large week.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { EVENT_TYPES } from '../shared/events/schema.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { activityPartition } from '../shared/storage/activityStore.js';
import { median } from './stats.js';
import { prng } from './tenant.js';

const run = promisify(execFile);

export interface DigestBenchOptions {
  storageConnectionString: string;
  /** Rows of the large week (100,000 in a full run). */
  rows: number;
  /** Rows of the small week, for the flat-memory comparison (10,000 in a full run). */
  smallRows: number;
  /** Timed counts of each kind; the median is reported. */
  repeats: number;
  log: (line: string) => void;
}

export interface DigestBenchResult {
  rows: number;
  insertSeconds: number;
  seconds: number;
  scanSeconds: number;
  ratioToScan: number;
  secondsAll: number[];
  scanSecondsAll: number[];
  rowsPerSecond: number;
  smallRows: number;
  smallSeconds: number;
  peakRssMiB: Record<string, number>;
  scanPeakRssMiB: Record<string, number>;
}

const TENANT = 'b0000000-0000-4000-800f-000000000001';
const TRANSACTION = 100;
const INSERT_CONCURRENCY = 8;

async function fillWeek(client: TableClient, weekId: string, rows: number, seed: number): Promise<void> {
  const rand = prng(seed);
  const pk = activityPartition(TENANT, weekId);
  const batches: TransactionAction[][] = [];
  for (let start = 0; start < rows; start += TRANSACTION) {
    const actions: TransactionAction[] = [];
    for (let i = start; i < Math.min(rows, start + TRANSACTION); i++) {
      const type = EVENT_TYPES[Math.floor(rand() * EVENT_TYPES.length)]!;
      const assignment = type !== 'pimEnabled' && rand() < 0.7 ? { assignmentState: rand() < 0.5 ? 'eligible' : 'active' } : {};
      actions.push([
        'create',
        {
          partitionKey: pk,
          rowKey: `evt-${weekId}-${String(i).padStart(7, '0')}`,
          type,
          occurredAt: new Date(Date.UTC(2026, 2, 2) + i * 1000).toISOString(),
          scopeKind: rand() < 0.7 ? 'directory' : 'azureResource',
          ...assignment,
        },
      ]);
    }
    batches.push(actions);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: INSERT_CONCURRENCY }, async () => {
      while (next < batches.length) await client.submitTransaction(batches[next++]!);
    }),
  );
}

interface ChildResult {
  rows?: number;
  seconds: number;
  maxRssMiB: number;
}

async function child(mode: 'store' | 'scan', cs: string, table: string, weekId: string): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [fromPackageRoot('dist/bench/digestChild.js'), mode, cs, table, TENANT, weekId], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

export async function runDigestBench(options: DigestBenchOptions): Promise<DigestBenchResult> {
  const { log } = options;
  const cs = options.storageConnectionString;
  const table = `BenchDigest${Date.now().toString(36)}`;
  const client = TableClient.fromConnectionString(cs, table, { allowInsecureConnection: true });
  await client.createTable();
  const small = '2026-W10';
  const large = '2026-W11';
  log(`  digest: inserting ${options.smallRows} + ${options.rows} rows (transactions of ${TRANSACTION}, ${INSERT_CONCURRENCY} at a time)`);
  const t0 = performance.now();
  await fillWeek(client, small, options.smallRows, 1);
  await fillWeek(client, large, options.rows, 2);
  const insertSeconds = (performance.now() - t0) / 1000;

  // Warm Azurite's query path once, then alternate so drift hits both alike.
  await child('scan', cs, table, small);
  const store: ChildResult[] = [];
  const scan: ChildResult[] = [];
  for (let i = 0; i < options.repeats; i++) {
    scan.push(await child('scan', cs, table, large));
    store.push(await child('store', cs, table, large));
    log(`  digest: ${options.rows} rows: countWeek ${store.at(-1)!.seconds.toFixed(2)} s, bare scan ${scan.at(-1)!.seconds.toFixed(2)} s`);
  }
  if (scan[0]!.rows !== options.rows) throw new Error(`digest benchmark: the scan saw ${scan[0]!.rows} rows, expected ${options.rows}`);
  const smallStore = await child('store', cs, table, small);
  const smallScan = await child('scan', cs, table, small);
  await client.deleteTable();

  const seconds = median(store.map((r) => r.seconds));
  const scanSeconds = median(scan.map((r) => r.seconds));
  const mib = (n: number) => Number(n.toFixed(1));
  const s3 = (n: number) => Number(n.toFixed(3));
  return {
    rows: options.rows,
    insertSeconds: s3(insertSeconds),
    seconds: s3(seconds),
    scanSeconds: s3(scanSeconds),
    ratioToScan: Number((seconds / scanSeconds).toFixed(3)),
    secondsAll: store.map((r) => s3(r.seconds)),
    scanSecondsAll: scan.map((r) => s3(r.seconds)),
    rowsPerSecond: Math.round(options.rows / seconds),
    smallRows: options.smallRows,
    smallSeconds: s3(smallStore.seconds),
    peakRssMiB: { [String(options.smallRows)]: mib(smallStore.maxRssMiB), [String(options.rows)]: mib(Math.max(...store.map((r) => r.maxRssMiB))) },
    scanPeakRssMiB: { [String(options.smallRows)]: mib(smallScan.maxRssMiB), [String(options.rows)]: mib(Math.max(...scan.map((r) => r.maxRssMiB))) },
  };
}
