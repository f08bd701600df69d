/**
 * The per-event use case behind the queue function: validate, confirm with PIM, record for the
 * digest, decide, render, and deliver each email exactly once (delivery/deliver.ts).
 *
 * Outcomes (events/outcomes.ts): `invalid` → poison queue with the reason, never retried (a
 * reused event id, and an event PIM's records do not bear out, included); `queuedAgain` → the
 * event waits on the queue (busy, throttled, awaiting PIM, waiting for a permission); `done`;
 * a thrown error → transient, the host retries the message (nothing is lost, and the ledger
 * makes sure a retry sends only what did not go out).
 */
import { InvalidEventError, parseEvent, parseEventText } from '../events/parse.js';
import type { Invalid, QueuedAgain } from '../events/outcomes.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { notConfirmedReason, type PimConfirmer } from '../confirm/pimConfirmer.js';
import type { Transport } from '../transport/transport.js';
import { QuotaExceededError } from '../transport/transport.js';
import type { ActivityStore } from '../activity/activityStore.js';
import type { DeliveryLedger } from '../delivery/deliveryLedger.js';
import { eventContentHash, type EventRegistry } from '../delivery/eventRegistry.js';
import { DeliveryBusyError, deliver } from '../delivery/deliver.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import type { PimEvent } from '../events/schema.js';
import type { Settings } from '../settings/settings.js';
import { missingPermission } from '../permissions/missing.js';
import { waitForPermission, type PermissionWaitSettings } from '../permissions/permissionWait.js';
import { holdBack, type RateSettings } from '../rateLimit/holdBack.js';
import type { RateLimit } from '../rateLimit/rateLimit.js';
import { planNotifications, type NotifySettings } from '../planning/planNotifications.js';
import type { Log } from '../log.js';
import type { Clock } from '../time/clock.js';
import { fallBackIfUnreached, type EscalationDeps } from '../escalation/fallback.js';
import { UNREACHED_APPROVAL } from '../rules/recipients.js';

export { fitsInQueueMessage, messageTextOf, poisonEntry, poisonRecord } from '../queues/poison.js';

export type NotifyEventSettings = NotifySettings &
  PermissionWaitSettings &
  RateSettings &
  Pick<Settings, 'DELIVERY_LEASE_SECONDS' | 'EMAIL_BATCHING' | 'EMAIL_SEND_CONCURRENCY'>;

export interface NotifyDeps {
  directory: RoleDirectory;
  transport: Transport;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  /** An event id is one event: a reuse with other content is refused. */
  registry: EventRegistry;
  settings: NotifyEventSettings;
  /** The per-recipient rate limit of informational emails (holdBack.ts). */
  rateLimit: RateLimit;
  /** Where an event waits: busy, throttled, awaiting PIM, waiting for a permission. */
  events: EventsQueue;
  /** Is the event what PIM's records say happened (docs/trust.md)? Asked before anything is recorded or sent. */
  confirmer: PimConfirmer;
  /** The app's clock (how long an event may wait for a missing permission). */
  clock: Clock;
  /** Ids and counts only: never addresses or justifications. */
  log: Log;
  /** An approval request that reaches no approver goes to the fallback (escalation/fallback.ts); absent: only reported. */
  escalation?: EscalationDeps;
}

export interface NotifyDone {
  kind: 'done';
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

export type NotifyOutcome = Invalid | QueuedAgain | NotifyDone;

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
    confirmation = await deps.confirmer.confirm(event);
  } catch (e) {
    const waiting = await waitIfPermissionMissing(e, event, eventText, deps);
    if (waiting) return waiting;
    throw e;
  }
  if (confirmation.kind === 'notConfirmed') {
    return { kind: 'invalid', error: new InvalidEventError(event.id, [{ path: '', message: notConfirmedReason(confirmation.reason) }]) };
  }
  if (confirmation.kind === 'notYet')
    return queueAgain(
      event.id,
      eventText,
      'awaitingPim',
      confirmation.retryAfterMs,
      `not in PIM's records yet (${confirmation.reason})`,
      deps,
    );
  if (confirmation.kind === 'unchecked' && confirmation.warn)
    deps.log('warn', `event ${event.id} (${event.type}): mailed unconfirmed by PIM: ${confirmation.reason}`);

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
    return {
      kind: 'invalid',
      error: new InvalidEventError(event.id, [
        { path: 'id', message: `is already the id of a different event${since}; an id must not be reused` },
      ]),
    };
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
  const { send, held } = await holdBack(plan, deps.rateLimit, deps.settings, registration.kind !== 'new');
  if (held > 0) deps.log('info', `event ${event.id}: ${held} informational emails held back by the rate limit`);
  try {
    const counts = await deliver(event.id, send, {
      transport: deps.transport,
      ledger: deps.ledger,
      leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
      concurrency: deps.settings.EMAIL_SEND_CONCURRENCY,
      personal: personalEmails(deps),
      eventText,
      log: deps.log,
    });
    deps.log('info', `event ${event.id}: ${counts.messages} messages accepted`);
    if (deps.escalation && plan.decision.warnings.some((w) => w.startsWith(UNREACHED_APPROVAL)))
      await fallBackIfUnreached(event, { kind: 'noAddress' }, deps.escalation);
    return {
      kind: 'done',
      eventId: event.id,
      sent: counts.sent,
      alreadySent: counts.alreadySent,
      failed: counts.failed,
      held,
      activity: await recording,
    };
  } catch (e) {
    // Another worker holds the emails, or the transport's quota ran out: look again later as a
    // new message, so waiting never uses up one of the message's tries. The activity is
    // recorded either way (the event happened).
    if (e instanceof DeliveryBusyError) {
      await recording;
      return queueAgain(
        event.id,
        eventText,
        'busy',
        busyRetrySeconds(e.retryAfterMs) * 1000,
        "emails held by another worker's lease",
        deps,
      );
    }
    if (e instanceof QuotaExceededError) {
      await recording;
      return queueAgain(
        event.id,
        eventText,
        'throttled',
        e.retryAfterMs,
        "the transport's quota is used up; what went out is recorded",
        deps,
      );
    }
    throw e;
  } finally {
    // Never left running past the invocation; its failure, if any, was already thrown above.
    await recording.catch(() => undefined);
  }
}

/** Puts the event back on the queue for `retryAfterMs`: the outcome that says so. */
async function queueAgain(
  eventId: string,
  eventText: string,
  reason: QueuedAgain['reason'],
  retryAfterMs: number,
  detail: string,
  deps: Pick<NotifyDeps, 'events'>,
): Promise<QueuedAgain> {
  await deps.events.later(eventText, retryAfterMs);
  return { kind: 'queuedAgain', eventId, reason, retryAfterMs, detail };
}

/**
 * Batched (EMAIL_BATCHING=shared), the emails carry a neutral greeting, so that identical ones
 * can go as one message; a transport of one recipient per message (the outbox) greets by name.
 */
export function personalEmails(deps: { transport: Pick<Transport, 'maxRecipients'>; settings: Pick<Settings, 'EMAIL_BATCHING'> }): boolean {
  return deps.transport.maxRecipients <= 1 || deps.settings.EMAIL_BATCHING === 'perPerson';
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
async function waitIfPermissionMissing(
  e: unknown,
  event: PimEvent,
  eventText: string,
  deps: NotifyDeps,
): Promise<Invalid | QueuedAgain | undefined> {
  const missing = missingPermission(e);
  return missing ? waitForPermission(event, eventText, missing, deps) : undefined;
}
