/**
 * The digest benchmark: a week of activity rows in one partition, then countWeek through
 * TableActivityStore against a bare listEntities of the same partition with the same
 * projection — each in a fresh child process, so the peak RSS of each count is its own and
 * can be compared between a small and a large week.
 *
 * It runs against its own Azurite, on disk (`--location` in a temporary folder), because of
 * how the rows get there. Azurite 3.35 checks every insert for a duplicate key with a LokiJS
 * `findOne({ PartitionKey, RowKey })`, and LokiJS uses a binary index for the first condition
 * only: the RowKey is then compared against every row already in the partition. One insert
 * into a partition of n rows costs O(n), filling one partition of n rows costs O(n²) —
 * ~4.5 min of Azurite CPU for 100,000 rows here (see docs/performance.md), whatever the
 * transaction size, concurrency, or persistence mode. So (load 'seed', the default):
 *
 * 1. the small week, and the first rows of the large week, go in through the API
 *    (entity-group transactions of 100), exactly as before;
 * 2. Azurite is stopped (it saves its LokiJS database), the rest of the large week is added
 *    to that database file with LokiJS itself (Azurite's own copy, `Collection.insert`, which
 *    maintains the same indexes), in the shape Azurite stores — checked against the rows
 *    Azurite stored in step 1, field by field, so a future Azurite that stores rows
 *    differently makes the benchmark fail instead of measuring something else;
 * 3. Azurite is started again on that folder, and both counts read the rows through its
 *    HTTP API as before; the scan must see every row and countWeek must return the tiles the
 *    generator implies.
 *
 * Load 'api' (`--digest-load api`) puts every row through the API, for comparison.
 * Only the setup differs: what is timed is the same two HTTP reads against the same server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { EVENT_TYPES } from '../shared/events/schema.js';
import { DEV_ACCOUNT, startAzurite, type AzuriteHandle } from '../dev/host/azurite.js';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { activityPartition } from '../shared/activity/activityStore.js';
import { emptyTiles, tileOf } from '../shared/usecases/weeklyDigest.js';
import { median } from './stats.js';
import { prng } from './tenant.js';

const run = promisify(execFile);

export type DigestLoad = 'seed' | 'api';

export interface DigestBenchOptions {
  /** Rows of the large week (100,000 in a full run). */
  rows: number;
  /** Rows of the small week, for the flat-memory comparison (10,000 in a full run). */
  smallRows: number;
  /** Timed counts of each kind; the median is reported. */
  repeats: number;
  /** How the large week gets into Azurite (see the top of this file); 'seed' when omitted. */
  load?: DigestLoad;
  log: (line: string) => void;
}

export interface DigestBenchResult {
  rows: number;
  /** Seconds to get both weeks into Azurite (API inserts + seeding + Azurite restart). */
  insertSeconds: number;
  load: DigestLoad;
  /** Rows that went in through the API (entity-group transactions); the rest were seeded. */
  apiRows: number;
  apiInsertSeconds: number;
  seededRows: number;
  seedSeconds: number;
  seconds: number;
  scanSeconds: number;
  ratioToScan: number;
  secondsAll: number[];
  scanSecondsAll: number[];
  rowsPerSecond: number;
  smallRows: number;
  smallSeconds: number;
  smallScanSeconds: number;
  peakRssMiB: Record<string, number>;
  scanPeakRssMiB: Record<string, number>;
}

const TENANT = 'b0000000-0000-4000-800f-000000000001';
const TRANSACTION = 100;
const INSERT_CONCURRENCY = 8;
/** Rows of the large week that go through the API before seeding (the reference for the check); half of a smaller week. */
const API_ROWS_BEFORE_SEED = 2_000;

type ActivityEntity = {
  partitionKey: string;
  rowKey: string;
  type: string;
  occurredAt: string;
  scopeKind: string;
  assignmentState?: string;
};

/** The week's rows, deterministic: the same seed gives the same rows whichever way they are loaded. */
function weekRows(weekId: string, rows: number, seed: number): ActivityEntity[] {
  const rand = prng(seed);
  const pk = activityPartition(TENANT, weekId);
  const out: ActivityEntity[] = [];
  for (let i = 0; i < rows; i++) {
    const type = EVENT_TYPES[Math.floor(rand() * EVENT_TYPES.length)]!;
    const assignment = type !== 'pimEnabled' && rand() < 0.7 ? { assignmentState: rand() < 0.5 ? 'eligible' : 'active' } : {};
    out.push({
      partitionKey: pk,
      rowKey: `evt-${weekId}-${String(i).padStart(7, '0')}`,
      type,
      occurredAt: new Date(Date.UTC(2026, 2, 2) + i * 1000).toISOString(),
      scopeKind: rand() < 0.7 ? 'directory' : 'azureResource',
      ...assignment,
    });
  }
  return out;
}

