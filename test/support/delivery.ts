/**
 * The one delivery path under test, all real parts: the production ACS transport against the local
 * ACS (real-service model: operations Running, quotas, delivery reports), the ledger on Azurite,
 * reports recorded by the real use case, events put back on a real Azurite queue.
 */
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { createAcsTransport, type AcsTransport } from '../../shared/transport/acsTransport.js';
import { createPacers, type AcsPacers } from '../../shared/transport/acs/pacer.js';
import type { OutgoingEmail } from '../../shared/render/email.js';
import { deliveryOperationId, recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { decodeMessage } from '../../shared/queues/queueMessage.js';
import { StorageEventsQueue } from '../../shared/queues/storageEventsQueue.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { deliver, type DeliverOptions } from '../../shared/delivery/deliver.js';
import type { Deliverable } from '../../shared/delivery/batching.js';
import { recordDeliveryReport } from '../../shared/usecases/deliveryReports.js';
import type { DeliveryReportEvent, FakeAcs } from './fakeAcs.js';
import { LOCAL_ACS_RESOURCE_ID } from './fakeAcsReports.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from './storage.js';
import { systemClock } from '../../shared/time/clock.js';

export const SENDER = 'DoNotReply@contoso.example';

/** One email per address; `reason` decides which of them share content. */
export function items(
  eventId: string,
  addresses: string[],
  reason: (address: string, i: number) => string = () => 'as an admin',
): Deliverable[] {
  return addresses.map((address, i) => {
    const email: OutgoingEmail = {
      notification: 'activationCompleted',
      subject: 'PIM: Alex activated Security Administrator',
      html: `<p>Activated</p><p>You received this email ${reason(address, i)}.</p>`,
      text: `Activated. You received this email ${reason(address, i)}.`,
      from: { address: SENDER },
      to: { address },
      headers: { 'X-PIM-Event-Id': eventId, 'X-PIM-Notification': 'activationCompleted' },
    };
    return { key: recipientKey(address), operationId: deliveryOperationId(eventId, address), notification: 'activationCompleted', email };
  });
}

export const addresses = (n: number, prefix = 'admin') => Array.from({ length: n }, (_, i) => `${prefix}${i}@contoso.example`);

export interface Harness {
  transport: AcsTransport;
  pacers: AcsPacers;
  ledger: TableDeliveryLedger;
  requeueQueue: QueueClient;
  options(overrides?: Partial<DeliverOptions>): DeliverOptions;
  /** Records reports through the real use case, as the deliveryReports function does. */
  record(event: DeliveryReportEvent): Promise<void>;
  /** Event texts put back on the events queue (resends, deferrals), with their visibility delay. */
  requeued(): Promise<string[]>;
  logs: string[];
}

export async function harness(
  fake: FakeAcs,
  now?: () => number,
  budgetMs = 200,
  settings: { EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS?: string } = {},
): Promise<Harness> {
  const table = uniqueTableName('Grp');
  const client = () => TableClient.fromConnectionString(storageConnectionString(), table, { allowInsecureConnection: true });
  const pacers = createPacers(now);
  const logs: string[] = [];
  const log = (level: string, message: string) => void logs.push(`${level}: ${message}`);
  const transport = createAcsTransport(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined, ...settings },
    {
      clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 } },
      pacers,
      throttleBudgetMs: budgetMs,
      log,
    },
  );
  const ledger = new TableDeliveryLedger(client());
  const requeueQueue = new QueueClient(storageConnectionString(), uniqueQueueName('requeue'));
  await requeueQueue.create();
  const requeue = new StorageEventsQueue(requeueQueue);
  return {
    transport,
    pacers,
    ledger,
    requeueQueue,
    logs,
    options: (overrides = {}) => ({
      transport,
      ledger,
      leaseMs: 300_000,
      concurrency: 8,
      personal: false,
      eventText: '{"id":"e"}',
      log,
      ...overrides,
    }),
    record: async (event) => {
      const outcome = await recordDeliveryReport(event, {
        ledger,
        events: requeue,
        settings: { DELIVERY_REPORT_RESENDS: 2, ACS_RESOURCE_ID: LOCAL_ACS_RESOURCE_ID, ...settings },
        clock: systemClock,
        log,
      });
      if (outcome.kind === 'invalid') throw outcome.error;
    },
    requeued: async () => {
      // Peek sees only visible messages; deferred ones are counted through the approximate count.
      const props = await requeueQueue.getProperties();
      const peeked = await requeueQueue.peekMessages({ numberOfMessages: 32 });
      return [
        ...peeked.peekedMessageItems.map((m) => decodeMessage(m.messageText) ?? '?'),
        ...Array(Math.max(0, (props.approximateMessagesCount ?? 0) - peeked.peekedMessageItems.length)).fill('(invisible)'),
      ];
    },
  };
}

export { deliver };
