/**
 * The rows a message keeps in its event's partition of the delivery table, so that the ledger
 * writes per message, not per recipient (a 1,000-recipient event: 21 message rows in one
 * transaction, then 21 accepts in another, instead of 2,000 recipient rows in twenty):
 *
 *   `msg-<planned id>`  on an event's first delivery, the message's claim: its members (the
 *                       recipients' keys), its notification and the claim's time, written
 *                       instead of a row per recipient; and, at the transport's acceptance, for every message,
 *                       `acceptedAs` (the id it was taken under), `acceptedAt`, and from the outbox its Delivered report.
 *   `fresh-claims`      the fence between a first delivery's claim (which reads nothing) and
 *                       any other claim of the event (which reads first): see tableDeliveryLedger.ts.
 *
 * A recipient's row as it stands is its message's claim, overlaid by the recipient's own row
 * when there is one (a takeover, a release, a delivery report, a resend write only the fields
 * they change), then settled by its message's accept: a row still `claimed` that names a
 * message the transport accepted reads `accepted`. Planned ids are never reused for another send (a
 * batch's id comes from its event, content and exact members; a resend's from its
 * generation, resendOperationId), so an accept can only stand for the send its rows name.
 * Rows an earlier version wrote `accepted` itself read as they are.
 */
import type { DeliveryStatus } from './deliveryLedger.js';

const MESSAGE_PREFIX = 'msg-';
/** The first delivery's fence row (RowKey in the event's partition). */
export const FRESH_CLAIMS_ROW = 'fresh-claims';

export interface MessageRow {
  partitionKey: string;
  rowKey: string;
  /** Comma-separated recipient keys: present when the message was claimed as a whole. */
  members?: string;
  notification?: string;
  claimedAt?: string;
  /** Set at the acceptance: the id the transport took it under (an attempt id may differ from the planned one). */
  acceptedAs?: string;
  acceptedAt?: string;
  /** Set with the accept when the transport is the mailbox (the outbox): its members' Delivered report. */
  deliveryStatus?: string;
  deliveryAt?: string;
  deliveryMessageId?: string;
  etag?: string;
}

export interface RecipientRowFields {
  partitionKey: string;
  rowKey: string;
  status?: DeliveryStatus;
  claimedAt?: string;
  acsMessageId?: string;
  acceptedAt?: string;
  notification?: string;
  resend?: boolean;
  notSent?: boolean;
  deliveryStatus?: string;
  deliveryAt?: string;
  deliveryMessageId?: string;
  etag?: string;
}

export const messageRowKey = (plannedId: string): string => `${MESSAGE_PREFIX}${plannedId.toLowerCase()}`;
export const isMessageRow = (rowKey: string): boolean => rowKey.startsWith(MESSAGE_PREFIX);
/** Recipient keys are 40 hex digits (recipientKey); every other row of the partition is not one. */
export const isRecipientRow = (rowKey: string): boolean => /^[0-9a-f]{40}$/.test(rowKey);

export function membersOf(message: MessageRow): string[] {
  return message.members ? message.members.split(',') : [];
}

/** A member's row as its message's claim gives it, before any row of its own. */
export function claimedMember(message: MessageRow, key: string): RecipientRowFields {
  return {
    partitionKey: message.partitionKey,
    rowKey: key,
    status: 'claimed',
    claimedAt: message.claimedAt ?? new Date(0).toISOString(),
    acsMessageId: message.rowKey.slice(MESSAGE_PREFIX.length),
    ...(message.notification ? { notification: message.notification } : {}),
    resend: false,
    notSent: false,
  };
}

/** The message a row still waits on (claimed, naming one), whose accept would settle it. */
export function awaitedMessage(row: { status?: DeliveryStatus; acsMessageId?: string }): string | undefined {
  return row.status === 'claimed' && row.acsMessageId ? row.acsMessageId : undefined;
}

/** The row as its message's accept leaves it. */
export function settle<R extends RecipientRowFields>(row: R, messages: ReadonlyMap<string, MessageRow>): R {
  const planned = awaitedMessage(row);
  const message = planned === undefined ? undefined : messages.get(messageRowKey(planned));
  if (!message?.acceptedAs) return row;
  // A report of the recipient's own (newer, or about them alone) wins over the message's.
  const delivered =
    message.deliveryStatus && !row.deliveryStatus
      ? { deliveryStatus: message.deliveryStatus, deliveryAt: message.deliveryAt, deliveryMessageId: message.deliveryMessageId }
      : {};
  return {
    ...row,
    status: 'accepted',
    acsMessageId: message.acceptedAs,
    ...(message.acceptedAt ? { acceptedAt: message.acceptedAt } : {}),
    ...delivered,
  };
}

/**
 * Every recipient of an event's partition as it stands: members of claimed messages, overlaid
 * by their own rows, settled by the accepts. `own` rows keep their ETag; a member without one
 * has none (its first write is a create).
 */
export function recipientsOf<R extends RecipientRowFields>(entities: Iterable<R & MessageRow>): R[] {
  const messages = new Map<string, MessageRow>();
  const own = new Map<string, R>();
  for (const e of entities) {
    if (isMessageRow(e.rowKey)) messages.set(e.rowKey, e);
    else if (isRecipientRow(e.rowKey)) own.set(e.rowKey, e);
  }
  const rows = new Map<string, R>();
  for (const message of messages.values()) {
    for (const key of membersOf(message)) if (!rows.has(key)) rows.set(key, claimedMember(message, key) as R);
  }
  for (const [key, row] of own) {
    const base = rows.get(key);
    rows.set(key, base ? { ...base, ...row } : row);
  }
  return [...rows.values()].filter((r) => r.status !== undefined).map((r) => settle(r, messages));
}

/** The fields that hold a value (an empty string is a field cleared for a resend). */
export function present<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as Partial<Record<keyof T, string>>;
}
