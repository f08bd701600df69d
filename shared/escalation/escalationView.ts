/**
 * What the emails of escalation and fallback say, in plain words (pure): the view each template
 * in render/templates/escalation.ts fills in. docs/escalation.md quotes them.
 *
 * Names and free text come from the event (typed by people): they are cleaned here and escaped
 * by the templates; the only link is PIM's own approval page.
 */
import type { RoleEvent } from '../events/schema.js';
import { formatDateTime, requesterText, singleLine } from '../render/format.js';
import { groupPortalLink, portalLink } from '../render/links.js';

export interface RequestFacts {
  principal: string;
  role: string;
  scope: string;
  requestedAt: string;
  expiresAt: string;
  justification?: string;
  approveUrl: string;
  tenantName: string;
}

/** The request as the emails name it. */
export function requestFacts(event: RoleEvent, expiresAt: Date, portalBaseUrl: string, tenantName: string): RequestFacts {
  const scope = event.scope;
  return {
    principal: singleLine(event.principal.displayName ?? event.principal.id),
    role: singleLine(
      scope.kind === 'group'
        ? `${scope.accessId} of group ${scope.displayName ?? scope.id}`
        : (event.role?.displayName ?? event.role?.id ?? ''),
    ),
    scope: singleLine(scope.kind === 'directory' ? 'the directory' : (scope.displayName ?? scope.id)),
    requestedAt: event.request?.createdDateTime ?? event.occurredAt,
    expiresAt: expiresAt.toISOString(),
    ...(event.request?.justification ? { justification: requesterText(event.request.justification) } : {}),
    approveUrl:
      scope.kind === 'group'
        ? groupPortalLink(portalBaseUrl, 'approveRequests', scope.id)
        : portalLink(portalBaseUrl, 'approveRequests', scope.kind),
    tenantName,
  };
}

function facts(r: RequestFacts): Array<{ label: string; value: string; multiline?: boolean }> {
  return [
    { label: 'Requester', value: r.principal },
    { label: 'Role', value: r.role },
    { label: 'Scope', value: r.scope },
    { label: 'Requested', value: formatDateTime(r.requestedAt) },
    { label: 'Expires', value: formatDateTime(r.expiresAt) },
    ...(r.justification ? [{ label: 'Justification', value: r.justification, multiline: true }] : []),
  ];
}

/** "the email to 2 approvers bounced, 1 was suppressed", or "none of them has an email address". */
export function unreachedSummary(statuses: readonly string[]): string {
  if (statuses.length === 0) return 'none of them has an email address';
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  const words: Record<string, string> = {
    Bounced: 'bounced',
    Suppressed: 'was suppressed by the mail service',
    Quarantined: 'was quarantined',
    FilteredSpam: 'was filtered as spam',
    Failed: 'could not be delivered after retries',
  };
  const order = Object.keys(words);
  const rank = (status: string) => (order.includes(status) ? order.indexOf(status) : order.length);
  return [...counts]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([status, n]) => `the email to ${n} ${n === 1 ? 'approver' : 'approvers'} ${words[status] ?? `ended ${status}`}`)
    .join(', ');
}

/** Hours and minutes, `5 h 20 min`. */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** To whoever is asked instead of approvers who could not be reached. */
export function fallbackView(r: RequestFacts, summary: string, via: string, recipientName?: string): object {
  return {
    headline: `Approvers of ${r.principal}'s request for ${r.role} could not be reached`,
    tenantName: r.tenantName,
    ...(recipientName ? { recipientName } : {}),
    paragraphs: [
      `${r.principal} asked for ${r.role} on ${r.scope}. Its approvers could not be reached: ${summary}.`,
      `You are asked instead, as ${via}. If you can approve or deny it, please do so in Privileged Identity Management before ${formatDateTime(r.expiresAt)}, when PIM lets it expire; if you cannot, make sure someone who can does.`,
    ],
    facts: facts(r),
    action: { label: 'Open the approval requests', url: r.approveUrl },
    reason: `You received this because you are ${via} in ${r.tenantName}.`,
  };
}

/** To the requester: who was asked instead (display names or addresses), or that nobody could be. */
export function unreachedNoticeView(r: RequestFacts, summary: string, askedInstead: readonly string[], recipientName?: string): object {
  const asked =
    askedInstead.length > 0
      ? `It was sent instead to ${askedInstead.join(', ')}.`
      : `Nobody else could be asked: please tell your administrators, or the request expires unanswered at ${formatDateTime(r.expiresAt)}.`;
  return {
    headline: `Your approvers could not be reached for your request for ${r.role}`,
    tenantName: r.tenantName,
    ...(recipientName ? { recipientName } : {}),
    paragraphs: [
      `Your request for ${r.role} on ${r.scope} is waiting for approval, but its approvers could not be reached: ${summary}.`,
      asked,
    ],
    facts: facts(r),
    reason: `You received this because you made this request in ${r.tenantName}.`,
  };
}

/** To the escalation contacts of a request still waiting. */
export function escalationView(r: RequestFacts, waitedMs: number, leftMs: number, via: string): object {
  return {
    headline: `${r.principal}'s request for ${r.role} has waited ${duration(waitedMs)} for approval`,
    tenantName: r.tenantName,
    paragraphs: [
      `${r.principal} asked for ${r.role} on ${r.scope} ${duration(waitedMs)} ago, and nobody has approved or denied it yet. ${duration(leftMs)} are left before PIM lets it expire at ${formatDateTime(r.expiresAt)}.`,
      `You are told as ${via}: please make sure an approver acts on it in Privileged Identity Management.`,
    ],
    facts: facts(r),
    action: { label: 'Open the approval requests', url: r.approveUrl },
    reason: `You received this because you are ${via} in ${r.tenantName}.`,
  };
}
