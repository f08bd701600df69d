/**
 * deliveryReports: one ACS delivery report (Event Grid → the `pim-delivery-reports` queue)
 * onto its recipient's ledger row. Thin on purpose: call the use case, map its outcome.
 * - a message that is no delivery report → `pim-delivery-reports-poison` with the reason;
 * - thrown error (storage, a report ahead of its accept) → the host retries the message.
 */
import type { InvocationContext } from '@azure/functions';
import {
  DELIVERY_REPORTS_POISON_QUEUE as REPORTS_POISON_QUEUE,
  DELIVERY_REPORTS_QUEUE,
  app,
  logOf,
  moveToPoison,
  onFirstCall,
  output,
} from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/deliveryReports.js'));
const poisonQueue = output.storageQueue({ queueName: REPORTS_POISON_QUEUE, connection: 'AzureWebJobsStorage' });

export async function deliveryReports(message: unknown, context: InvocationContext): Promise<void> {
  const [{ recordDeliveryReport, poisonEntry }, services] = await load();
  const log = logOf(context);
  const outcome = await recordDeliveryReport(message, {
    ...services,
    log,
    escalation: { ...services, log },
    healthWatch: { ...services, health: services.deliveryHealth, log },
  });
  switch (outcome.kind) {
    case 'invalid':
      moveToPoison(
        context,
        { output: poisonQueue, queueName: REPORTS_POISON_QUEUE },
        poisonEntry(message, outcome.error, services.clock.now(), context.triggerMetadata),
        outcome.error.message,
      );
      return;
    case 'done':
      context.log(
        `delivery reports: ${outcome.recorded} recorded, ${outcome.resends} to send again, ${outcome.undeliverable} undeliverable, ${outcome.fallbacks} fallbacks, ${outcome.ignored} ignored`,
      );
  }
}

app.storageQueue('deliveryReports', {
  queueName: DELIVERY_REPORTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraOutputs: [poisonQueue],
  handler: deliveryReports,
});
