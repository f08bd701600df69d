/**
 * The per-event use case behind the queue function: validate, confirm with PIM, record for the digest,
 * decide, render, and deliver each email exactly once through the ledger.
 *
 * Outcomes the entry point maps: `invalid` → poison queue with the reason, never retried
 * (a reused event id, and an event PIM's records do not bear out, included); `awaitingPim` →
 * queued again for when PIM's records may show it; `busy` → deferred for later, never failed; a thrown
 * error → transient, the host retries the message (nothing is lost, and the ledger makes
 * sure a retry sends only what did not go out).
 */
import { InvalidEventError, parseEvent, parseEventText } from '../events/parse.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { notConfirmedReason, type PimConfirmer } from '../confirm/pimConfirmer.js';
import type { EmailSender } from '../email/emailSender.js';
import type { ActivityStore } from '../storage/activityStore.js';
import type { AcceptanceLedger, DeliveryLedger } from '../storage/deliveryLedger.js';
import { eventContentHash, type EventRegistry } from '../storage/eventRegistry.js';
import type { EventRequeue } from '../storage/eventRequeue.js';
import { isGroupSender, QuotaExceededError } from '../email/groupSender.js';
import type { PimEvent } from '../events/schema.js';
import { SETTINGS, type Settings } from '../settings/settings.js';
import { DeliveryBusyError, deliverOnce } from './deliverOnce.js';
import { missingPermission } from '../permissions/missing.js';
import { waitForPermission, type PermissionWaitOutcome, type PermissionWaitSettings } from './permissionWait.js';
import { deliverGrouped } from './deliverGrouped.js';
import { holdBack, type RateSettings } from './holdBack.js';
import type { RecipientRates } from '../storage/recipientRates.js';

export { fitsInQueueMessage, messageTextOf, poisonEntry, poisonRecord } from './poison.js';
import { planNotifications, type NotifySettings } from './planNotifications.js';
import type { Log } from '../log.js';
import type { Clock } from '../time/clock.js';

export interface NotifyDeps {
  directory: RoleDirectory;
  sender: EmailSender;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  /** An event id is one event: a reuse with other content is refused. */
  registry: EventRegistry;
  settings: NotifySettings & { DELIVERY_LEASE_SECONDS: number } & Partial<Pick<Settings, 'EMAIL_GROUPING' | 'EMAIL_SEND_CONCURRENCY'> & PermissionWaitSettings> & RateSettings;
  /** The per-recipient rate limit of informational emails (holdBack.ts); without it nothing is held back. */
  rates?: RecipientRates;
  /**
   * With both, a sender that can take one message to many (ACS) delivers accept-then-report,
   * grouped (deliverGrouped.ts); a throttled event is put back for later instead of failing.
   */
  acceptance?: AcceptanceLedger;
  requeue?: EventRequeue;
  /**
   * Is the event what PIM's records say happened (docs/trust.md)? Asked before anything is
   * recorded or sent; without one (unit tests of something else) events are taken as they come.
   */
  confirmer?: PimConfirmer;
  /** The app's clock (how long an event may wait for a missing permission). */
  clock: Clock;
  /** Ids and counts only: never addresses or justifications. */
  log: Log;
}

