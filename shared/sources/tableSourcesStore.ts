/** The sources' state in Table Storage (the row kinds are described in sourcesStore.ts). */
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ensureTable, statusOf } from '../storage/tables.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { AccessKind, ScheduleRequest } from './scheduleRequest.js';
import type { CursorStore, EmittedStore, RecordedRequests, TrackedAssignment, TrackingStore } from './sourcesStore.js';

export function rowKeyOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class TableSourcesStore implements CursorStore, EmittedStore, TrackingStore, RecordedRequests {
  constructor(
    private readonly client: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async cursor(name: string): Promise<string | undefined> {
    await ensureTable(this.client);
    try {
      const row = await this.client.getEntity<{ value: string }>('cursor', name);
      return row.value;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async setCursor(name: string, value: string): Promise<void> {
    await ensureTable(this.client);
    await this.client.upsertEntity({ partitionKey: 'cursor', rowKey: name, value }, 'Replace');
  }

  async has(key: string): Promise<boolean> {
    await ensureTable(this.client);
    try {
      await this.client.getEntity('emitted', rowKeyOf(key), { queryOptions: { select: ['PartitionKey'] } });
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw e;
    }
  }

  async record(key: string): Promise<'recorded' | 'duplicate'> {
    await ensureTable(this.client);
    try {
      await this.client.createEntity({ partitionKey: 'emitted', rowKey: rowKeyOf(key), key, at: this.clock.now().toISOString() });
      return 'recorded';
    } catch (e) {
      if (statusOf(e) === 409) return 'duplicate';
      throw e;
    }
  }

  async tracked(): Promise<TrackedAssignment[]> {
    await ensureTable(this.client);
    const out: TrackedAssignment[] = [];
    const rows = this.client.listEntities<{ key: string; data: string }>({
      queryOptions: { filter: "PartitionKey eq 'tracked'", select: ['key', 'data'] },
    });
    for await (const row of rows) out.push({ key: row.key, data: row.data });
    return out;
  }

  async track(item: TrackedAssignment): Promise<void> {
    await ensureTable(this.client);
    await this.client.upsertEntity({ partitionKey: 'tracked', rowKey: rowKeyOf(item.key), key: item.key, data: item.data }, 'Replace');
  }

  async untrack(key: string): Promise<void> {
    await ensureTable(this.client);
    try {
      await this.client.deleteEntity('tracked', rowKeyOf(key));
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }

  async recordRequest(request: ScheduleRequest): Promise<void> {
    await ensureTable(this.client);
    await this.client.upsertEntity(
      {
        partitionKey: 'request',
        rowKey: requestKey(request.kind, request.id),
        data: JSON.stringify(request),
        at: this.clock.now().toISOString(),
      },
      'Replace',
    );
  }

  async recordedRequest(kind: AccessKind, id: string): Promise<ScheduleRequest | undefined> {
    await ensureTable(this.client);
    try {
      const row = await this.client.getEntity<{ data: string }>('request', requestKey(kind, id), { queryOptions: { select: ['data'] } });
      return JSON.parse(row.data) as ScheduleRequest;
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }
}

/** Request ids are GUIDs (Graph) or names (ARM), compared case-insensitively as PIM does. */
function requestKey(kind: AccessKind, id: string): string {
  return rowKeyOf(`${kind} ${id.toLowerCase()}`);
}
