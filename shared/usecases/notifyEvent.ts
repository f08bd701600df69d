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
import type { DeliveryLedger } from '../storage/deliveryLedger.js';
import { deliverOnce } from './deliverOnce.js';

export { PoisonRecordTooLargeError, fitsInQueueMessage, poisonRecord } from './poison.js';
import { planNotifications, type NotifySettings } from './planNotifications.js';
import type { Log } from '../log.js';

export interface NotifyDeps {
  directory: RoleDirectory;
  sender: EmailSender;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  settings: NotifySettings & { DELIVERY_LEASE_SECONDS: number };
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
    };

export async function notifyEvent(message: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  const parsed = typeof message === 'string' ? parseEventText(message) : parseEvent(message);
  if (!parsed.ok) return { kind: 'invalid', error: parsed.error };
  const event = parsed.event;

  let plan;
  try {
    plan = await planNotifications(event, deps.directory, deps.settings);
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
  // Ids and counts only: the warnings name no address (recipients.ts).
  for (const w of plan.decision.warnings) deps.log('warn', `event ${event.id} (${event.type}): ${w}`);

  const counts = await deliverOnce(
    event.id,
    plan.emails.map((e) => ({ key: e.key, operationId: e.operationId, notification: e.recipient.notification, email: e.email })),
    { sender: deps.sender, ledger: deps.ledger, leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000, log: deps.log },
  );
  return { kind: 'processed', eventId: event.id, ...counts, activity };
}
