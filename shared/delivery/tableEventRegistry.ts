/**
 * The event registry in Table Storage (port: eventRegistry.ts), kept in the delivery table
 * beside the event's ledger rows: PartitionKey = event id, RowKey = `event-content` (ledger
 * rows are 40 hex digits, so the two never meet). One insert per new event; a conflicting
 * insert (a redelivery, or a race of two copies) reads the row and compares.
 */
import type { TableClient } from '@azure/data-tables';
import type { EventRegistry, Registration } from './eventRegistry.js';
import { ensureTable, statusOf } from '../storage/tables.js';
import { EVENT_REGISTRY_ROW } from './deliveryLedger.js';
import { systemClock, type Clock } from '../time/clock.js';

const ROW_KEY = EVENT_REGISTRY_ROW;

export class TableEventRegistry implements EventRegistry {
  constructor(
    private readonly client: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async register(eventId: string, contentHash: string): Promise<Registration> {
    await ensureTable(this.client);
    try {
      await this.client.createEntity({ partitionKey: eventId, rowKey: ROW_KEY, contentHash, firstSeenAt: this.clock.now().toISOString() });
      return { kind: 'new' };
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
    const row = await this.client.getEntity<{ contentHash?: string; firstSeenAt?: string }>(eventId, ROW_KEY);
    return row.contentHash === contentHash ? { kind: 'same' } : { kind: 'different', firstSeenAt: row.firstSeenAt };
  }
}
