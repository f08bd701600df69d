/**
 * The activity table (Table Storage adapter of ActivityStore): one row per processed event.
 *
 * Layout: PartitionKey = `<tenantId>_<ISO week>` (e.g. `7d3f…_2026-W47`), RowKey = event id.
 * - "Once per event id": the row is inserted, never upserted; a redelivery or a concurrent
 *   writer gets 409 and changes nothing.
 * - The digest reads one partition (its week) with a projection: never a table scan, and
 *   its cost does not grow with history.
 */
import type { TableClient } from '@azure/data-tables';
import type { PimEvent } from '../events/schema.js';
import { isoWeekOf } from '../time/isoWeek.js';
import { activityPartition, toActivityRow, type ActivityRow, type ActivityStore } from './activityStore.js';
import { ensureTable, statusOf } from '../storage/tables.js';

export class TableActivityStore implements ActivityStore {
  constructor(private readonly client: TableClient) {}

  async record(event: PimEvent): Promise<'recorded' | 'duplicate'> {
    await ensureTable(this.client);
    const row = toActivityRow(event);
    try {
      await this.client.createEntity({
        partitionKey: activityPartition(event.tenantId, isoWeekOf(event.occurredAt).id),
        rowKey: event.id,
        type: row.type,
        occurredAt: row.occurredAt,
        scopeKind: row.scopeKind,
        ...(row.assignmentState ? { assignmentState: row.assignmentState } : {}),
      });
      return 'recorded';
    } catch (e) {
      if (statusOf(e) === 409) return 'duplicate';
      throw e;
    }
  }

  async *week(tenantId: string, weekId: string): AsyncIterable<ActivityRow> {
    await ensureTable(this.client);
    const pk = activityPartition(tenantId, weekId);
    const entities = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${pk}'`, select: ['RowKey', 'type', 'occurredAt', 'scopeKind', 'assignmentState'] },
    });
    for await (const e of entities) {
      yield {
        eventId: String(e['rowKey']),
        type: e['type'] as ActivityRow['type'],
        occurredAt: String(e['occurredAt']),
        scopeKind: e['scopeKind'] as ActivityRow['scopeKind'],
        assignmentState: (e['assignmentState'] as ActivityRow['assignmentState']) ?? undefined,
      };
    }
  }
}
