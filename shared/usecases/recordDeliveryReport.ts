/**
 * One ACS delivery report (Microsoft.Communication.EmailDeliveryReportReceived, as Event Grid
 * puts it on the reports queue) onto its recipient's ledger row, and what follows from it:
 *   - Delivered (or Expanded, a distribution list): recorded;
 *   - Failed: recorded, and the recipient is sent the email again on their own (the event is
 *     put back on the events queue; the ledger sends only that person), up to
 *     DELIVERY_REPORT_RESENDS times, then recorded as failed;
 *   - Bounced, Suppressed, Quarantined, FilteredSpam: recorded and reported (an error in the
 *     log naming the event and the status, never the address); sending again would not help.
 * Duplicates, reports out of order and reports about a message the ledger has since replaced
 * change nothing (the newest report wins). A report about a message this app did not send
 * (another app on the same ACS resource) is ignored.
 *
 * Outcomes the entry point maps: `invalid` → the reports poison queue with the reason; a
 * thrown error → retried by the host (a Failed report that came before the sender recorded
 * the accept is one: by the retry, the accept is there).
 */
import { z } from 'zod';
import { InvalidEventError } from '../events/parse.js';
import type { Log } from '../log.js';
import type { EventRequeue } from '../storage/eventRequeue.js';
import { recipientKey, type AcceptanceLedger } from '../storage/deliveryLedger.js';
import type { Clock } from '../time/clock.js';

export const DELIVERY_REPORT_EVENT_TYPE = 'Microsoft.Communication.EmailDeliveryReportReceived';

/** Statuses after which sending again is pointless: the mailbox or ACS refused this address. */
const UNDELIVERABLE = new Set(['Bounced', 'Suppressed', 'Quarantined', 'FilteredSpam']);

const reportEvent = z.object({
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

export interface ReportDeps {
  acceptance: AcceptanceLedger;
  requeue: EventRequeue;
  settings: { DELIVERY_REPORT_RESENDS: number };
  /** When a report carries no time of its own, it counts as received now. */
  clock: Clock;
  /** Ids and statuses only: never addresses. */
  log: Log;
}

export type ReportOutcome =
  | { kind: 'invalid'; error: InvalidEventError }
  | { kind: 'done'; recorded: number; ignored: number; resends: number; undeliverable: number };

export async function recordDeliveryReport(message: unknown, deps: ReportDeps): Promise<ReportOutcome> {
  let parsed: unknown = message;
  if (typeof message === 'string') {
    try {
      parsed = JSON.parse(message);
    } catch {
      return { kind: 'invalid', error: new InvalidEventError(undefined, [{ path: '', message: 'a delivery report must be JSON (an Event Grid event)' }]) };
    }
  }
  // Event Grid puts one event per queue message; an array (webhook style) is taken as well.
  const events = Array.isArray(parsed) ? parsed : [parsed];
  const outcome = { kind: 'done' as const, recorded: 0, ignored: 0, resends: 0, undeliverable: 0 };
  for (const raw of events) {
    const event = reportEvent.safeParse(raw);
    if (!event.success) {
      const issues = event.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return { kind: 'invalid', error: new InvalidEventError(undefined, issues) };
    }
    if (event.data.eventType !== DELIVERY_REPORT_EVENT_TYPE) {
      deps.log('warn', `delivery reports: ignored an Event Grid event of type ${event.data.eventType.slice(0, 100)}`);
      outcome.ignored++;
      continue;
    }
    const { data } = event.data;
    const found = await deps.acceptance.findMessage(data.messageId);
    if (!found) {
      deps.log('warn', `delivery report for message ${data.messageId.slice(0, 64)}, which this app did not send; ignored`);
      outcome.ignored++;
      continue;
    }
    const at = data.deliveryAttemptTimestamp ?? event.data.eventTime ?? deps.clock.now().toISOString();
    const report = { messageId: data.messageId, key: recipientKey(data.recipient), status: data.status, at, detail: data.deliveryStatusDetails?.statusMessage ?? '' };
    const recorded = await deps.acceptance.recordReport(found.eventId, report, deps.settings.DELIVERY_REPORT_RESENDS);
    const who = `event ${found.eventId}: recipient ${report.key.slice(0, 12)} of message ${data.messageId}`;
    if (recorded.kind === 'early') {
      throw new Error(`${who}: Failed report before the send was recorded as accepted; retried`);
    }
    if (recorded.kind !== 'recorded') {
      outcome.ignored++;
      continue;
    }
    outcome.recorded++;
    if (recorded.resend) {
      outcome.resends++;
      if (found.eventText) {
        await deps.requeue.later(found.eventText, 0);
        deps.log('warn', `${who}: ACS reported Failed; sending again`);
      } else {
        deps.log('error', `${who}: ACS reported Failed and the event was too large to keep; redrive the event to send again`);
      }
    } else if (UNDELIVERABLE.has(data.status) || data.status === 'Failed') {
      outcome.undeliverable++;
      deps.log('error', `${who}: ACS reported ${data.status.slice(0, 40)}; not sent again (fix or remove the address)`);
    }
  }
  return outcome;
}
