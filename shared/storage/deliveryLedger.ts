/**
 * The delivery ledger port (Table Storage adapter: tableDeliveryLedger.ts): one row per event × recipient, so that a message delivered twice
 * (or a retry after a partial failure) sends each email once.
 *
 * Layout: PartitionKey = event id, RowKey = sha256 of the lower-cased address (addresses
 * may hold characters keys cannot; the address itself is not stored).
 *
 * Protocol per event (5 table operations in the common case, whatever the recipient count):
 *   1. write the fence, read the event's partition      (1 upsert, 1 query; messageRows.ts)
 *   2. insert a `claimed` row for each new recipient    (1 transaction per 100)
 *   3. send
 *   4. mark rows `sent` / `failed`                      (1 transaction per 100)
 * A claim without an outcome means an earlier attempt died between 2 and 4: while its lease
 * is fresh another worker may be sending it (→ busy: retry later); once stale, the send is
 * taken over and the transport is told it may already have gone out (mayHaveBeenSent).
 */
import { createHash } from 'node:crypto';

/** `accepted`: the transport took it (ACS 202); what the mailbox did is the row's delivery report (AcceptanceLedger). */
export type DeliveryStatus = 'claimed' | 'sent' | 'failed' | 'accepted';

export interface DeliveryRequest {
  /** sha256 of the lower-cased address: recipientKey(). */
  key: string;
  operationId: string;
  notification: string;
}

export type Claim =
  | { kind: 'send'; mayHaveBeenSent: boolean }
  | { kind: 'done'; status: 'sent' | 'failed' | 'accepted' }
  /** Another worker claimed it moments ago and may be sending it right now. */
  | { kind: 'busy'; retryAfterMs?: number };

export interface DeliveryOutcome {
  key: string;
  status: 'sent' | 'failed';
  messageId?: string;
  /** A short, address-free reason for failures. */
  error?: string;
}

