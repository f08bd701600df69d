/**
 * notify: one PIM event from the `pim-events` queue becomes the right emails.
 * Thin on purpose: parse the trigger, call the use case, map its outcome.
 * - invalid event → written to `pim-events-poison` with its reason and its original text, not retried;
 * - not confirmed by PIM → poison queue with the reason, as an invalid event;
 * - not in PIM's records yet (recent) → the use case queued it again for a minute later;
 * - ACS quota used up → the use case queued the event again for later; this message is done;
 * - busy (another worker holds the event's emails) → deferred as a new message for when its
 *   lease may be over; the current delivery completes, so being busy never uses up a try;
 * - a directory read refused (permission missing) → the use case queued the event again to wait for the grant;
 * - thrown error (storage, sending) → the host retries the message (host.json
 *   extensions.queues), and after maxDequeueCount moves it to the poison queue.
 */
import type { InvocationContext } from '@azure/functions';
import { EVENTS_QUEUE, POISON_QUEUE, app, logOf, moveToPoison, onFirstCall, output } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/notifyEvent.js'));
const poisonQueue = output.storageQueue({ queueName: POISON_QUEUE, connection: 'AzureWebJobsStorage' });

export async function notify(message: unknown, context: InvocationContext): Promise<void> {
  const [{ notifyEvent, poisonEntry }, services] = await load();
  const outcome = await notifyEvent(message, { ...services, log: logOf(context) });
  if (outcome.kind === 'invalid') {
    moveToPoison(context, { output: poisonQueue, queueName: POISON_QUEUE }, poisonEntry(message, outcome.error, services.clock.now(), context.triggerMetadata), outcome.error.message);
    return;
  }
  if (outcome.kind === 'busy') {
    context.log(`event ${outcome.eventId}: emails held by another worker's lease; deferred ${outcome.retryAfterSeconds} s on ${EVENTS_QUEUE}`);
    return;
  }
  if (outcome.kind === 'waitingForPermission') {
    context.log(`event ${outcome.eventId}: a directory read lacks a permission (logged once per process); queued again for ${outcome.retryAfterSeconds} s`);
    return;
  }
  if (outcome.kind === 'awaitingPim') {
    context.log(`event ${outcome.eventId}: not in PIM's records yet (${outcome.reason}); looked at again in ${Math.ceil(outcome.retryAfterMs / 1000)} s`);
    return;
  }
  if (outcome.kind === 'deferred') {
    context.warn(`event ${outcome.eventId}: ACS quota used up; queued again for ${Math.ceil(outcome.retryAfterMs / 1000)} s from now`);
    return;
  }
  context.log(
    `event ${outcome.eventId}: ${outcome.sent} sent, ${outcome.alreadySent} already sent, ${outcome.failed} refused, ${outcome.held} held back; activity ${outcome.activity}`,
  );
}

app.storageQueue('notify', {
  queueName: EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [poisonQueue],
  handler: notify,
});
