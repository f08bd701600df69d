/**
 * The delivery ledger port (Table Storage adapter: tableDeliveryLedger.ts): one row per
 * delivery (an event, a digest's week, a held-back window) × recipient, so that a message
 * delivered twice, a retry after a partial failure or two overlapping runs send each email
 * once; and what became of each recipient, from the transport's acceptance and the delivery
 * reports. The one delivery path (deliver.ts) and the delivery reports (deliveryReports.ts)
 * use it; the protocol:
 *   - claim: on a delivery's first run each message as a whole, one row listing its members,
 *     with no read first (claimFresh; fenced against every other claim of the delivery);
 *     otherwise row by row (claim): fresh, done, busy (another worker's lease), or taken over
 *     after a crash (mayHaveBeenSent: the transport is asked before anything is sent again);
 *   - plan: before a message is sent, it is named on its rows and an index row (bucketed by
 *     the id's first byte) leads from the message id in a delivery report back to the delivery;
 *   - accepted: at the transport's acceptance the message is recorded once, on its row, not on
 *     each recipient's; a transport that is the mailbox (the outbox) records it delivered;
 *   - recordReport: each delivery report sets the row's `deliveryStatus` (the newest report
 *     wins, so duplicates and reports out of order change nothing; a report may come before
 *     `accepted`); a `Failed` report puts the row back for a resend on its own, under a new id;
 *   - refused / release / handBack: a refusal for good is recorded; claims this worker will
 *     not finish are given up (release: possibly sent) or handed back (never sent).
 * Layout: storage rows in messageRows.ts, the index in messageIndex.ts.
 */
import { createHash } from 'node:crypto';

/**
 * `accepted`: the transport took it; what the mailbox did is the row's delivery report. `sent`:
 * rows written by versions before the one delivery path (sent and polled to the end); read as done.
 */
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

export interface Refusal {
  key: string;
  /** A short, address-free reason. */
  error: string;
}

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
  /** The email the row was for (a NotificationKind, `weeklyDigest`, …). */
  notification?: string;
  /** When the transport accepted the message and when the report's delivery attempt was (trail, fallback). */
  acceptedAt?: string;
  deliveryAt?: string;
  messageId?: string;
  deliveryStatus?: string;
  resends: number;
}

export interface AcceptedMessage {
  /** The id the message was planned under (attempt 0). */
  plannedId: string;
  /** The id the transport took it under (an attempt id may differ from the planned one). */
  messageId: string;
  /** The transport is the mailbox (the outbox): recorded as every member's `Delivered` report. */
  delivered: boolean;
}

/** Every method takes the delivery's id (`deliveryId`): an event id, `digest:<tenant>:<week>`, `held:<recipient>:<window>`. */
export interface DeliveryLedger {
  /** Claims rows the long way: reads the delivery first (a redelivery, a takeover, a concurrent worker). */
  claim(deliveryId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>>;
  /** Records refusals for good (the transport said the address or content will never go). */
  refused(deliveryId: string, refusals: Refusal[]): Promise<void>;
  /**
   * Gives up claims this worker will not finish (a transient send failure): the next attempt
   * takes them over at once, as possibly sent, instead of waiting for the lease to run out.
   */
  release(deliveryId: string, keys: string[]): Promise<void>;
  /** What rows taken over after a crash were planned into (or sent back for). */
  pending(deliveryId: string, keys: string[]): Promise<Map<string, PendingRow>>;
  /** Before sending: names the message on its rows and writes its index row. */
  plan(deliveryId: string, messages: PlannedMessage[]): Promise<void>;
  /**
   * The first delivery's shortcut: claims each message as a whole, members listed, and writes
   * its index row. Returns the ids of the messages now ours to send; once any other claim has
   * looked at the event (a redelivery, a concurrent worker, a takeover), the rest is left for
   * claim() to sort out. `onClaimed` hears of each write's messages as soon as they are ready
   * to send, so sending need not wait for the others.
   */
  claimFresh(deliveryId: string, messages: FreshMessage[], onClaimed?: (messageIds: string[]) => void): Promise<Set<string>>;
  /** After the transport's acceptance: each message recorded once. */
  accepted(deliveryId: string, accepted: AcceptedMessage[]): Promise<void>;
  /** Gives rows back untouched by the transport (their message was never sent): the retry sends them fresh. */
  handBack(deliveryId: string, keys: string[]): Promise<void>;
  /** The delivery a message belongs to (and, for an event, its text, for resends). */
  findMessage(messageId: string): Promise<{ eventId: string; eventText?: string; plannedId?: string } | undefined>;
  recordReport(deliveryId: string, report: DeliveryReport, maxResends: number): Promise<ReportRecord>;
  /** Every recipient of the delivery as it stands. */
  outcomes(deliveryId: string): Promise<RecipientOutcome[]>;
}

export function recipientKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 40);
}

/**
 * A UUID (version-5 layout) derived from the ledger id (an event, a digest's week) and the
 * address: the same send, the same id. Its first byte comes from the ledger id alone, so every
 * id of one event starts alike and their index rows share one partition, written at once
 * (messageIndex.ts).
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
 * send its rows were planned into (messageRows.ts).
 */
export function resendOperationId(operationId: string, resends: number): string {
  return deliveryOperationId(operationId, `resend ${resends}`);
}

/**
 * The row of an event's partition that is not a recipient: the event registry's content hash
 * (tableEventRegistry.ts). Every reader of recipient rows leaves it out.
 */
export const EVENT_REGISTRY_ROW = 'event-content';
