/**
 * The activity table: one row per processed event, for the weekly digest.
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
import { ensureTable, statusOf } from './tables.js';

/** What the digest needs of an event; kept small so a week of rows reads fast. */
export interface ActivityRow {
  eventId: string;
  type: PimEvent['type'];
  occurredAt: string;
  scopeKind: 'directory' | 'azureResource';
  assignmentState?: 'eligible' | 'active';
}

export interface ActivityStore {
  /** Records the event once; 'duplicate' when its id was already recorded. */
  record(event: PimEvent): Promise<'recorded' | 'duplicate'>;
  /** Every row of one tenant's ISO week, each event id once. */
  week(tenantId: string, weekId: string): AsyncIterable<ActivityRow>;
}

export function activityPartition(tenantId: string, weekId: string): string {
  return `${tenantId.toLowerCase()}_${weekId}`;
}

export function toActivityRow(event: PimEvent): ActivityRow {
  return {
    eventId: event.id,
    type: event.type,
    occurredAt: new Date(event.occurredAt).toISOString(),
    scopeKind: event.scope.kind,
    assignmentState: event.assignment?.state,
  };
}

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

/** In memory, for the CLI (`digest --activity FILE`) and unit tests of other modules. */
export class MemoryActivityStore implements ActivityStore {
  private readonly rows = new Map<string, Map<string, ActivityRow>>();

  async record(event: PimEvent): Promise<'recorded' | 'duplicate'> {
    const pk = activityPartition(event.tenantId, isoWeekOf(event.occurredAt).id);
    let partition = this.rows.get(pk);
    if (!partition) this.rows.set(pk, (partition = new Map()));
    if (partition.has(event.id)) return 'duplicate';
    partition.set(event.id, toActivityRow(event));
    return 'recorded';
  }

  async *week(tenantId: string, weekId: string): AsyncIterable<ActivityRow> {
    yield* this.rows.get(activityPartition(tenantId, weekId))?.values() ?? [];
  }
}
