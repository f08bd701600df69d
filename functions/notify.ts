/**
 * notify: one PIM event from the `pim-events` queue becomes the right emails.
 * Thin on purpose: parse the trigger, call the use case, map its outcome.
 * - invalid event → written to `pim-events-poison` with its reason, not retried;
 * - ACS quota used up → the use case queued the event again for later; this message is done;
 * - thrown error (storage, sending, another worker busy) → the host retries the message
 *   (host.json extensions.queues), and after maxDequeueCount moves it to the poison queue.
 */
import type { InvocationContext } from '@azure/functions';
import { EVENTS_QUEUE, POISON_QUEUE, app, logOf, onFirstCall, output } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/notifyEvent.js'));
const poisonQueue = output.storageQueue({ queueName: POISON_QUEUE, connection: 'AzureWebJobsStorage' });

export async function notify(message: unknown, context: InvocationContext): Promise<void> {
  const [{ notifyEvent, poisonRecord, fitsInQueueMessage, PoisonRecordTooLargeError }, services] = await load();
  const outcome = await notifyEvent(message, { ...services, log: logOf(context) });
  if (outcome.kind === 'invalid') {
    context.warn(`message ${String(context.triggerMetadata?.id ?? '?')}: ${outcome.error.message}; moved to ${POISON_QUEUE}`);
    const record = poisonRecord(message, outcome.error, context.triggerMetadata);
    if (!fitsInQueueMessage(record)) throw new PoisonRecordTooLargeError(`${outcome.error.message}; the message is too large to annotate, the host will poison it as is`);
    context.extraOutputs.set(poisonQueue, record);
    return;
  }
  if (outcome.kind === 'deferred') {
    context.warn(`event ${outcome.eventId}: ACS quota used up; queued again for ${Math.ceil(outcome.retryAfterMs / 1000)} s from now`);
    return;
  }
  context.log(
    `event ${outcome.eventId}: ${outcome.sent} sent, ${outcome.alreadySent} already sent, ${outcome.failed} refused; activity ${outcome.activity}`,
  );
}

app.storageQueue('notify', {
  queueName: EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [poisonQueue],
  handler: notify,
});