function expectedTiles(rows: readonly ActivityEntity[]) {
  const tiles = emptyTiles();
  for (const r of rows) {
    const tile = tileOf({ type: r.type as never, scopeKind: r.scopeKind as never, assignmentState: r.assignmentState as never });
    if (tile) tiles[tile]++;
  }
  return tiles;
}

async function insertThroughApi(client: TableClient, rows: readonly ActivityEntity[]): Promise<void> {
  const batches: TransactionAction[][] = [];
  for (let start = 0; start < rows.length; start += TRANSACTION) {
    batches.push(rows.slice(start, start + TRANSACTION).map((e): TransactionAction => ['create', { ...e }]));
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: INSERT_CONCURRENCY }, async () => {
      while (next < batches.length) await client.submitTransaction(batches[next++]!);
    }),
  );
}

// ---- Seeding Azurite's LokiJS database (Azurite stopped) ------------------------------------

/** A row as Azurite 3.35 stores it (LokiTableMetadataStore.insertTableEntity), before LokiJS adds meta/$loki. */
interface StoredEntity {
  PartitionKey: string;
  RowKey: string;
  properties: Record<string, unknown>;
  lastModifiedTime: string;
  eTag: string;
  meta?: unknown;
  $loki?: number;
}

interface LokiCollection {
  find(query: Record<string, unknown>): StoredEntity[];
  insert(docs: StoredEntity[]): unknown;
  count(): number;
}
interface LokiDb {
  loadDatabase(options: object, callback: (err?: unknown) => void): void;
  saveDatabase(callback: (err?: unknown) => void): void;
  getCollection(name: string): LokiCollection | null;
}
type LokiCtor = new (filename: string, options: { persistenceMethod: 'fs' }) => LokiDb;

/** Azurite's own LokiJS (resolved from azurite's package, so it is the copy that reads the file). */
function azuriteLoki(): LokiCtor {
  const fromHere = createRequire(import.meta.url);
  return createRequire(fromHere.resolve('azurite/package.json'))('lokijs') as LokiCtor;
}

