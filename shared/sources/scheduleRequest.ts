/**
 * One PIM schedule request (Graph unifiedRoleAssignment/EligibilityScheduleRequest, ARM
 * Microsoft.Authorization/roleAssignment/EligibilityScheduleRequests, Graph
 * privilegedAccessGroupAssignment/EligibilityScheduleRequest) in one shape, and the events its
 * current status implies. Pure: the readers (pimRequestSource.ts) fill the shape, the requests
 * collector decides what is new.
 *
 * A status implies every event on the way to it: a request read first as Provisioned after an
 * approval was also approved, so `activationApproved` and `activationCompleted` both follow
 * (each queued once by its id, requestEventId.ts). An approval is known by `approvalId`.
 */
import { parseEvent, type ParseResult } from '../events/parse.js';
import { LIMITS, requestAction, type PimEventType } from '../events/schema.js';
import { approvalExpiry } from '../time/approvalWindow.js';
import { requestEventId } from './requestEventId.js';

/** One reader per kind of access (directory roles, Azure resource roles, PIM for Groups). */
export type AccessKind = 'directory' | 'azureResource' | 'group';

export interface ScheduleRequest {
  kind: AccessKind;
  /** Active (assignment, activation) or eligible schedule. */
  schedule: 'assignment' | 'eligibility';
  id: string;
  /** Graph `action` / ARM `requestType`, e.g. selfActivate, AdminAssign (case varies by API). */
  action: string;
  status: string;
  createdDateTime: string;
  completedDateTime?: string;
  principalId: string;
  principalType?: 'user' | 'group' | 'servicePrincipal';
  /** Role definition (template) id; for groups the access id (`member` / `owner`). */
  roleDefinitionId: string;
  /** `/` (directory), an ARM scope, or the group id. */
  scopeId: string;
  /** Who made the request (the requester for self-service actions). */
  createdById?: string;
  approvalId?: string;
  justification?: string;
  ticketNumber?: string;
  ticketSystem?: string;
  startDateTime?: string;
  endDateTime?: string;
  permanent: boolean;
}

/** Statuses in which a request still waits for an approver. */
const PENDING = new Set(['pendingapproval', 'pendingadmindecision']);
/** Decided for, not yet in force. */
const GRANTED = new Set([
  'granted',
  'adminapproved',
  'pendingprovisioning',
  'provisioningstarted',
  'pendingschedulecreation',
  'pendingexternalprovisioning',
]);
/** In force (or scheduled to be). */
const DONE = new Set(['provisioned', 'schedulecreated']);
const DENIED = new Set(['denied', 'admindenied']);

export function isPending(r: ScheduleRequest): boolean {
  return PENDING.has(r.status.toLowerCase());
}

/** Where a status stands in a request's life (the sets above), for matching an event against it (confirm/recordMatch.ts). */
export type StatusClass = 'pending' | 'granted' | 'done' | 'denied' | 'canceled' | 'timedout' | 'other';

export function statusClass(status: string): StatusClass {
  const s = status.toLowerCase();
  if (PENDING.has(s)) return 'pending';
  if (GRANTED.has(s)) return 'granted';
  if (DONE.has(s)) return 'done';
  if (DENIED.has(s)) return 'denied';
  if (s === 'canceled' || s === 'revoked') return 'canceled';
  if (s === 'timedout') return 'timedout';
  return 'other';
}

export type ActionClass = 'activate' | 'extend' | 'renew' | 'assign' | 'other';

export function actionClass(action: string): ActionClass {
  const a = action.toLowerCase();
  if (a === 'selfactivate') return 'activate';
  if (a === 'selfextend' || a === 'adminextend') return 'extend';
  if (a === 'selfrenew' || a === 'adminrenew') return 'renew';
  if (a === 'adminassign') return 'assign';
  return 'other';
}

/**
 * The event types the request's status implies, in order. `now` decides the expiry of a request
 * still pending after the approval window (Graph has no TimedOut status; ARM does).
 */
export function impliedEvents(r: ScheduleRequest, now: Date): PimEventType[] {
  const status = r.status.toLowerCase();
  const cls = actionClass(r.action);
  const approved = Boolean(r.approvalId);
  if (status === 'timedout' || (PENDING.has(status) && now.getTime() >= approvalExpiry(r.createdDateTime).getTime())) {
    return cls === 'other' || cls === 'assign' ? [] : ['requestExpired'];
  }
  if (cls === 'activate') {
    if (PENDING.has(status)) return ['activationPendingApproval'];
    if (GRANTED.has(status)) return approved ? ['activationApproved'] : [];
    if (DONE.has(status)) return approved ? ['activationApproved', 'activationCompleted'] : ['activationCompleted'];
    if (DENIED.has(status)) return ['activationDenied'];
    if (status === 'canceled') return ['activationCanceled'];
    return [];
  }
  if (cls === 'extend' || cls === 'renew') {
    if (PENDING.has(status)) return ['assignmentPendingApproval'];
    if (DONE.has(status)) return [cls === 'extend' ? 'roleExtended' : 'roleRenewed'];
    // "When an administrator resolves the request, all administrators and the requesting user are notified" (groups-renew-extend).
    if (DENIED.has(status)) return ['assignmentRequestDenied'];
    return [];
  }
  if (cls === 'assign' && DONE.has(status)) return ['roleAssigned'];
  return [];
}

