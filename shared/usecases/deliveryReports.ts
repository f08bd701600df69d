/**
 * One ACS delivery report (Microsoft.Communication.EmailDeliveryReportReceived, as Event Grid
 * puts it on the reports queue) onto its recipient's ledger row, and what follows from it:
 *   - Delivered (or Expanded, a distribution list): recorded;
 *   - Failed: recorded, and the recipient is sent the email again on their own (the event is
 *     put back on the events queue; the ledger sends only that person), up to
 *     DELIVERY_REPORT_RESENDS times, then recorded as failed;
 *   - Bounced, Suppressed, Quarantined, FilteredSpam: recorded and reported (an error in the
 *     log naming the event and the status, never the address); sending again would not help;
 *   - a status Microsoft does not list: recorded and reported the same way ("Any value other
 *     than Delivered is considered failed"), not resent.
 * Statuses arrive in one spelling whatever ACS's casing (events/deliveryReportSchema.ts).
 * Duplicates, reports out of order and reports about a message the ledger has since replaced
 * change nothing (the newest report wins). A report about a message this app did not send
 * (another app on the same ACS resource) is ignored.
 *
 * The digest and the held-back summary are delivered the same way, so their reports are
 * recorded the same way; a Failed one is final for them (they keep no event to requeue).
 *
 * Outcomes the entry point maps: `invalid` → the reports poison queue with the reason; a
 * thrown error → retried by the host (a Failed report that came before the sender recorded
 * the accept is one: by the retry, the accept is there).
 */
import {
  DELIVERY_REPORT_EVENT_TYPE,
  REPORT_STATUSES,
  parseDeliveryReports,
  type InvalidDeliveryReportError,
} from '../events/deliveryReportSchema.js';
import type { Log } from '../log.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import { recipientKey, type DeliveryLedger } from '../delivery/deliveryLedger.js';
import type { Clock } from '../time/clock.js';

export { DELIVERY_REPORT_EVENT_TYPE } from '../events/deliveryReportSchema.js';
export { poisonEntry } from '../queues/poison.js';

/** Statuses after which sending again is pointless: the mailbox or ACS refused this address. */
const UNDELIVERABLE = new Set(['Bounced', 'Suppressed', 'Quarantined', 'FilteredSpam']);
const KNOWN: ReadonlySet<string> = new Set(REPORT_STATUSES);

export interface ReportDeps {
  ledger: DeliveryLedger;
  events: EventsQueue;
  settings: { DELIVERY_REPORT_RESENDS: number };
  /** When a report carries no time of its own, it counts as received now. */
  clock: Clock;
  /** Ids and statuses only: never addresses. */
  log: Log;
}

export type ReportOutcome =
  | { kind: 'invalid'; error: InvalidDeliveryReportError }
  | { kind: 'done'; recorded: number; ignored: number; resends: number; undeliverable: number };

export async function recordDeliveryReport(message: unknown, deps: ReportDeps): Promise<ReportOutcome> {
  const parsed = parseDeliveryReports(message);
  if (parsed.kind === 'invalid') return parsed;
  const outcome = { kind: 'done' as const, recorded: 0, ignored: 0, resends: 0, undeliverable: 0 };
  for (const event of parsed.events) {
    if (event.eventType !== DELIVERY_REPORT_EVENT_TYPE) {
      deps.log('warn', `delivery reports: ignored an Event Grid event of type ${event.eventType.slice(0, 100)}`);
      outcome.ignored++;
      continue;
    }
    const { data } = event;
    const found = await deps.ledger.findMessage(data.messageId);
    if (!found) {
      deps.log('warn', `delivery report for message ${data.messageId.slice(0, 64)}, which this app did not send; ignored`);
      outcome.ignored++;
      continue;
    }
    const at = data.deliveryAttemptTimestamp ?? event.eventTime ?? deps.clock.now().toISOString();
    const report = {
      messageId: data.messageId,
      key: recipientKey(data.recipient),
      status: data.status,
      at,
      detail: data.deliveryStatusDetails?.statusMessage ?? '',
    };
    // Only an event can be put back for a resend (a digest or a summary has no text to requeue):
    // for those a Failed report is final, recorded and reported like a bounce.
    const recorded = await deps.ledger.recordReport(found.eventId, report, found.eventText ? deps.settings.DELIVERY_REPORT_RESENDS : 0);
    const who = `event ${found.eventId}: recipient ${report.key.slice(0, 12)} of message ${data.messageId}`;
    if (recorded.kind === 'early') {
      throw new Error(`${who}: Failed report before the send was recorded as accepted; retried`);
    }
    if (recorded.kind !== 'recorded') {
      outcome.ignored++;
      continue;
    }
    outcome.recorded++;
    if (recorded.resend && found.eventText) {
      outcome.resends++;
      await deps.events.later(found.eventText, 0);
      deps.log('warn', `${who}: ACS reported Failed; sending again`);
    } else if (data.status === 'Failed' && !found.eventText) {
      outcome.undeliverable++;
      deps.log(
        'error',
        `${who}: ACS reported Failed; not sent again, as no event is kept to put back (a digest, a held-back summary, or an event too large to keep)`,
      );
    } else if (UNDELIVERABLE.has(data.status) || data.status === 'Failed' || !KNOWN.has(data.status)) {
      outcome.undeliverable++;
      deps.log('error', `${who}: ACS reported ${data.status.slice(0, 40)}; not sent again (fix or remove the address)`);
    }
  }
  return outcome;
}
