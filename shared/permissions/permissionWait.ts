/**
 * A notify whose directory reads are refused (403: a Graph application permission, or the
 * ARM Reader role, not granted yet) waits for the permission instead of failing: a failure
 * would be retried at once, five times, and poison a valid event.
 *
 * Why the whole event waits rather than going to the recipients that could be resolved: the
 * refused read is usually the one that says who must be told (the role's holders, its PIM
 * settings with the approvers and the extra recipients, a group's members), so a partial
 * delivery could send an approval request to nobody, or tell some and never the others.
 *
 * The missing permission is logged once per process and permission (permissions/missing.ts),
 * never per message; each event is queued again (EventsQueue.later, a new message, so waiting
 * uses none of its tries) every MISSING_PERMISSION_RETRY_SECONDS, for as long as it is less
 * than MISSING_PERMISSION_WAIT_HOURS old. After that it goes to the poison queue with the
 * reason, for `pim-notify redrive` once the permission is granted.
 */
import { InvalidEventError } from '../events/parse.js';
import type { Invalid, QueuedAgain } from '../events/outcomes.js';
import type { PimEvent } from '../events/schema.js';
import type { Log } from '../log.js';
import { reportMissingPermission, type PermissionError } from './missing.js';
import type { Settings } from '../settings/settings.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import type { Clock } from '../time/clock.js';

export type PermissionWaitSettings = Pick<Settings, 'MISSING_PERMISSION_RETRY_SECONDS' | 'MISSING_PERMISSION_WAIT_HOURS'>;

export interface PermissionWaitDeps {
  events: EventsQueue;
  /** The wait is bounded by the event's age on this clock. */
  clock: Clock;
  log: Log;
  settings: PermissionWaitSettings;
}

/**
 * What becomes of `event` whose directory read was refused: queued again for
 * MISSING_PERMISSION_RETRY_SECONDS (nothing was recorded or sent), or, once it has waited as
 * long as it may, invalid (the entry point poisons it with the reason).
 */
export async function waitForPermission(
  event: PimEvent,
  eventText: string,
  missing: PermissionError,
  deps: PermissionWaitDeps,
): Promise<Invalid | QueuedAgain> {
  const { MISSING_PERMISSION_RETRY_SECONDS: retrySeconds, MISSING_PERMISSION_WAIT_HOURS: waitHours } = deps.settings;
  reportMissingPermission(
    deps.log,
    missing,
    `the events whose recipients need it wait on the queue, looked at again every ${describeSeconds(retrySeconds)} for up to ${waitHours} h after they happened, then go to the poison queue`,
  );
  // Measured from the event's own time, so no state is needed to bound the waits; an event
  // dated far from now (either way) is not kept waiting for longer than the window either.
  const age = Math.abs(deps.clock.now().getTime() - Date.parse(event.occurredAt));
  if (age >= waitHours * 3_600_000) {
    const error = new InvalidEventError(event.id, [{ path: 'directory', message: missing.message }]);
    error.message = `event ${event.id} waited ${waitHours} h (MISSING_PERMISSION_WAIT_HOURS) for a directory read that is refused: ${missing.message}. Grant it, then put the event back with pim-notify redrive`;
    return { kind: 'invalid', error };
  }
  await deps.events.later(eventText, retrySeconds * 1000);
  return {
    kind: 'queuedAgain',
    eventId: event.id,
    reason: 'waitingForPermission',
    retryAfterMs: retrySeconds * 1000,
    detail: 'a directory read lacks a permission (logged once per process)',
  };
}

function describeSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
