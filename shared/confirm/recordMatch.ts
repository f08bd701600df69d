/**
 * Pure: does one PIM record bear an event out? A request (by its id, or found by principal,
 * role and scope) against the event's type, or the schedules at the event's scope against an
 * assignment event. A record that does not match says whether a later read could change that
 * (`lag`: the record is missing or has not reached the event's status yet) or not (the record
 * names another principal, role or scope, or a status the event contradicts).
 */
import { armScopeKey } from '../events/armScope.js';
import { REQUEST_EVENT_TYPES, type PimEvent, type RoleEvent } from '../events/schema.js';
import type { ScheduledAssignment } from '../directory/roleDirectory.js';
import { actionClass, statusClass, type ScheduleRequest } from '../sources/scheduleRequest.js';
import { approvalExpiry } from '../time/approvalWindow.js';

/**
 * The record confirms the event (`by` names what), lags it (a later read may yet: the record is
 * missing or has not reached the event's status), or contradicts it (no later read changes that).
 */
export type RecordMatch = { kind: 'confirms'; by: string } | { kind: 'lags'; reason: string } | { kind: 'contradicts'; reason: string };

/** How far an expiry date in an event may be from the schedule's (PIM rounds, sources copy). */
const END_TOLERANCE_MS = 60_000;

const ok = (by: string): RecordMatch => ({ kind: 'confirms', by });
const lag = (reason: string): RecordMatch => ({ kind: 'lags', reason });
const contradicts = (reason: string): RecordMatch => ({ kind: 'contradicts', reason });

/** Scopes compared as ARM compares them: without regard to case, a subscription's alias as the subscription. */
export function scopeKey(id: string): string {
  return armScopeKey(id);
}

/** The access or role an event names: the role id, or for a group its access (member/owner). */
export function roleOf(event: RoleEvent): string {
  return event.scope.kind === 'group' ? event.scope.accessId : (event.role?.id ?? '').toLowerCase();
}

/** Which schedule a request behind the event is on, when the event tells. */
export function scheduleOf(event: RoleEvent): ScheduleRequest['schedule'] | undefined {
  if (event.type.startsWith('activation')) return 'assignment';
  if (event.assignment) return event.assignment.state === 'eligible' ? 'eligibility' : 'assignment';
  return undefined;
}

/** Same principal, role or access, and scope: what no later read changes. */
function sameTarget(event: RoleEvent, r: ScheduleRequest): RecordMatch | undefined {
  if (r.kind !== event.scope.kind) return contradicts(`request ${r.id} is for another kind of scope`);
  if (r.principalId.toLowerCase() !== event.principal.id.toLowerCase()) return contradicts(`request ${r.id} is for another principal`);
  if (r.roleDefinitionId.toLowerCase() !== roleOf(event))
    return contradicts(`request ${r.id} is for another ${event.scope.kind === 'group' ? 'access' : 'role'}`);
  if (scopeKey(r.scopeId) !== scopeKey(event.scope.id)) return contradicts(`request ${r.id} is for another scope`);
  const schedule = scheduleOf(event);
  if (schedule && r.schedule !== schedule)
    return contradicts(`request ${r.id} is for an ${r.schedule === 'eligibility' ? 'eligible' : 'active'} assignment`);
  return undefined;
}

/** Whether `r` is a request for the event's principal, role or access, scope and schedule. */
export function isFor(event: RoleEvent, r: ScheduleRequest): boolean {
  return sameTarget(event, r) === undefined;
}