export type NotifyOutcome =
  | { kind: 'invalid'; error: InvalidEventError }
  /**
   * Another worker holds fresh claims on some of its emails (it is sending them, or died
   * doing so): the entry point defers the message for `retryAfterSeconds` instead of
   * failing, since a failure would use up one of the message's tries.
   */
  | { kind: 'busy'; eventId: string; retryAfterSeconds: number }
  | {
      kind: 'processed';
      eventId: string;
      /** Emails sent by this attempt. */
      sent: number;
      /** Emails an earlier attempt (or delivery of the same message) already sent. */
      alreadySent: number;
      /** Emails refused for good by the transport (recorded, not retried). */
      failed: number;
      /** Informational emails held back by the rate limit, for the recipient's summary. */
      held: number;
      activity: 'recorded' | 'duplicate';
    }
  /** ACS's quota ran out part-way: what went out is recorded, the event is queued again for `retryAfterMs` from now. */
  | { kind: 'deferred'; eventId: string; retryAfterMs: number; activity: 'recorded' | 'duplicate' }
  /** A directory read was refused (permission missing): queued again to wait for the grant. */
  | PermissionWaitOutcome
  /**
   * PIM's records do not show the event yet, and it is recent enough for that to be replication
   * lag: queued again for `retryAfterMs` from now, nothing recorded or sent.
   */
  | { kind: 'awaitingPim'; eventId: string; retryAfterMs: number; reason: string };

export async function notifyEvent(message: unknown, deps: NotifyDeps): Promise<NotifyOutcome> {
  const parsed = typeof message === 'string' ? parseEventText(message) : parseEvent(message);
  if (parsed.kind === 'invalid') return { kind: 'invalid', error: parsed.error };
  const event = parsed.event;
  // What goes back on the queue when the event must wait (busy, throttled, PIM lagging): the event as received.
  const eventText = typeof message === 'string' ? message : JSON.stringify(message);

  // First of all, so that a forged event is neither mailed, nor counted in the digest, nor
  // registered under an id a real event may need.
  let confirmation;
  try {
    confirmation = deps.confirmer ? await deps.confirmer.confirm(event) : undefined;
  } catch (e) {
    const waiting = await waitIfPermissionMissing(e, event, eventText, deps);
    if (waiting) return waiting;
    throw e;
  }
  if (confirmation?.kind === 'notConfirmed') {
    return { kind: 'invalid', error: new InvalidEventError(event.id, [{ path: '', message: notConfirmedReason(confirmation.reason) }]) };
  }
  if (confirmation?.kind === 'notYet') {
    // Without a queue to wait on, the host's retry (a try used up) is the wait.
    if (!deps.requeue) throw new Error(`event ${event.id}: not in PIM's records yet (${confirmation.reason})`);
    await deps.requeue.later(eventText, confirmation.retryAfterMs);
    return { kind: 'awaitingPim', eventId: event.id, retryAfterMs: confirmation.retryAfterMs, reason: confirmation.reason };
  }
  if (confirmation?.kind === 'unchecked' && confirmation.warn) deps.log('warn', `event ${event.id} (${event.type}): mailed unconfirmed by PIM: ${confirmation.reason}`);

  let plan;
  try {
    plan = await planNotifications(event, deps.directory, deps.settings, { personal: personalEmails(deps) });
  } catch (e) {
    if (e instanceof InvalidEventError) return { kind: 'invalid', error: e };
    const waiting = await waitIfPermissionMissing(e, event, eventText, deps);
    if (waiting) return waiting;
    throw e;
  }
  const registration = await deps.registry.register(event.id, eventContentHash(event));
  if (registration.kind === 'different') {
    const since = registration.firstSeenAt ? ` first seen ${registration.firstSeenAt}` : '';
    return { kind: 'invalid', error: new InvalidEventError(event.id, [{ path: 'id', message: `is already the id of a different event${since}; an id must not be reused` }]) };
  }
  // Recorded whatever becomes of its emails (the event happened), while they go out rather
  // than before (it would add a table round trip to every event): the insert is idempotent and
  // a failure of either is retried with the message, so the digest counts it once however
  // often the message comes. Awaited before returning, on every path (the finally below).
  const recording = deps.activity.record(event);
  recording.catch(() => undefined);
  for (const s of plan.decision.skipped) {
    if (s.reason.startsWith('no mail')) deps.log('warn', `event ${event.id}: user ${s.userId ?? '?'} has no email address; skipped`);
  }
  // Ids and counts only: the warnings name no address (recipients.ts).
  for (const w of plan.decision.warnings) deps.log('warn', `event ${event.id} (${event.type}): ${w}`);

  // After planning, before sending: a person over the rate limit gets this event in their summary instead.
  const { send, held } = await holdBack(plan, deps.rates, deps.settings, registration.kind !== 'new');
  if (held > 0) deps.log('info', `event ${event.id}: ${held} informational emails held back by the rate limit`);
  try {
    const items = send.map((e) => ({ key: e.key, operationId: e.operationId, notification: e.recipient.notification, email: e.email }));
    const leaseMs = deps.settings.DELIVERY_LEASE_SECONDS * 1000;
    const { sender, acceptance, requeue } = deps;
    if (!isGroupSender(sender) || !acceptance || !requeue) {
      const counts = await deliverOnce(event.id, items, { sender, ledger: deps.ledger, leaseMs, log: deps.log });
      return { kind: 'processed', eventId: event.id, ...counts, held, activity: await recording };
    }
    try {
      const { messages, ...counts } = await deliverGrouped(event.id, items, {
        sender,
        ledger: deps.ledger,
        acceptance,
        leaseMs,
        concurrency: deps.settings.EMAIL_SEND_CONCURRENCY ?? Number(SETTINGS.EMAIL_SEND_CONCURRENCY.default),
        perPerson: deps.settings.EMAIL_GROUPING === 'perPerson',
        eventText,
        log: deps.log,
      });
      deps.log('info', `event ${event.id}: ${messages} ACS messages accepted`);
      return { kind: 'processed', eventId: event.id, ...counts, held, activity: await recording };
    } catch (e) {
      if (!(e instanceof QuotaExceededError)) throw e;
      // The entry point logs the deferral (functions/notify.ts).
      await requeue.later(eventText, e.retryAfterMs);
      return { kind: 'deferred', eventId: event.id, retryAfterMs: e.retryAfterMs, activity: await recording };
    }
  } catch (e) {
    if (!(e instanceof DeliveryBusyError)) throw e;
    // Another worker holds the emails: look again later as a new message, so waiting never
    // uses up one of the message's tries. Without a queue to put it on, the host retries it.
    if (!deps.requeue) throw e;
    const retryAfterSeconds = busyRetrySeconds(e.retryAfterMs);
    await deps.requeue.later(eventText, retryAfterSeconds * 1000);
    return { kind: 'busy', eventId: event.id, retryAfterSeconds };
  } finally {
    // Never left running past the invocation; its failure, if any, was already thrown above.
    await recording.catch(() => undefined);
  }
}

