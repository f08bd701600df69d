/**
 * The event sources' state in one table (SOURCES_TABLE), three kinds of row:
 * - `cursor` / `directoryAudits`: how far the audit collector has safely queued;
 * - `emitted` / <hash of key>: an event source already queued this key (an audit record, an
 *   expiry milestone): inserted if absent, never updated, so a second writer changes nothing;
 * - `tracked` / <hash of assignment>: assignments with an end date seen by the scanner, so
 *   that one which has ended (and vanished from the directory) still gets its "expired" event.
 *
 * Keys are hashed into RowKeys: audit ids and ARM scopes contain characters Azure forbids in
 * keys (`/`), and a hash keeps every key the same short length.
 */
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ensureTable, statusOf } from '../storage/tables.js';

export interface CursorStore {
  /** The cursor (ISO date-time), or undefined before the first run. */
  cursor(name: string): Promise<string | undefined>;
  setCursor(name: string, value: string): Promise<void>;
}

export interface EmittedStore {
  has(key: string): Promise<boolean>;
  /** Insert-if-absent; 'duplicate' when another run recorded it first. */
  record(key: string): Promise<'recorded' | 'duplicate'>;
}

export interface TrackedAssignment {
  key: string;
  /** The event fields the scanner needs when the assignment is gone from the directory. */
  data: string;
}

export interface TrackingStore {
  tracked(): Promise<TrackedAssignment[]>;
  track(item: TrackedAssignment): Promise<void>;
  untrack(key: string): Promise<void>;
}

export function rowKeyOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class TableSourcesStore implements CursorStore, EmittedStore, TrackingStore {
  constructor(private readonly client: TableClient) {}

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
      await this.client.createEntity({ partitionKey: 'emitted', rowKey: rowKeyOf(key), key, at: new Date().toISOString() });
      return 'recorded';
    } catch (e) {
      if (statusOf(e) === 409) return 'duplicate';
      throw e;
    }
  }

  async tracked(): Promise<TrackedAssignment[]> {
    await ensureTable(this.client);
    const out: TrackedAssignment[] = [];
    const rows = this.client.listEntities<{ key: string; data: string }>({ queryOptions: { filter: "PartitionKey eq 'tracked'", select: ['key', 'data'] } });
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
}
