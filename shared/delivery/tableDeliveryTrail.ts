/**
 * The deliveries the ledger table holds rows of since an instant (`pim-notify trail --since`):
 * the distinct partitions written since then, other than the index's (messageIndex.ts) and the
 * delivery-health counts (escalation/tableDeliveryHealth.ts).
 */
import type { TableClient } from '@azure/data-tables';
import { statusOf } from '../storage/tables.js';

export async function deliveriesSince(client: TableClient, since: Date): Promise<string[]> {
  const ids = new Set<string>();
  try {
    const filter = `Timestamp ge datetime'${since.toISOString()}'`;
    for await (const e of client.listEntities({ queryOptions: { filter, select: ['PartitionKey'] } })) {
      const id = String(e.partitionKey);
      if (!/^(messages?-|health-counts:)/.test(id)) ids.add(id);
    }
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  return [...ids];
}
