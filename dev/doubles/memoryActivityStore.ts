import type { PimEvent } from '../../shared/events/schema.js';
import { isoWeekOf } from '../../shared/time/isoWeek.js';
import { activityPartition, toActivityRow, type ActivityRow, type ActivityStore } from '../../shared/activity/activityStore.js';

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