/** What Azurite stores for an inserted entity of string properties, stamped `timestamp` (7-digit fraction). */
function storedShape(e: ActivityEntity, timestamp: string): StoredEntity {
  const { partitionKey, rowKey, ...props } = e;
  return {
    PartitionKey: partitionKey,
    RowKey: rowKey,
    properties: { PartitionKey: partitionKey, RowKey: rowKey, ...props, Timestamp: timestamp, 'Timestamp@odata.type': 'Edm.DateTime' },
    lastModifiedTime: timestamp,
    eTag: `W/"datetime'${encodeURIComponent(timestamp)}'"`,
  };
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;

function comparable(doc: StoredEntity): string {
  const { PartitionKey, RowKey, properties, lastModifiedTime, eTag } = doc;
  return JSON.stringify({ PartitionKey, RowKey, properties, lastModifiedTime, eTag });
}

async function seedLokiFile(
  location: string,
  table: string,
  reference: readonly ActivityEntity[],
  rest: readonly ActivityEntity[],
): Promise<void> {
  const Loki = azuriteLoki();
  const db = new Loki(path.join(location, '__azurite_db_table__.json'), { persistenceMethod: 'fs' });
  await new Promise<void>((resolve, reject) => db.loadDatabase({}, (err) => (err ? reject(err) : resolve())));
  const collection = db.getCollection(`${DEV_ACCOUNT}$${table}`);
  if (!collection) throw new Error(`digest benchmark: Azurite's database has no collection for table ${table}`);

  // The seeded rows must be indistinguishable from rows Azurite stored itself.
  const pk = reference[0]!.partitionKey;
  const stored = new Map(collection.find({ PartitionKey: pk }).map((d) => [d.RowKey, d]));
  if (stored.size !== reference.length)
    throw new Error(`digest benchmark: Azurite stored ${stored.size} reference rows, expected ${reference.length}`);
  for (const e of reference) {
    const doc = stored.get(e.rowKey);
    if (!doc || !TIMESTAMP.test(doc.lastModifiedTime) || comparable(doc) !== comparable(storedShape(e, doc.lastModifiedTime))) {
      throw new Error(
        `digest benchmark: Azurite stores rows differently than the seeding assumes; row ${e.rowKey} is ${JSON.stringify(doc)}`,
      );
    }
  }

  const base = new Date().toISOString().slice(0, 23);
  collection.insert(rest.map((e, i) => storedShape(e, `${base}${String(i % 10_000).padStart(4, '0')}Z`)));
  await new Promise<void>((resolve, reject) => db.saveDatabase((err) => (err ? reject(err) : resolve())));
}

// ---- Timed reads -------------------------------------------------------------------------

interface ChildResult {
  rows?: number;
  tiles?: Record<string, number>;
  seconds: number;
  maxRssMiB: number;
}

async function child(mode: 'store' | 'scan', cs: string, table: string, weekId: string): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, [fromPackageRoot('dist/bench/digestChild.js'), mode, cs, table, TENANT, weekId], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

function check(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`digest benchmark: ${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

export async function runDigestBench(options: DigestBenchOptions): Promise<DigestBenchResult> {
  const { log } = options;
  const load = options.load ?? 'seed';
  const location = mkdtempSync(path.join(tmpdir(), 'pim-digest-azurite-'));
  let azurite: AzuriteHandle | undefined;
  try {
    azurite = await startAzurite({ location });
    const table = `BenchDigest${Date.now().toString(36)}`;
    let client = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
    await client.createTable();
    const small = '2026-W10';
    const large = '2026-W11';
    const smallRows = weekRows(small, options.smallRows, 1);
    const largeRows = weekRows(large, options.rows, 2);
    const apiLarge = load === 'api' ? largeRows.length : Math.min(API_ROWS_BEFORE_SEED, Math.ceil(largeRows.length / 2));
    const seeded = largeRows.slice(apiLarge);

    log(
      `  digest: inserting ${smallRows.length} + ${apiLarge} rows through the API (transactions of ${TRANSACTION}, ${INSERT_CONCURRENCY} at a time), on-disk Azurite`,
    );
    const t0 = performance.now();
    await insertThroughApi(client, smallRows);
    await insertThroughApi(client, largeRows.slice(0, apiLarge));
    const apiInsertSeconds = (performance.now() - t0) / 1000;
    let seedSeconds = 0;
    if (seeded.length > 0) {
      log(`  digest: seeding ${seeded.length} more rows into Azurite's LokiJS file (Azurite stopped), then restarting it`);
      const t1 = performance.now();
      await azurite.stop();
      azurite = undefined;
      await seedLokiFile(location, table, largeRows.slice(0, apiLarge), seeded);
      azurite = await startAzurite({ location });
      client = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
      seedSeconds = (performance.now() - t1) / 1000;
    }
    const insertSeconds = (performance.now() - t0) / 1000;
    const cs = azurite.connectionString;

    // Warm Azurite's query path once and check what both reads see, then alternate so drift hits both alike.
    check(`the rows a bare scan of ${small} sees`, (await child('scan', cs, table, small)).rows, smallRows.length);
    const store: ChildResult[] = [];
    const scan: ChildResult[] = [];
    for (let i = 0; i < options.repeats; i++) {
      scan.push(await child('scan', cs, table, large));
      store.push(await child('store', cs, table, large));
      log(
        `  digest: ${options.rows} rows: countWeek ${store.at(-1)!.seconds.toFixed(2)} s, bare scan ${scan.at(-1)!.seconds.toFixed(2)} s`,
      );
    }
    check(`the rows a bare scan of ${large} sees`, scan[0]!.rows, options.rows);
    check(`countWeek's tiles for ${large}`, store[0]!.tiles, expectedTiles(largeRows));
    const smallStore = await child('store', cs, table, small);
    const smallScan = await child('scan', cs, table, small);
    check(`countWeek's tiles for ${small}`, smallStore.tiles, expectedTiles(smallRows));
    await client.deleteTable();

    const seconds = median(store.map((r) => r.seconds));
    const scanSeconds = median(scan.map((r) => r.seconds));
    const mib = (n: number) => Number(n.toFixed(1));
    const s3 = (n: number) => Number(n.toFixed(3));
    return {
      rows: options.rows,
      insertSeconds: s3(insertSeconds),
      load,
      apiRows: smallRows.length + apiLarge,
      apiInsertSeconds: s3(apiInsertSeconds),
      seededRows: seeded.length,
      seedSeconds: s3(seedSeconds),
      seconds: s3(seconds),
      scanSeconds: s3(scanSeconds),
      ratioToScan: Number((seconds / scanSeconds).toFixed(3)),
      secondsAll: store.map((r) => s3(r.seconds)),
      scanSecondsAll: scan.map((r) => s3(r.seconds)),
      rowsPerSecond: Math.round(options.rows / seconds),
      smallRows: options.smallRows,
      smallSeconds: s3(smallStore.seconds),
      smallScanSeconds: s3(smallScan.seconds),
      peakRssMiB: {
        [String(options.smallRows)]: mib(smallStore.maxRssMiB),
        [String(options.rows)]: mib(Math.max(...store.map((r) => r.maxRssMiB))),
      },
      scanPeakRssMiB: {
        [String(options.smallRows)]: mib(smallScan.maxRssMiB),
        [String(options.rows)]: mib(Math.max(...scan.map((r) => r.maxRssMiB))),
      },
    };
  } finally {
    await azurite?.stop();
    rmSync(location, { recursive: true, force: true });
  }
}
