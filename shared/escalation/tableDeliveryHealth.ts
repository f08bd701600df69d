/**
 * The delivery-health counts in Table Storage (port: deliveryHealth.ts), in the delivery table:
 * partition `health-counts:<hour>` (beside, not in, the hour's warning email's delivery `health:<hour>`), row `counts` (total, undeliverable; merged under its ETag, read
 * again on a conflict) and row `warned` (created once: the hour's one warning).
 */
import type { TableClient } from '@azure/data-tables';
import { ensureTable, entityOrUndefined, isConflict } from '../storage/tables.js';
import type { DeliveryHealth, HourFigures } from './deliveryHealth.js';

const TRIES = 8;
/** The counts' partitions start so (trail leaves them out: tableDeliveryTrail.ts). */
export const HEALTH_PARTITION = 'health-counts:';

export class TableDeliveryHealth implements DeliveryHealth {
  constructor(private readonly client: TableClient) {}

  async count(hour: string, undeliverable: boolean): Promise<HourFigures> {
    await ensureTable(this.client);
    const partitionKey = `${HEALTH_PARTITION}${hour}`;
    for (let i = 0; ; i++) {
      const row = await entityOrUndefined<{ total?: number; undeliverable?: number }>(this.client, partitionKey, 'counts');
      const next = { total: (row?.total ?? 0) + 1, undeliverable: (row?.undeliverable ?? 0) + (undeliverable ? 1 : 0) };
      try {
        if (row?.etag) await this.client.updateEntity({ partitionKey, rowKey: 'counts', ...next }, 'Merge', { etag: row.etag });
        else await this.client.createEntity({ partitionKey, rowKey: 'counts', ...next });
        return { hour, ...next };
      } catch (e) {
        // Another report counted first: count again on top of it (a few tries; a lost count is no loss).
        if (!isConflict(e) || i >= TRIES) return { hour, ...next };
      }
    }
  }

  async claimWarning(hour: string): Promise<boolean> {
    try {
      await this.client.createEntity({ partitionKey: `${HEALTH_PARTITION}${hour}`, rowKey: 'warned' });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }
}
