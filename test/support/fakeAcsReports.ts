/**
 * Delivery reports as ACS publishes them through Event Grid: one
 * `Microsoft.Communication.EmailDeliveryReportReceived` event per recipient, in the Event Grid
 * schema (infra/modules/eventgrid.bicep subscribes with `EventGridSchema`), and the message
 * text Event Grid writes to a storage queue subscription (one event per message, its JSON
 * base64-encoded).
 *
 * Shaped as Microsoft's examples shape it, field for field:
 *   - learn.microsoft.com/azure/event-grid/communication-services-email-events, "Microsoft.
 *     Communication.EmailDeliveryReportReceived event": `id`, `topic`, `subject`
 *     ("sender/{sender}/message/{messageId}"), `data` { sender, recipient, messageId, status,
 *     deliveryStatusDetails { statusMessage }, deliveryAttemptTimeStamp }, `eventType`,
 *     `dataVersion` "1.0", `metadataVersion` "1", `eventTime`; status "Delivered";
 *   - specification/eventgrid/data-plane/Microsoft.Communication/stable/2018-01-01/examples/
 *     event-grid-schema/email_delivery_report_received.json: the same fields, but
 *     `"status": "delivered"` in lower case (the `statusCase: 'lower'` switch);
 *   - the same spec's definition, AcsEmailDeliveryReportReceivedEventData, spells the time
 *     `deliveryAttemptTimestamp` and requires `internetMessageId` (the `timestampField` switch;
 *     `internetMessageId` is always sent, as the definition requires it).
 */
import { randomUUID } from 'node:crypto';
import { encodeMessage } from '../../shared/queues/queueMessage.js';

export type ReportStatus = 'Delivered' | 'Bounced' | 'Suppressed' | 'Failed' | 'Quarantined' | 'FilteredSpam' | 'Expanded';

/** How the local Event Grid spells what Microsoft's pages spell two ways. */
export interface ReportStyle {
  /** `documented`: as the definition and the learn page ("Delivered"); `lower`: as the spec's Event Grid example ("delivered"). */
  statusCase?: 'documented' | 'lower';
  /** The Event Grid examples' `deliveryAttemptTimeStamp` (default), or the definition's `deliveryAttemptTimestamp`. */
  timestampField?: 'deliveryAttemptTimeStamp' | 'deliveryAttemptTimestamp';
}

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
    status: string;
    deliveryStatusDetails: { statusMessage: string };
    deliveryAttemptTimeStamp?: string;
    deliveryAttemptTimestamp?: string;
    internetMessageId: string;
  };
}

/** The local ACS resource's ARM id: every report's `topic` (the app's ACS_RESOURCE_ID in tests). */
export const LOCAL_ACS_RESOURCE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-local/providers/Microsoft.Communication/communicationServices/acs-local';

export function deliveryReportEvent(
  r: { sender: string; recipient: string; messageId: string; status: ReportStatus; at: Date },
  style: ReportStyle = {},
): DeliveryReportEvent {
  const at = r.at.toISOString();
  return {
    id: randomUUID(),
    topic: LOCAL_ACS_RESOURCE_ID,
    subject: `sender/${r.sender}/message/${r.messageId}`,
    data: {
      sender: r.sender,
      recipient: r.recipient,
      messageId: r.messageId,
      status: style.statusCase === 'lower' ? r.status.toLowerCase() : r.status,
      deliveryStatusDetails: { statusMessage: r.status === 'Delivered' ? 'No error.' : `Local ACS: ${r.status}` },
      [style.timestampField ?? 'deliveryAttemptTimeStamp']: at,
      internetMessageId: `<${r.messageId}@local.azurecomm.net>`,
    },
    eventType: 'Microsoft.Communication.EmailDeliveryReportReceived',
    dataVersion: '1.0',
    metadataVersion: '1',
    eventTime: at,
  };
}

/** The queue message text Event Grid's storage queue handler writes for one event. */
export function reportQueueMessage(event: DeliveryReportEvent): string {
  return encodeMessage(event);
}
