/**
 * The event registry port (Table Storage adapter: tableEventRegistry.ts): an event id is one
 * event, whatever week it claims and however often it comes. The first delivery stores a
 * hash of the event's content under its id; a redelivery with the same content is the same
 * event, one with other content under the same id is refused (it would mail other people,
 * and count twice in the digest when it claims another week).
 */
import { createHash } from 'node:crypto';
import type { PimEvent } from '../events/schema.js';

export type Registration =
  /** First time this id is seen, or the same content again. */
  | { kind: 'new' | 'same' }
  /** The id is already another event's. */
  | { kind: 'different'; firstSeenAt: string | undefined };

export interface EventRegistry {
  register(eventId: string, contentHash: string): Promise<Registration>;
}

/**
 * sha256 of the validated event (unknown fields already stripped) in a canonical JSON form
 * (keys sorted), so that key order or extra fields a producer adds do not make it another event.
 */
export function eventContentHash(event: PimEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
