/**
 * The per-event use case behind the queue function: validate, record for the digest,
 * decide, render, and deliver each email exactly once through the ledger.
 *
 * Outcomes the entry point maps: `invalid` → poison queue with the reason, never retried;
 * a thrown error → transient, the host retries the message (nothing is lost, and the ledger
 * makes sure a retry sends only what did not go out).
 */
import { InvalidEventError, parseEvent, parseEventText } from '../events/parse.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import type { EmailSender } from '../email/emailSender.js';
import type { ActivityStore } from '../storage/activityStore.js';
import type { AcceptanceLedger, DeliveryLedger } from '../storage/deliveryLedger.js';
import type { EventRequeue } from '../storage/eventRequeue.js';
import { isGroupSender, QuotaExceededError } from '../email/groupSender.js';
import type { Settings } from '../settings/settings.js';
import { deliverOnce } from './deliverOnce.js';
import { deliverGrouped } from './deliverGrouped.js';

export { PoisonRecordTooLargeError, fitsInQueueMessage, poisonRecord } from './poison.js';
import { planNotifications, type NotifySettings } from './planNotifications.js';
import type { Log } from '../log.js';

export interface NotifyDeps {
  directory: RoleDirectory;
  sender: EmailSender;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  settings: NotifySettings & { DELIVERY_LEASE_SECONDS: number } & Partial<Pick<Settings, 'EMAIL_GROUPING' | 'EMAIL_SEND_CONCURRENCY'>>;
  /**
   * With both, a sender that can take one message to many (ACS) delivers accept-then-report,
   * grouped (deliverGrouped.ts); a throttled event is put back for later instead of failing.
   */
  acceptance?: AcceptanceLedger;
  requeue?: EventRequeue;
  /** Ids and counts only: never addresses or justifications. */
  log: Log;
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
    }
  /** ACS's quota ran out part-way: what went out is recorded, the event is queued again for `retryAfterMs` from now. */
  | { kind: 'deferred'; eventId: string; retryAfterMs: number; activity: 'recorded' | 'duplicate' };

export async function notifyEvent(message: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  const parsed = typeof message === 'string' ? parseEventText(message) : parseEvent(message);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event = parsed.event;

  let plan;
  try {
    plan = await planNotifications(event, deps.directory, deps.settings, { personal: personalEmails(deps) });
  } catch (e) {
    if (e instanceof InvalidEventError) return { kind: 'invalid', error: e };
    throw e;
  }
  // Recorded before sending: the event happened whatever becomes of its emails, and the
  // insert is idempotent, so the digest counts it once however often the message comes.
  const activity = await deps.activity.record(event);
  for (const s of plan.decision.skipped) {
    if (s.reason.startsWith('no mail')) deps.log('warn', `event ${event.id}: user ${s.userId ?? '?'} has no email address; skipped`);
  }
  if (plan.decision.truncated > 0) {
    deps.log('warn', `event ${event.id}: ${plan.decision.truncated} recipients over MAX_RECIPIENTS_PER_EVENT were left out`);
  }

  const items = plan.emails.map((e) => ({ key: e.key, operationId: e.operationId, notification: e.recipient.notification, email: e.email }));
  const leaseMs = deps.settings.DELIVERY_LEASE_SECONDS * 1000;
  const { sender, acceptance, requeue } = deps;
  if (!isGroupSender(sender) || !acceptance || !requeue) {
    const counts = await deliverOnce(event.id, items, { sender, ledger: deps.ledger, leaseMs, log: deps.log });
    return { kind: 'processed', eventId: event.id, ...counts, activity };
  }
  const eventText = typeof message === 'string' ? message : JSON.stringify(message);
  try {
    const { messages, ...counts } = await deliverGrouped(event.id, items, {
      sender,
      ledger: deps.ledger,
      acceptance,
      leaseMs,
      concurrency: deps.settings.EMAIL_SEND_CONCURRENCY ?? 8,
      perPerson: deps.settings.EMAIL_GROUPING === 'perPerson',
      eventText,
      log: deps.log,
    });
    deps.log('info', `event ${event.id}: ${messages} ACS messages accepted`);
    return { kind: 'processed', eventId: event.id, ...counts, activity };
  } catch (e) {
    if (!(e instanceof QuotaExceededError)) throw e;
    await requeue.later(eventText, e.retryAfterMs);
    deps.log('warn', `event ${event.id}: ACS quota used up; the rest waits ${Math.ceil(e.retryAfterMs / 1000)} s on the queue`);
    return { kind: 'deferred', eventId: event.id, retryAfterMs: e.retryAfterMs, activity };
  }
}

/** In shared grouping the emails carry a neutral greeting, so that identical ones can go as one message. */
export function personalEmails(deps: Pick<NotifyDeps, 'sender' | 'acceptance' | 'requeue' | 'settings'>): boolean {
  return !(isGroupSender(deps.sender) && deps.acceptance && deps.requeue) || deps.settings.EMAIL_GROUPING === 'perPerson';
}