/** In shared grouping the emails carry a neutral greeting, so that identical ones can go as one message. */
export function personalEmails(deps: Pick<NotifyDeps, 'sender' | 'acceptance' | 'requeue' | 'settings'>): boolean {
  return !(isGroupSender(deps.sender) && deps.acceptance && deps.requeue) || deps.settings.EMAIL_GROUPING === 'perPerson';
}

/**
 * When to look again at an event another worker is sending: when its lease runs out at the
 * latest, and sooner (BUSY_RECHECK_SECONDS) since a live sender usually finishes well before
 * that. Each look is a new message, so looking often costs a queue write, never a try.
 */
export const BUSY_RECHECK_SECONDS = 10;

function busyRetrySeconds(leaseLeftMs: number | undefined): number {
  const left = leaseLeftMs === undefined ? BUSY_RECHECK_SECONDS : Math.ceil(leaseLeftMs / 1000);
  return Math.max(1, Math.min(BUSY_RECHECK_SECONDS, left));
}

/** A refused read (confirming or planning) waits for the permission on the queue (permissionWait.ts). */
async function waitIfPermissionMissing(e: unknown, event: PimEvent, eventText: string, deps: NotifyDeps): Promise<PermissionWaitOutcome | undefined> {
  const missing = missingPermission(e);
  return missing ? waitForPermission(event, eventText, missing, deps) : undefined;
}
