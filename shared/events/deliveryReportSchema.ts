/**
 * The other kind of message the app takes from a queue: an ACS delivery report, as Event Grid
 * puts it there (Microsoft.Communication.EmailDeliveryReportReceived, Event Grid schema), beside
 * the PIM event's schema (schema.ts) and refused with its own error. Only the fields the app
 * reads are required; whatever else Event Grid adds is ignored.
 *
 * Read as Microsoft writes it, not as one of its pages spells it:
 *   - the attempt's time is `deliveryAttemptTimeStamp` in the Event Grid schema (the example of
 *     learn.microsoft.com/azure/event-grid/communication-services-email-events, and
 *     specification/eventgrid/data-plane/Microsoft.Communication/stable/2018-01-01/examples/
 *     event-grid-schema/email_delivery_report_received.json), `deliveryAttemptTimestamp` in the
 *     same spec's definition (AcsEmailDeliveryReportReceivedEventData) and its CloudEvents
 *     example: both are read, the Event Grid example's spelling first;
 *   - `status` is an enum Microsoft spells `Delivered` in its definition and `delivered` in that
 *     Event Grid example: compared without case and kept in the definition's spelling
 *     (REPORT_STATUSES), so the ledger and the use case see one spelling;
 *   - `eventType` likewise, without case.
 */
import { z } from 'zod';
import type { EventIssue } from './parse.js';

export const DELIVERY_REPORT_EVENT_TYPE = 'Microsoft.Communication.EmailDeliveryReportReceived';

/**
 * AcsEmailDeliveryReportStatus as the Event Grid spec defines it (Bounced, Delivered, Failed,
 * FilteredSpam, Quarantined, Suppressed), and Expanded, which this app has always read as a
 * distribution list's delivery although that enum does not list it. A status outside these is
 * kept as it came, and counts as not delivered (the spec's description of `status`: "Any value
 * other than Delivered is considered failed").
 */
export const REPORT_STATUSES = ['Delivered', 'Expanded', 'Bounced', 'Suppressed', 'Failed', 'Quarantined', 'FilteredSpam'] as const;

const BY_LOWER_CASE = new Map<string, string>(REPORT_STATUSES.map((s) => [s.toLowerCase(), s]));

/** One spelling for a status however ACS cased it. */
export function reportStatus(raw: string): string {
  const trimmed = raw.trim();
  return BY_LOWER_CASE.get(trimmed.toLowerCase()) ?? trimmed;
}

/**
 * The Event Grid schema's envelope, as Event Grid delivers it: learn.microsoft.com/javascript/
 * api/@azure/functions/eventgridevent lists id, subject, eventType, eventTime, data, dataVersion
 * and `topic` ("Full resource path to the event source. This field isn't writeable. Event Grid
 * provides this value") and `metadataVersion` ("Event Grid provides this value"); the spec's
 * example (email_delivery_report_received.json) carries every one. A message without one of
 * them is not a delivery Event Grid made.
 */
const envelope = {
  id: z.string().min(1).max(128),
  topic: z.string().min(1).max(1024),
  subject: z.string().min(1).max(1024),
  eventType: z.string().transform((t) => (t.toLowerCase() === DELIVERY_REPORT_EVENT_TYPE.toLowerCase() ? DELIVERY_REPORT_EVENT_TYPE : t)),
  eventTime: z.string().min(1),
  dataVersion: z.string().min(1),
  metadataVersion: z.string().min(1),
};

export const deliveryReportEventSchema = z.object({
  ...envelope,
  data: z
    .object({
      sender: z.string().optional(),
      recipient: z.string().min(3),
      messageId: z.string().min(1),
      status: z.string().min(1).transform(reportStatus),
      deliveryAttemptTimeStamp: z.string().optional(),
      deliveryAttemptTimestamp: z.string().optional(),
      deliveryStatusDetails: z.object({ statusMessage: z.string().optional() }).partial().optional(),
    })
    .transform(({ deliveryAttemptTimeStamp, deliveryAttemptTimestamp, ...data }) => {
      const at = deliveryAttemptTimeStamp ?? deliveryAttemptTimestamp;
      // Read under one name from here on (the ledger orders reports by it).
      return { ...data, ...(at !== undefined ? { deliveryAttemptTimestamp: at } : {}) };
    }),
});

export type DeliveryReportEvent = z.infer<typeof deliveryReportEventSchema>;

/** A queue message that is not a delivery report Event Grid could have sent. */
export class InvalidDeliveryReportError extends Error {
  override readonly name = 'InvalidDeliveryReportError';
  /** A report names no PIM event (for the poison record). */
  readonly eventId = undefined;
  constructor(readonly issues: EventIssue[]) {
    super(`not an ACS delivery report: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
  }
}

export type ParsedReports = { kind: 'valid'; events: DeliveryReportEvent[] } | { kind: 'invalid'; error: InvalidDeliveryReportError };

/**
 * One queue message: one Event Grid event. A storage queue destination gets each event as a
 * message of its own (learn.microsoft.com/azure/event-grid/handler-storage-queues; batching,
 * an array of events in one delivery, is how Event Grid posts to a webhook: learn.microsoft.com/
 * azure/event-grid/delivery-properties, "Output batching"), so an array is no message Event
 * Grid wrote to this queue: refused whole, never fifteen reports acted on at once. A UTF-8 BOM
 * before the JSON is skipped, as the events queue does (parse.ts), so it cannot poison a report.
 */
export function parseDeliveryReports(message: unknown): ParsedReports {
  let parsed: unknown = message;
  if (typeof message === 'string') {
    try {
      parsed = JSON.parse(message.startsWith('\uFEFF') ? message.slice(1) : message);
    } catch {
      return {
        kind: 'invalid',
        error: new InvalidDeliveryReportError([{ path: '', message: 'a delivery report must be JSON (an Event Grid event)' }]),
      };
    }
  }
  if (Array.isArray(parsed))
    return {
      kind: 'invalid',
      error: new InvalidDeliveryReportError([
        { path: '', message: `an array of ${parsed.length} events: Event Grid writes one event per storage queue message` },
      ]),
    };
  const event = deliveryReportEventSchema.safeParse(parsed);
  if (!event.success)
    return {
      kind: 'invalid',
      error: new InvalidDeliveryReportError(event.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))),
    };
  return { kind: 'valid', events: [event.data] };
}