export interface DeliveryLedger {
  claim(eventId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>>;
  complete(eventId: string, outcomes: DeliveryOutcome[]): Promise<void>;
  /**
   * Gives up claims this worker will not finish (a transient send failure): the next attempt
   * takes them over at once, as possibly sent, instead of waiting for the lease to run out.
   */
  release(eventId: string, keys: string[]): Promise<void>;
}

/**
 * The grouped, accept-then-report delivery (usecases/deliverGrouped.ts, recordDeliveryReport.ts)
 * on the same rows, in columns of its own, and on rows per message (storage/messageRows.ts):
 *   - before a message is sent, its recipients are claimed and it is named as theirs, and an
 *     index row (bucketed by the id's first byte) leads from the message id in a delivery report back to the event.
 *     On an event's first delivery that is one row per message listing its members, in one
 *     write per 99 messages, with no read first (claimFresh; fenced against every other claim
 *     of the event); otherwise each recipient's row names it (`acsMessageId`, plan());
 *   - at ACS's 202 the message is recorded `accepted` once, on its row, not on each recipient's;
 *   - each delivery report sets the row's `deliveryStatus` (the newest report wins, so
 *     duplicates and reports out of order change nothing; a report may come before `accepted`);
 *   - a `Failed` report puts the row back for a resend on its own, under a new operation id.
 */
export interface PendingRow {
  /** The message this recipient was planned into before a crash, if any. */
  messageId?: string;
  /** A delivery report said Failed: send again to this person alone. */
  resend: boolean;
  /** Handed back before its message was sent (throttling): nothing to ask the transport. */
  notSent: boolean;
  /** Resends a Failed report has caused so far: the generation of a resend's id (resendOperationId). */
  resends: number;
}

export interface PlannedMessage {
  /** The message's operation id (attempt 0). */
  messageId: string;
  keys: string[];
  /** The event as received (for a resend after a Failed report); omitted when too large to keep. */
  eventText?: string;
}

/**
 * A message of an event's first delivery: claimed as a whole, one row listing its members
 * (claim and plan at once), so nothing needs reading first.
 */
export interface FreshMessage {
  /** The message's operation id (attempt 0). */
  messageId: string;
  requests: DeliveryRequest[];
  eventText?: string;
}

export interface DeliveryReport {
  messageId: string;
  /** sha256 key of the recipient's address. */
  key: string;
  /** Delivered, Bounced, Suppressed, Failed, Quarantined, FilteredSpam, Expanded, … */
  status: string;
  /** deliveryAttemptTimestamp: orders reports. */
  at: string;
  detail?: string;
}

export type ReportRecord =
  /** Recorded; `resend` when the row went back for a resend (status Failed). */
  | { kind: 'recorded'; resend: boolean }
  /** A newer report (or a later message to the same person) is already recorded, or this one was. */
  | { kind: 'stale' }
  /** A Failed report before the sender wrote the accept: recorded, retried for the resend decision. */
  | { kind: 'early' }
  /** No such recipient in that event. */
  | { kind: 'unknown' };

export interface RecipientOutcome {
  key: string;
  status: DeliveryStatus;
  messageId?: string;
  deliveryStatus?: string;
  resends: number;
}

export interface AcceptanceLedger {
  pending(eventId: string, keys: string[]): Promise<Map<string, PendingRow>>;
  /** Before sending: names the message on its rows and writes its index row. */
  plan(eventId: string, messages: PlannedMessage[]): Promise<void>;
  /**
   * The first delivery's shortcut: claims each message as a whole, members listed, and writes
   * its index row. Returns the ids of the messages now ours to send; once any other claim has
   * looked at the event (a redelivery, a concurrent worker, a takeover), the rest is left for
   * claim() to sort out. `onClaimed` hears of each write's messages as soon as they are ready
   * to send, so sending need not wait for the others.
   */
  claimFresh(eventId: string, messages: FreshMessage[], onClaimed?: (messageIds: string[]) => void): Promise<Set<string>>;
  /** After ACS's 202: each message accepted, once, under the id ACS took (an attempt id may differ from the planned one). */
  accepted(eventId: string, accepted: { plannedId: string; messageId: string }[]): Promise<void>;
  /** Gives rows back untouched by the transport (their message was never sent): the retry sends them fresh. */
  handBack(eventId: string, keys: string[]): Promise<void>;
  /** The event a message belongs to (and its text, for resends). */
  findMessage(messageId: string): Promise<{ eventId: string; eventText?: string; plannedId?: string } | undefined>;
  recordReport(eventId: string, report: DeliveryReport, maxResends: number): Promise<ReportRecord>;
  outcomes(eventId: string): Promise<RecipientOutcome[]>;
}

export function recipientKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 40);
}

/**
 * A UUID (version-5 layout) derived from the ledger id (an event, a digest's week) and the
 * address: the same send, the same id. Its first byte comes from the ledger id alone, so every
 * id of one event starts alike and their index rows share one partition, written at once
 * (tableAcceptanceLedger.ts).
 */
export function deliveryOperationId(ledgerId: string, address: string): string {
  const h = createHash('sha1').update(`pim-notify\n${ledgerId}\n${address.trim().toLowerCase()}`).digest();
  h[0] = createHash('sha1').update(`pim-notify\n${ledgerId}`).digest()[0]!;
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The planned id of a recipient's n-th resend after Failed reports (n ≥ 1): an id of its own per
 * generation, never the id of an earlier send, so a message's accepted-row can only mean the
 * send its rows were planned into (storage/messageRows.ts).
 */
export function resendOperationId(operationId: string, resends: number): string {
  return deliveryOperationId(operationId, `resend ${resends}`);
}

/**
 * The row of an event's partition that is not a recipient: the event registry's content hash
 * (tableEventRegistry.ts). Every reader of recipient rows leaves it out.
 */
export const EVENT_REGISTRY_ROW = 'event-content';
