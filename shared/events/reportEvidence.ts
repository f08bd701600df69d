/**
 * Whether a delivery report is evidence the app may act on: a report turns into emails (a
 * resend, a fallback to other approvers), so one somebody wrote onto the reports queue by hand
 * must not. Beyond its shape (deliveryReportSchema.ts: the Event Grid envelope, one event per
 * message), a report is acted on only if
 *   - it is a delivery report (Event Grid's subscription filters on that type: infra/modules/
 *     eventgrid.bicep), from the configured ACS resource: `topic` is the resource's ARM id
 *     ("Full resource path to the event source ... Event Grid provides this value",
 *     learn.microsoft.com/javascript/api/@azure/functions/eventgridevent), ACS_RESOURCE_ID;
 *   - its `subject` is ACS's for that message ("sender/{sender}/message/{messageId}", the spec's
 *     example email_delivery_report_received.json and learn.microsoft.com/azure/event-grid/
 *     communication-services-email-events);
 *   - its times are within a sane bound of now: not ahead of the clock by more than a skew, and
 *     not older than Event Grid's retry window plus the time a message may wait on the queue
 *     (a `Delivered` dated 9999-12-31 would otherwise make every later real report stale).
 * Which message and which recipient the ledger must know is the use case's check
 * (deliveryReports.ts). Without ACS_RESOURCE_ID the topic must still name an ACS resource, and
 * reports are recorded but never acted on (no resend, no fallback).
 */
import type { DeliveryReportEvent } from './deliveryReportSchema.js';
import { DELIVERY_REPORT_EVENT_TYPE } from './deliveryReportSchema.js';
import type { EventIssue } from './parse.js';

/** How far ahead of our clock a report's times may be (clock skew between ACS and the app). */
export const REPORT_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How old a report may be when it is read: Event Grid retries a delivery for up to 24 hours
 * (learn.microsoft.com/azure/event-grid/delivery-and-retry, "Retry schedule": "the default
 * ... event time-to-live of 1440 minutes"), and a queue message lives 7 days by default
 * (learn.microsoft.com/rest/api/storageservices/put-message, `messagettl`: "If this parameter is
 * omitted, the default time-to-live is 7 days").
 */
export const REPORT_MAX_AGE_MS = (1 + 7) * 24 * 3_600_000;

const ACS_RESOURCE = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Communication\/communicationServices\/[^/]+$/i;

export type Evidence = { kind: 'act' } | { kind: 'recordOnly'; why: string } | { kind: 'refuse'; issues: EventIssue[] };

export function weighReport(event: DeliveryReportEvent, acsResourceId: string | undefined, now: Date): Evidence {
  const issues: EventIssue[] = [];
  if (event.eventType !== DELIVERY_REPORT_EVENT_TYPE)
    issues.push({ path: 'eventType', message: `is ${event.eventType.slice(0, 100)}, not ${DELIVERY_REPORT_EVENT_TYPE}` });
  if (acsResourceId ? event.topic.toLowerCase() !== acsResourceId.toLowerCase() : !ACS_RESOURCE.test(event.topic))
    issues.push({
      path: 'topic',
      message: acsResourceId ? 'is not the configured ACS resource (ACS_RESOURCE_ID)' : 'is not a Communication Services resource',
    });
  const subject = `/message/${event.data.messageId}`.toLowerCase();
  if (!event.subject.toLowerCase().startsWith('sender/') || !event.subject.toLowerCase().endsWith(subject))
    issues.push({ path: 'subject', message: 'is not sender/{sender}/message/{messageId} for this message' });
  for (const [path, value] of [
    ['eventTime', event.eventTime],
    ['data.deliveryAttemptTimestamp', event.data.deliveryAttemptTimestamp],
  ] as const) {
    if (value === undefined) continue;
    const t = Date.parse(value);
    if (Number.isNaN(t)) issues.push({ path, message: 'is not a date and time' });
    else if (t > now.getTime() + REPORT_CLOCK_SKEW_MS) issues.push({ path, message: 'is in the future' });
    else if (t < now.getTime() - REPORT_MAX_AGE_MS)
      issues.push({ path, message: 'is older than a report can be when it is read (8 days)' });
  }
  if (issues.length > 0) return { kind: 'refuse', issues };
  if (!acsResourceId) return { kind: 'recordOnly', why: 'ACS_RESOURCE_ID is not set, so no report can be told from a forged one' };
  return { kind: 'act' };
}
