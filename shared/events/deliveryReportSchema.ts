/**
 * The other kind of message the app takes from a queue: an ACS delivery report, as Event Grid
 * puts it there (Microsoft.Communication.EmailDeliveryReportReceived, Event Grid schema), beside
 * the PIM event's schema (schema.ts) and refused with its own error. Only the fields the app
 * reads are required; whatever else Event Grid adds is ignored.
 */
import { z } from 'zod';
import type { EventIssue } from './parse.js';

export const DELIVERY_REPORT_EVENT_TYPE = 'Microsoft.Communication.EmailDeliveryReportReceived';

export const deliveryReportEventSchema = z.object({
  id: z.string().optional(),
  eventType: z.string(),
  eventTime: z.string().optional(),
  data: z.object({
    recipient: z.string().min(3),
    messageId: z.string().min(1),
    status: z.string().min(1),
    deliveryAttemptTimestamp: z.string().optional(),
    deliveryStatusDetails: z.object({ statusMessage: z.string().optional() }).partial().optional(),
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

/** One queue message: one Event Grid event (the queue destination), or an array of them (webhook style). */
export function parseDeliveryReports(message: unknown): ParsedReports {
  let parsed: unknown = message;
  if (typeof message === 'string') {
    try {
      parsed = JSON.parse(message);
    } catch {
      return {
        kind: 'invalid',
        error: new InvalidDeliveryReportError([{ path: '', message: 'a delivery report must be JSON (an Event Grid event)' }]),
      };
    }
  }
  const events: DeliveryReportEvent[] = [];
  for (const raw of Array.isArray(parsed) ? parsed : [parsed]) {
    const event = deliveryReportEventSchema.safeParse(raw);
    if (!event.success)
      return {
        kind: 'invalid',
        error: new InvalidDeliveryReportError(event.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))),
      };
    events.push(event.data);
  }
  return { kind: 'valid', events };
}
