/**
 * One digest count in a fresh process, so its peak RSS is its own: `node digestChild.js
 * <store|scan> <connectionString> <table> <tenantId> <weekId>`. Prints one JSON line:
 * { rows (scan only), seconds, maxRssMiB, tiles (store only) }.
 *
 * - store: countWeek through TableActivityStore (what the weekly digest runs);
 * - scan:  a bare @azure/data-tables listEntities of the same partition with the same
 *          projection, counting rows: the floor the store is measured against.
 */
import { TableClient } from '@azure/data-tables';
import { TableActivityStore } from '../shared/activity/tableActivityStore.js';
import { activityPartition } from '../shared/activity/activityStore.js';
import { countWeek } from '../shared/usecases/weeklyDigest.js';
import { parseIsoWeek } from '../shared/time/isoWeek.js';

const [mode, connectionString, table, tenantId, weekId] = process.argv.slice(2);
if (!mode || !connectionString || !table || !tenantId || !weekId) {
  console.error('usage: digestChild.js <store|scan> <connectionString> <table> <tenantId> <weekId>');
  process.exit(2);
}
const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });

const t0 = performance.now();
let rows = 0;
let tiles: unknown;
if (mode === 'store') {
  // Exactly what the weekly digest runs for one week (rows are not counted here: the tiles are the output).
  tiles = await countWeek(new TableActivityStore(client), tenantId, parseIsoWeek(weekId));
} else {
  const pk = activityPartition(tenantId, weekId);
  for await (const e of client.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${pk}'`, select: ['RowKey', 'type', 'occurredAt', 'scopeKind', 'assignmentState'] },
  })) {
    if (e['type'] !== undefined) rows++;
  }
}
const seconds = (performance.now() - t0) / 1000;
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ rows, seconds, maxRssMiB, ...(tiles ? { tiles } : {}) }));
