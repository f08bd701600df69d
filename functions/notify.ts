/**
 * notify: one PIM event from the `pim-events` queue becomes the right emails.
 * Thin on purpose: parse the trigger, call the use case, map its outcome.
 * - invalid event → written to `pim-events-poison` with its reason, not retried;
 * - thrown error (storage, sending, another worker busy) → the host retries the message
 *   (host.json extensions.queues), and after maxDequeueCount moves it to the poison queue.
 */
// @azure/functions is a CommonJS bundle whose named exports Node's ESM loader cannot see:
// import the default and destructure (types are erased, so they import by name).
import azureFunctions, { type InvocationContext } from '@azure/functions';

import { loadSettings } from '../shared/settings/settings.js';

// Invalid settings stop the app at start-up with a message naming them, not at the first event.
loadSettings();

// The use case and its SDKs load on the first invocation, not when the host indexes the
// functions: start-up stays close to @azure/functions alone, and a worker loads only the
// paths it runs (docs/performance.md, coldStart).
const load = () =>
  Promise.all([
    import('../shared/composition.js'),
    import('../shared/usecases/notifyEvent.js'),
    import('../shared/usecases/poison.js'),
  ]);

const { app, output } = azureFunctions;

const EVENTS_QUEUE = 'pim-events';
const poisonQueue = output.storageQueue({ queueName: `${EVENTS_QUEUE}-poison`, connection: 'AzureWebJobsStorage' });

export async function notify(message: unknown, context: InvocationContext): Promise<void> {
  const [{ getServices }, { notifyEvent }, { poisonRecord, fitsInQueueMessage, PoisonRecordTooLargeError }] = await load();
  const services = await getServices();
  const outcome = await notifyEvent(message, {
    ...services,
    log: (level, text) => context[level](text),
  });
  if (outcome.kind === 'invalid') {
    context.warn(`message ${String(context.triggerMetadata?.id ?? '?')}: ${outcome.error.message}; moved to ${EVENTS_QUEUE}-poison`);
    const record = poisonRecord(message, outcome.error, context.triggerMetadata);
    if (!fitsInQueueMessage(record)) throw new PoisonRecordTooLargeError(`${outcome.error.message}; the message is too large to annotate, the host will poison it as is`);
    context.extraOutputs.set(poisonQueue, record);
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
