/**
 * The id of the event a PIM request's transition becomes, whichever source sees it first: the
 * requests collector (from the request APIs) and the audit collector (from the audit record's
 * request id) both derive it from the request id and the event type, so the notify ledger and
 * the activity table keep one email per person and one digest row.
 */
import { createHash } from 'node:crypto';
import type { PimEventType } from '../events/schema.js';

const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `req:<request id>:<event type>[:<n>]`, the request id hashed when it has characters an event id may not. */
export function requestEventId(requestId: string, type: PimEventType, ordinal?: number): string {
  const suffix = `${type}${ordinal === undefined ? '' : `:${ordinal}`}`;
  const plain = `req:${requestId.toLowerCase()}:${suffix}`;
  return EVENT_ID.test(plain)
    ? plain
    : `req:h-${createHash('sha256').update(requestId.toLowerCase()).digest('hex').slice(0, 40)}:${suffix}`;
}

/** The event types both sources can see for one request; the others (outside PIM, PIM enabled) keep the audit id. */
export const REQUEST_BOUND_TYPES: ReadonlySet<PimEventType> = new Set<PimEventType>([
  'activationPendingApproval',
  'activationApproved',
  'activationDenied',
  'activationCanceled',
  'activationCompleted',
  'assignmentPendingApproval',
  'assignmentRequestDenied',
  'roleAssigned',
  'roleExtended',
  'roleRenewed',
  'requestExpired',
]);
