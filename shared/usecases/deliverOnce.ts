/**
 * Sends a set of emails through the delivery ledger so that each goes out once, whatever the
 * retries, redeliveries, overlapping runs or crashes. Shared by the per-event notifications
 * and the weekly digest.
 *
 * Claim all → send what is ours to send → record outcomes → release what we did not finish.
 * A transient failure stops the sending (the rest waits for the retry) and is rethrown, so
 * the host retries the message or the timer; a fresh claim held by another worker is
 * reported as DeliveryBusyError (retry later); PermanentSendError is recorded, not retried.
 */
import { PermanentSendError, type EmailSender, type OutgoingEmail } from '../email/emailSender.js';
import type { DeliveryLedger, DeliveryOutcome } from '../storage/deliveryLedger.js';
import type { Log } from '../log.js';

export interface Deliverable {
  /** The ledger's row key for the recipient (recipientKey). */
  key: string;
  operationId: string;
  notification: string;
  email: OutgoingEmail;
}

export interface DeliveryCounts {
  sent: number;
  alreadySent: number;
  failed: number;
}

export interface DeliverOptions {
  sender: EmailSender;
  ledger: DeliveryLedger;
  leaseMs: number;
  /** Ids and counts only: never addresses. */
  log: Log;
  /**
   * Record each outcome as soon as it is known (long runs such as the digest, where an
   * interruption must leave exact records), instead of one batch at the end (fewer table
   * operations per event).
   */
  recordEach?: boolean;
}

/** Another worker holds a fresh claim on some of these emails: retry later. */
export class DeliveryBusyError extends Error {
  override readonly name = 'DeliveryBusyError';
  constructor(
    message: string,
    /** When the longest of the busy leases runs out (after which the claims can be taken over). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export async function deliverOnce(ledgerId: string, items: Deliverable[], options: DeliverOptions): Promise<DeliveryCounts> {
  const { sender, ledger } = options;
  const claims = await ledger.claim(ledgerId, items.map(({ key, operationId, notification }) => ({ key, operationId, notification })), options.leaseMs);
  const pending: DeliveryOutcome[] = [];
  const unfinished: string[] = [];
  const counts: DeliveryCounts = { sent: 0, alreadySent: 0, failed: 0 };
  let busy = 0;
  let busyForMs: number | undefined;
  let transient: unknown;

  const record = async (outcome: DeliveryOutcome) => {
    pending.push(outcome);
    if (options.recordEach) await ledger.complete(ledgerId, pending.splice(0));
  };

  for (const item of items) {
    const claim = claims.get(item.key) ?? { kind: 'busy' as const };
    if (claim.kind === 'done') {
      if (claim.status === 'failed') counts.failed++;
      else counts.alreadySent++;
      continue;
    }
    if (claim.kind === 'busy') {
      busy++;
      if (claim.retryAfterMs !== undefined) busyForMs = Math.max(busyForMs ?? 0, claim.retryAfterMs);
      continue;
    }
    if (transient) {
      unfinished.push(item.key);
      continue;
    }
    try {
      const result = await sender.send(item.email, { operationId: item.operationId, mayHaveBeenSent: claim.mayHaveBeenSent });
      if (result.alreadySent) counts.alreadySent++;
      else counts.sent++;
      await record({ key: item.key, status: 'sent', messageId: result.messageId });
    } catch (e) {
      if (e instanceof PermanentSendError) {
        options.log('error', `${ledgerId}: ${item.notification} to recipient ${item.key.slice(0, 12)} refused for good: ${e.message}`);
        counts.failed++;
        await record({ key: item.key, status: 'failed', error: e.message });
      } else {
        transient = e;
        unfinished.push(item.key);
      }
    }
  }
  // Record what went out even when something failed, so the retry skips it.
  if (pending.length > 0) await ledger.complete(ledgerId, pending);
  if (unfinished.length > 0) await ledger.release(ledgerId, unfinished);
  if (transient) throw transient;
  if (busy > 0) throw new DeliveryBusyError(`${ledgerId}: ${busy} emails are being sent by another worker; retry later`, busyForMs);
  return counts;
}
