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
 * change nothing (the newest report wins).
 *
 * A report causes email (a resend, a fallback) so it is evidence only when it is Event Grid's
 * (events/reportEvidence.ts): one event per message, the configured ACS resource's `topic`,
 * ACS's subject, times within a sane bound of now; and it must name a message this app sent to
 * that recipient. Anything else is refused with its reason (→ the reports poison queue), never
 * acted on. Resends are capped per recipient (DELIVERY_REPORT_RESENDS), fallbacks are once per
 * request (escalation/fallback.ts): a report that finds every approver of a pending request
 * unreachable sends the request to the fallback approvers and tells the requester.
 *
 * The digest and the held-back summary are delivered the same way, so their reports are
 * recorded the same way; a Failed one is final for them (they keep no event to requeue).
 *
 * Outcomes the entry point maps: `invalid` → the reports poison queue with the reason; a
 * thrown error → retried by the host (a Failed report that came before the sender recorded
 * the accept is one: by the retry, the accept is there).
 */
import { REPORT_STATUSES, parseDeliveryReports, InvalidDeliveryReportError } from '../events/deliveryReportSchema.js';
import { weighReport } from '../events/reportEvidence.js';
import { parseEventText } from '../events/parse.js';
import type { Log } from '../log.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import { recipientKey, type DeliveryLedger } from '../delivery/deliveryLedger.js';
import { fallBackIfUnreached, type EscalationDeps } from '../escalation/fallback.js';
import { countReport, type HealthDeps } from '../escalation/deliveryHealth.js';
import type { Clock } from '../time/clock.js';

export { DELIVERY_REPORT_EVENT_TYPE } from '../events/deliveryReportSchema.js';
export { poisonEntry } from '../queues/poison.js';

/** Statuses after which sending again is pointless: the mailbox or ACS refused this address. */
const UNDELIVERABLE = new Set(['Bounced', 'Suppressed', 'Quarantined', 'FilteredSpam']);
const KNOWN: ReadonlySet<string> = new Set(REPORT_STATUSES);
const DELIVERED = new Set(['Delivered', 'Expanded']);

export interface ReportDeps {
  ledger: DeliveryLedger;
  events: EventsQueue;
  /** ACS_RESOURCE_ID: the only `topic` whose reports are acted on (events/reportEvidence.ts). */
  settings: {
    DELIVERY_REPORT_RESENDS: number;
    ACS_RESOURCE_ID?: string | undefined;
    /** The To of shared messages: on the message, never a recipient of the ledger (its reports change nothing). */
    EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS?: string | undefined;
  };
  /** Now, for a report without a time of its own, and the bound on a report's times. */
  clock: Clock;
  /** Ids and statuses only: never addresses. */
  log: Log;
  /** Where an approval request goes when all its approvers are unreachable (escalation/fallback.ts); absent: nowhere. */
  escalation?: EscalationDeps;
  /** Where each recorded report is counted for the hour's delivery health (escalation/deliveryHealth.ts); absent: not counted. */
  healthWatch?: HealthDeps;
}

export type ReportOutcome =
  | { kind: 'invalid'; error: InvalidDeliveryReportError }
  | { kind: 'done'; recorded: number; ignored: number; resends: number; undeliverable: number; fallbacks: number };

function refused(path: string, message: string): ReportOutcome {
  return { kind: 'invalid', error: new InvalidDeliveryReportError([{ path, message }]) };
}

export async function recordDeliveryReport(message: unknown, deps: ReportDeps): Promise<ReportOutcome> {
  const parsed = parseDeliveryReports(message);
  if (parsed.kind === 'invalid') return parsed;
  const outcome = { kind: 'done' as const, recorded: 0, ignored: 0, resends: 0, undeliverable: 0, fallbacks: 0 };
  const [event] = parsed.events;
  const evidence = weighReport(event!, deps.settings.ACS_RESOURCE_ID, deps.clock.now());
  if (evidence.kind === 'refuse') return { kind: 'invalid', error: new InvalidDeliveryReportError(evidence.issues) };
  const act = evidence.kind === 'act';
  if (!act) deps.log('warn', `delivery report ${event!.id.slice(0, 64)}: recorded, not acted on: ${evidence.why}`);
  const { data } = event!;
  const found = await deps.ledger.findMessage(data.messageId);
  if (!found) return refused('data.messageId', 'names a message this app did not send');
  const at = data.deliveryAttemptTimestamp ?? event!.eventTime;
  const report = {
    messageId: data.messageId,
    key: recipientKey(data.recipient),
    status: data.status,
    at,
    detail: data.deliveryStatusDetails?.statusMessage ?? '',
  };
  // Only an event can be put back for a resend (a digest or a summary has no text to requeue):
  // for those a Failed report is final, recorded and reported like a bounce. A report not to be
  // acted on is recorded as final too: it causes no email.
  const maxResends = found.eventText && act ? deps.settings.DELIVERY_REPORT_RESENDS : 0;
  const recorded = await deps.ledger.recordReport(found.eventId, report, maxResends);
  const who = `event ${found.eventId}: recipient ${report.key.slice(0, 12)} of message ${data.messageId}`;
  if (recorded.kind === 'early') {
    throw new Error(`${who}: Failed report before the send was recorded as accepted; retried`);
  }
  if (recorded.kind === 'unknown') {
    const undisclosed = deps.settings.EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS;
    if (undisclosed && recipientKey(undisclosed) === report.key) return { ...outcome, ignored: 1 };
    return refused('data.recipient', 'was not sent that message');
  }
  if (recorded.kind === 'recorded') {
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
    if (deps.healthWatch) await countReport(!DELIVERED.has(data.status), deps.healthWatch);
  } else outcome.ignored++;
  // Also for a duplicate: the retry of a report whose fallback was cut short must finish it (the
  // ledger sends each of its emails once, however often this runs).
  if (act && !DELIVERED.has(data.status) && found.eventText && deps.escalation) {
    const pim = parseEventText(found.eventText);
    if (pim.kind === 'valid') {
      const fallback = await fallBackIfUnreached(pim.event, { kind: 'reports' }, deps.escalation);
      if (fallback.kind === 'fellBack' && fallback.sent > 0) outcome.fallbacks++;
    }
  }
  return outcome;
}
