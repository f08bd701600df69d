/**
 * The per-event use case behind the queue function: validate, record for the digest,
 * decide, render, and deliver each email exactly once through the ledger.
 *
 * Outcomes the entry point maps: `invalid` → poison queue with the reason, never retried;
 * a thrown error → transient, the host retries the message (nothing is lost, and the ledger
 * makes sure a retry sends only what did not go out).
 */
import { parseEvent, parseEventText, type InvalidEventError } from '../events/parse.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { PermanentSendError, type EmailSender } from '../email/emailSender.js';
import type { ActivityStore } from '../storage/activityStore.js';
import type { Claim, DeliveryLedger, DeliveryOutcome } from '../storage/deliveryLedger.js';
import { planNotifications, type NotifySettings } from './planNotifications.js';

export interface NotifyDeps {
  directory: RoleDirectory;
  sender: EmailSender;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  settings: NotifySettings & { DELIVERY_LEASE_SECONDS: number };
  /** Ids and counts only: never addresses or justifications. */
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export type NotifyOutcome =
  | { kind: 'invalid'; error: InvalidEventError }
  | {
      kind: 'processed';
      eventId: string;
      /** Emails sent by this attempt. */
      sent: number;
      /** Emails an earlier attempt (or delivery of the same message) already sent. */
      alreadySent: number;
      /** Emails refused for good by the transport (recorded, not retried). */
      failed: number;
      activity: 'recorded' | 'duplicate';
    };

/** Another worker holds a fresh claim on some of this event's emails: retry later. */
export class DeliveryBusyError extends Error {
  override readonly name = 'DeliveryBusyError';
}

export async function notifyEvent(message: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  const parsed = typeof message === 'string' ? parseEventText(message) : parseEvent(message);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event = parsed.event;

  // Recorded first: the event happened whatever becomes of its emails, and the insert is
  // idempotent, so the digest counts it once however often the message is delivered.
  const activity = await deps.activity.record(event);
  const plan = await planNotifications(event, deps.directory, deps.settings);
  for (const s of plan.decision.skipped) {
    if (s.reason.startsWith('no mail')) deps.log('warn', `event ${event.id}: user ${s.userId ?? '?'} has no email address; skipped`);
  }
  if (plan.decision.truncated > 0) {
    deps.log('warn', `event ${event.id}: ${plan.decision.truncated} recipients over MAX_RECIPIENTS_PER_EVENT were left out`);
  }

  const claims = await deps.ledger.claim(
    event.id,
    plan.emails.map((e) => ({ key: e.key, operationId: e.operationId, notification: e.recipient.notification })),
    deps.settings.DELIVERY_LEASE_SECONDS * 1000,
  );

  const outcomes: DeliveryOutcome[] = [];
  let sent = 0;
  let alreadySent = 0;
  let busy = 0;
  let transient: unknown;
  const unfinished: string[] = [];
  for (const planned of plan.emails) {
    const claim: Claim = claims.get(planned.key) ?? { kind: 'busy' };
    if (claim.kind === 'done') {
      alreadySent++;
      continue;
    }
    if (claim.kind === 'busy') {
      busy++;
      continue;
    }
    if (transient) {
      unfinished.push(planned.key); // after a transient failure, the rest waits for the retry
      continue;
    }
    try {
      const result = await deps.sender.send(planned.email, { operationId: planned.operationId, mayHaveBeenSent: claim.mayHaveBeenSent });
      outcomes.push({ key: planned.key, status: 'sent', messageId: result.messageId });
      if (result.alreadySent) alreadySent++;
      else sent++;
    } catch (e) {
      if (e instanceof PermanentSendError) {
        deps.log('error', `event ${event.id}: ${planned.recipient.notification} to recipient ${planned.key.slice(0, 12)} refused for good: ${e.message}`);
        outcomes.push({ key: planned.key, status: 'failed', error: e.message });
      } else {
        transient = e;
        unfinished.push(planned.key);
      }
    }
  }
  // Record what went out even when something failed, so the retry skips it.
  if (outcomes.length > 0) await deps.ledger.complete(event.id, outcomes);
  if (unfinished.length > 0) await deps.ledger.release(event.id, unfinished);

  if (transient) throw transient;
  if (busy > 0) throw new DeliveryBusyError(`event ${event.id}: ${busy} emails are being sent by another worker; retry later`);

  const failed = outcomes.filter((o) => o.status === 'failed').length;
  return { kind: 'processed', eventId: event.id, sent, alreadySent, failed, activity };
}