/** When the transition to `type` happened, as far as the request tells. */
function occurredAt(r: ScheduleRequest, type: PimEventType, now: Date): string {
  if (type === 'activationPendingApproval' || type === 'assignmentPendingApproval') return r.createdDateTime;
  if (type === 'requestExpired') return r.completedDateTime ?? approvalExpiry(r.createdDateTime).toISOString();
  return r.completedDateTime ?? now.toISOString();
}

/** The event, or why the request does not make a valid one (the event schema's verdict). */
export type BuiltEvent = ParseResult;

/**
 * The event of one transition (or reminder `ordinal`, at `at`), validated by the event schema.
 * A PIM for Groups request's scope is its group with the access (member or owner), without a role.
 */
export function requestEvent(
  r: ScheduleRequest,
  type: PimEventType,
  tenantId: string,
  now: Date,
  reminder?: { ordinal: number; at: string },
): BuiltEvent {
  const isAssignmentType =
    type === 'roleAssigned' ||
    type === 'roleExtended' ||
    type === 'roleRenewed' ||
    type === 'assignmentPendingApproval' ||
    type === 'assignmentRequestDenied';
  const isActivation = type === 'activationApproved' || type === 'activationCompleted';
  const requester =
    type === 'activationPendingApproval' ||
    type === 'assignmentPendingApproval' ||
    type === 'approvalReminder' ||
    type === 'activationCanceled';
  const action = requestAction(r.action);
  // An administrator's own request (adminAssign, adminExtend, adminRenew...) was made by the
  // administrator who acted: they are the actor, whom nobody tells about their own action.
  const byAdmin = action?.startsWith('admin') ?? false;
  const candidate: Record<string, unknown> = {
    id: requestEventId(r.id, type, reminder?.ordinal),
    type,
    tenantId,
    occurredAt: reminder?.at ?? occurredAt(r, type, now),
    // PIM for Groups: the group and the access (member or owner) are the scope; there is no role.
    scope:
      r.kind === 'directory'
        ? { kind: 'directory', id: r.scopeId || '/' }
        : r.kind === 'group'
          ? { kind: 'group', id: r.scopeId, accessId: r.roleDefinitionId.toLowerCase() }
          : { kind: 'azureResource', id: r.scopeId.replace(/\/+$/, '') },
    ...(r.kind === 'group' ? {} : { role: { id: r.roleDefinitionId } }),
    principal: { id: r.principalId, ...(r.principalType ? { type: r.principalType } : {}) },
    // The request names its maker, not who decided it: decisions carry no actor ("An approver").
    ...((requester || byAdmin) && r.createdById ? { actor: { id: r.createdById } } : {}),
    request: {
      id: r.id.slice(0, LIMITS.requestId),
      ...(action ? { action } : {}),
      createdDateTime: r.createdDateTime,
      ...cut('justification', r.justification, LIMITS.justification),
      ...cut('ticketNumber', r.ticketNumber, LIMITS.ticket),
      ...cut('ticketSystem', r.ticketSystem, LIMITS.ticket),
    },
  };
  if (isAssignmentType || isActivation) {
    candidate['assignment'] = {
      state: r.schedule === 'eligibility' && !isActivation ? 'eligible' : 'active',
      permanent: r.permanent && !isActivation,
      ...(r.startDateTime ? { startDateTime: r.startDateTime } : {}),
      ...(r.endDateTime && !(r.permanent && !isActivation) ? { endDateTime: r.endDateTime } : {}),
    };
  }
  return parseEvent(candidate);
}

function cut(name: string, value: string | undefined, max: number): Record<string, string> {
  return value && value.trim() !== '' ? { [name]: value.trim().slice(0, max) } : {};
}

/** `start + duration` for an ISO 8601 duration such as PT8H or P1DT2H30M; undefined when unparsable. */
export function endAfter(start: string | undefined, duration: string | undefined): string | undefined {
  const m = duration ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(duration) : null;
  const from = start ? Date.parse(start) : NaN;
  if (!m || !Number.isFinite(from)) return undefined;
  const [, d, h, min, s] = m;
  const ms = ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
  return new Date(from + ms).toISOString();
}

/** ISO date-time, or undefined (Graph writes 7 fractional digits; ARM may omit the zone). */
export function isoOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
