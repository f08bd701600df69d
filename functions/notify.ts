/**
 * notify: one PIM event from the `pim-events` queue becomes the right emails.
 * Thin on purpose: parse the trigger, call the use case, map its outcome (events/outcomes.ts):
 * - invalid (malformed, not borne out by PIM's records, an id reused) → written to
 *   `pim-events-poison` with its reason and its original text, not retried;
 * - queued again (another worker's lease, ACS's quota, PIM's records lagging, a permission
 *   missing) → the use case put the event back on the queue for later; this message is done;
 * - done → its counts logged;
 * - thrown error (storage, sending) → the host retries the message (host.json
 *   extensions.queues), and after maxDequeueCount moves it to the poison queue.
 */
import type { InvocationContext } from '@azure/functions';
import { EVENTS_QUEUE, POISON_QUEUE, app, logOf, moveToPoison, onFirstCall, output } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/notify.js'));
const poisonQueue = output.storageQueue({ queueName: POISON_QUEUE, connection: 'AzureWebJobsStorage' });

export async function notify(message: unknown, context: InvocationContext): Promise<void> {
  const [{ notifyEvent, poisonEntry }, services] = await load();
  const log = logOf(context);
  const outcome = await notifyEvent(message, { ...services, log, escalation: { ...services, log } });
  switch (outcome.kind) {
    case 'invalid':
      moveToPoison(
        context,
        { output: poisonQueue, queueName: POISON_QUEUE },
        poisonEntry(message, outcome.error, services.clock.now(), context.triggerMetadata),
        outcome.error.message,
      );
      return;
    case 'queuedAgain': {
      const log = outcome.reason === 'throttled' ? context.warn : context.log;
      log.call(
        context,
        `event ${outcome.eventId}: ${outcome.detail}; queued again on ${EVENTS_QUEUE} for ${Math.ceil(outcome.retryAfterMs / 1000)} s (${outcome.reason})`,
      );
      return;
    }
    case 'done':
      context.log(
        `event ${outcome.eventId}: ${outcome.sent} sent, ${outcome.alreadySent} already sent, ${outcome.failed} refused, ${outcome.held} held back; activity ${outcome.activity}`,
      );
  }
}

app.storageQueue('notify', {
  queueName: EVENTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [poisonQueue],
  handler: notify,
});
