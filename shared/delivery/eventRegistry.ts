/**
 * The event registry port (Table Storage adapter: tableEventRegistry.ts): an event id is one
 * event, whatever week it claims and however often it comes. The first delivery stores a
 * hash of the event's content under its id; a redelivery with the same content is the same
 * event, one with other content under the same id is refused (it would mail other people,
 * and count twice in the digest when it claims another week).
 */
import { createHash } from 'node:crypto';
import { isoWeekOf } from '../time/isoWeek.js';
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
 * sha256 of what makes an event the event it is: its type, tenant, scope (and access), role,
 * principal, request and the ISO week it happened in, ids compared case-insensitively. Two
 * sources that see the same request (the audit log and the request APIs) describe it with
 * other names, times and texts but the same facts, so they are one event; the same id with
 * another role, principal, scope or week is another event and is refused.
 */
export function eventContentHash(event: PimEvent): string {
  const lower = (v: string | undefined) => v?.toLowerCase().replace(/\/+$/, '');
  const identity = {
    id: event.id,
    type: event.type,
    tenantId: lower(event.tenantId),
    week: isoWeekOf(event.occurredAt).id,
    scope: { kind: event.scope.kind, id: lower(event.scope.id), accessId: 'accessId' in event.scope ? event.scope.accessId : undefined },
    role: lower(event.role?.id),
    principal: lower(event.principal?.id),
    request: event.request?.id,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
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
