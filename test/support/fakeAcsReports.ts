/**
 * Delivery reports as ACS publishes them through Event Grid: one
 * `Microsoft.Communication.EmailDeliveryReportReceived` event per recipient, in the Event Grid
 * schema, and the message text Event Grid writes to a storage queue subscription (one event
 * per message, its JSON base64-encoded).
 */
import { randomUUID } from 'node:crypto';
import { encodeMessage } from '../../shared/queues/queueMessage.js';

export type ReportStatus = 'Delivered' | 'Bounced' | 'Suppressed' | 'Failed' | 'Quarantined' | 'FilteredSpam' | 'Expanded';

export interface DeliveryReportEvent {
  id: string;
  topic: string;
  subject: string;
  eventType: 'Microsoft.Communication.EmailDeliveryReportReceived';
  eventTime: string;
  dataVersion: string;
  metadataVersion: string;
  data: {
    sender: string;
    recipient: string;
    messageId: string;
    status: ReportStatus;
    deliveryStatusDetails: { statusMessage: string };
    deliveryAttemptTimestamp: string;
    internetMessageId: string;
  };
}

const TOPIC =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-local/providers/Microsoft.Communication/CommunicationServices/acs-local';

export function deliveryReportEvent(r: {
  sender: string;
  recipient: string;
  messageId: string;
  status: ReportStatus;
  at: Date;
}): DeliveryReportEvent {
  return {
    id: randomUUID(),
    topic: TOPIC,
    subject: `sender/${r.sender}/message/${r.messageId}`,
    eventType: 'Microsoft.Communication.EmailDeliveryReportReceived',
    eventTime: r.at.toISOString(),
    dataVersion: '1.0',
    metadataVersion: '1',
    data: {
      sender: r.sender,
      recipient: r.recipient,
      messageId: r.messageId,
      status: r.status,
      deliveryStatusDetails: { statusMessage: r.status === 'Delivered' ? 'No error.' : `Local ACS: ${r.status}` },
      deliveryAttemptTimestamp: r.at.toISOString(),
      internetMessageId: `<${r.messageId}@local.azurecomm.net>`,
    },
  };
}

/** The queue message text Event Grid's storage queue handler writes for one event. */
export function reportQueueMessage(event: DeliveryReportEvent): string {
  return encodeMessage(event);
}