/** The request `r` against the event: same target, and a status that is (or follows) the event's. */
export function matchRequest(event: RoleEvent, r: ScheduleRequest, now: Date): RecordMatch {
  const target = sameTarget(event, r);
  if (target) return target;
  const status = statusClass(r.status);
  const action = actionClass(r.action);
  const by = `request ${r.id} (${r.status})`;
  const isActivation = action === 'activate';
  const notYet = status === 'pending' || status === 'granted' || status === 'other';
  const was = (what: string) => `request ${r.id} ${what} (status ${r.status})`;
  switch (event.type) {
    case 'activationPendingApproval':
    case 'assignmentPendingApproval':
      if ((event.type === 'activationPendingApproval') !== isActivation)
        return contradicts(`request ${r.id} is ${isActivation ? 'an activation' : 'not an activation'}`);
      // Waiting now, or decided since: an approval id says it needed one.
      if (status === 'pending' || r.approvalId) return ok(by);
      return status === 'other' ? lag(was('does not wait for approval yet')) : contradicts(was('never needed approval'));
    case 'approvalReminder':
      if (status === 'pending') return ok(by);
      return status === 'other' ? lag(was('does not wait for approval yet')) : contradicts(was('no longer waits for approval'));
    case 'activationApproved':
      if (!isActivation) return contradicts(`request ${r.id} is not an activation`);
      if ((status === 'granted' || status === 'done') && r.approvalId) return ok(by);
      return status === 'pending' || status === 'other' ? lag(was('is not approved yet')) : contradicts(was('was not approved'));
    case 'activationCompleted':
      if (!isActivation) return contradicts(`request ${r.id} is not an activation`);
      if (status === 'done') return ok(by);
      return notYet ? lag(was('is not in force yet')) : contradicts(was('did not complete'));
    case 'activationDenied':
    case 'assignmentRequestDenied':
      if ((event.type === 'activationDenied') !== isActivation)
        return contradicts(`request ${r.id} is ${isActivation ? 'an activation' : 'not an activation'}`);
      if (status === 'denied') return ok(by);
      return notYet ? lag(was('is not denied yet')) : contradicts(was('was not denied'));
    case 'activationCanceled':
      if (!isActivation) return contradicts(`request ${r.id} is not an activation`);
      if (status === 'canceled') return ok(by);
      return notYet ? lag(was('is not canceled yet')) : contradicts(was('was not canceled'));
    case 'requestExpired': {
      const pastWindow = now.getTime() >= approvalExpiry(r.createdDateTime).getTime();
      if (status === 'timedout' || (status === 'pending' && pastWindow)) return ok(by);
      return status === 'pending' || status === 'other' ? lag(was('has not expired yet')) : contradicts(was('did not expire'));
    }
    default: {
      // An assignment event backed by a request: made, extended or renewed, and in force.
      if (isActivation) return contradicts(`request ${r.id} is an activation`);
      if (event.type === 'roleExtended' && action !== 'extend') return contradicts(`request ${r.id} is not an extension`);
      if (event.type === 'roleRenewed' && action !== 'renew') return contradicts(`request ${r.id} is not a renewal`);
      if (event.type === 'roleMadePermanent' && !r.permanent) return contradicts(`request ${r.id} is not permanent`);
      if (status === 'done') return ok(by);
      return notYet ? lag(was('is not in force yet')) : contradicts(was('did not complete'));
    }
  }
}

function describeTarget(event: RoleEvent): string {
  const role =
    event.scope.kind === 'group'
      ? `${event.scope.accessId} access to group ${event.scope.id}`
      : `role ${roleOf(event)} at scope ${event.scope.id}`;
  return `principal ${event.principal.id}, ${role}`;
}

/** No request at all for the event: found neither by its id nor by principal, role and scope. */
export function requestMissing(event: RoleEvent): RecordMatch {
  return lag(event.request?.id ? `no request ${event.request.id} for ${describeTarget(event)}` : `no request for ${describeTarget(event)}`);
}

/**
 * An assignment event (or an activation without a request id) against the schedules PIM lists
 * at its scope: same principal, role or access, scope and state; for the end-date events the
 * same end; for an expiry, nothing of it still in force.
 */
export function matchSchedules(event: RoleEvent, schedules: readonly ScheduledAssignment[], now: Date): RecordMatch {
  const state = event.assignment?.state ?? 'active';
  const role = roleOf(event);
  const scope = scopeKey(event.scope.id);
  const matches = schedules.filter(
    (s) =>
      s.principalId.toLowerCase() === event.principal.id.toLowerCase() &&
      s.roleDefinitionId.toLowerCase() === role &&
      scopeKey(s.scope.id) === scope &&
      s.state === state,
  );
  const inForce = matches.filter((s) => s.endDateTime === null || Date.parse(s.endDateTime) > now.getTime());
  const what = `${state === 'eligible' ? 'eligible' : 'active'} assignment of ${describeTarget(event)}`;
  if (event.type === 'roleExpired') {
    const still = inForce[0];
    return still
      ? lag(`the ${what} is still in force ${still.endDateTime ? `until ${still.endDateTime}` : 'permanently'}`)
      : ok(`no ${what} in force`);
  }
  if (inForce.length === 0) return lag(`no ${what}`);
  if (event.type === 'roleMadePermanent') {
    return inForce.some((s) => s.endDateTime === null) ? ok(`permanent ${what}`) : lag(`the ${what} is not permanent`);
  }
  if (event.type === 'roleExpiringSoon' || event.type === 'roleEligibleToExtend') {
    const end = event.assignment?.endDateTime ? Date.parse(event.assignment.endDateTime) : undefined;
    const same = inForce.find(
      (s) => s.endDateTime !== null && (end === undefined || Math.abs(Date.parse(s.endDateTime) - end) <= END_TOLERANCE_MS),
    );
    return same
      ? ok(`${what} ending ${same.endDateTime}`)
      : lag(`the ${what} does not end ${end === undefined ? 'at all' : `at ${event.assignment!.endDateTime}`}`);
  }
  return ok(what);
}

/** Which record confirms the event: its request (by id, or searched), or the schedules. */
export function confirmedBy(event: PimEvent): 'tenant' | 'requestId' | 'requestSearch' | 'schedules' {
  if (event.type === 'pimEnabled') return 'tenant';
  if (event.request?.id) return 'requestId';
  // An activation in force shows as an active schedule; the other request events only as a request.
  return event.type !== 'activationCompleted' && (REQUEST_EVENT_TYPES as readonly string[]).includes(event.type)
    ? 'requestSearch'
    : 'schedules';
}
