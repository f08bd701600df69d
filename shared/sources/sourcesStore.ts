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
