/**
 * The event sources' state in one table (SOURCES_TABLE), three kinds of row:
 * - `cursor` / `directoryAudits`: how far the audit collector has safely queued;
 * - `emitted` / <hash of key>: an event source already queued this key (an audit record, an
 *   expiry milestone): inserted if absent, never updated, so a second writer changes nothing;
 * - `tracked` / <hash of assignment>: assignments with an end date seen by the scanner, so
 *   that one which has ended (and vanished from the directory) still gets its "expired" event;
 * - `request` / <hash of kind and request id>: the requests collector's record of a PIM request
 *   as it last read it from PIM, written before each event it queues about it, so the confirmer
 *   bears that event out from the record the app already holds instead of waiting for a list.
 *
 * Keys are hashed into RowKeys: audit ids and ARM scopes contain characters Azure forbids in
 * keys (`/`), and a hash keeps every key the same short length.
 */
import type { AccessKind, ScheduleRequest } from './scheduleRequest.js';

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

/**
 * PIM requests as the app read them from PIM's own APIs. Only the requests collector writes
 * them (from Graph and ARM answers), so a record is PIM's word, not a queue writer's.
 */
export interface RecordedRequests {
  /** Replaces the record of this request (the latest read wins: statuses only move on). */
  recordRequest(request: ScheduleRequest): Promise<void>;
  /** The record of request `id` of this kind of access, or undefined when none was read. */
  recordedRequest(kind: AccessKind, id: string): Promise<ScheduleRequest | undefined>;
}
