/**
 * The activity port: one record per processed event, for the weekly digest. The Table
 * Storage adapter is tableActivityStore.ts.
 *
 * Layout: PartitionKey = `<tenantId>_<ISO week>` (e.g. `7d3f…_2026-W47`), RowKey = event id.
 * - "Once per event id": the row is inserted, never upserted; a redelivery or a concurrent
 *   writer gets 409 and changes nothing.
 * - The digest reads one partition (its week) with a projection: never a table scan, and
 *   its cost does not grow with history.
 */
import type { EventScope, PimEvent } from '../events/schema.js';

/** What the digest needs of an event; kept small so a week of rows reads fast. */
export interface ActivityRow {
  eventId: string;
  type: PimEvent['type'];
  occurredAt: string;
  scopeKind: EventScope['kind'];
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
