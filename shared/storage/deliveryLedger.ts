/**
 * The delivery ledger port (Table Storage adapter: tableDeliveryLedger.ts): one row per event × recipient, so that a message delivered twice
 * (or a retry after a partial failure) sends each email once.
 *
 * Layout: PartitionKey = event id, RowKey = sha256 of the lower-cased address (addresses
 * may hold characters keys cannot; the address itself is not stored).
 *
 * Protocol per event (4 table operations in the common case, whatever the recipient count):
 *   1. read the event's partition                       (1 query)
 *   2. insert a `claimed` row for each new recipient    (1 transaction per 100)
 *   3. send
 *   4. mark rows `sent` / `failed`                      (1 transaction per 100)
 * A claim without an outcome means an earlier attempt died between 2 and 4: while its lease
 * is fresh another worker may be sending it (→ busy: retry later); once stale, the send is
 * taken over and the transport is told it may already have gone out (mayHaveBeenSent).
 */
import { createHash } from 'node:crypto';

export type DeliveryStatus = 'claimed' | 'sent' | 'failed';

export interface DeliveryRequest {
  /** sha256 of the lower-cased address: recipientKey(). */
  key: string;
  operationId: string;
  notification: string;
}

export type Claim =
  | { kind: 'send'; mayHaveBeenSent: boolean }
  | { kind: 'done'; status: 'sent' | 'failed' }
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

export function recipientKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 40);
}

/** A UUID (version-5 layout) derived from the event and the address: the same send, the same id. */
export function deliveryOperationId(eventId: string, address: string): string {
  const h = createHash('sha1').update(`pim-notify\n${eventId}\n${address.trim().toLowerCase()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
