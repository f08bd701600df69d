/**
 * Makes the benchmark's events real ones, as PIM would have them: with CONFIRM_WITH_PIM on (the
 * default) the notify function mails an event only when PIM's records bear it out, so each
 * event gets the record that does, without changing who holds what (the recipients stay those
 * of the tenant as generated):
 * - a request event: a request on the local request APIs with its principal, role, scope and the
 *   status the event implies (by the event's request id, or one to be found by principal, role
 *   and scope), created in the last hour (inside the confirmer's recent list);
 * - an assignment event (and an activation without a request id): the event is moved onto an
 *   existing schedule of the tenant of its scope kind and state (with that schedule's end date);
 *   an expiry onto a user who holds nothing.
 */
import type { PimEvent, RoleEvent } from '../shared/events/schema.js';
import type { PimRequestInput } from '../test/support/fakeRequests.js';
import type { GeneratedTenant } from './tenant.js';

interface Holding {
  scope: { kind: 'directory' | 'azureResource'; id: string };
  principalId: string;
  roleDefinitionId: string;
  state: 'active' | 'eligible';
  endDateTime: string | null;
}

const REQUEST_STATUS: Partial<Record<PimEvent['type'], { status: string; action: string }>> = {
  activationPendingApproval: { status: 'PendingApproval', action: 'selfActivate' },
  activationApproved: { status: 'Provisioned', action: 'selfActivate' },
  activationDenied: { status: 'Denied', action: 'selfActivate' },
  activationCanceled: { status: 'Canceled', action: 'selfActivate' },
  approvalReminder: { status: 'PendingApproval', action: 'selfActivate' },
  requestExpired: { status: 'TimedOut', action: 'selfActivate' },
  assignmentPendingApproval: { status: 'PendingApproval', action: 'selfExtend' },
  assignmentRequestDenied: { status: 'Denied', action: 'selfExtend' },
};

function holdingsOf(tenant: GeneratedTenant, now: Date): Holding[] {
  const inForce = (end: string | null | undefined) => !end || Date.parse(end) > now.getTime();
  const d = tenant.data;
  return [
    ...d.roleAssignments
      .filter((a) => inForce(a.endDateTime))
      .map((a) => ({
        scope: { kind: 'directory' as const, id: a.directoryScopeId },
        principalId: a.principalId,
        roleDefinitionId: a.roleDefinitionId,
        state: 'active' as const,
        endDateTime: a.endDateTime ?? null,
      })),
    ...d.roleEligibilities
      .filter((e) => inForce(e.endDateTime))
      .map((e) => ({
        scope: { kind: 'directory' as const, id: e.directoryScopeId },
        principalId: e.principalId,
        roleDefinitionId: e.roleDefinitionId,
        state: 'eligible' as const,
        endDateTime: e.endDateTime ?? null,
      })),
    ...(d.azureResources ?? []).flatMap((r) =>
      r.roleAssignments
        .filter((a) => inForce(a.endDateTime))
        .map((a) => ({
          scope: { kind: 'azureResource' as const, id: r.id },
          principalId: a.principalId,
          roleDefinitionId: a.roleDefinitionId,
          state: a.state,
          endDateTime: a.endDateTime ?? null,
        })),
    ),
  ];
}

/** The roles events of a scope kind name (the tenant's directory roles; the Azure roles it defines). */
function rolesOf(tenant: GeneratedTenant, kind: 'directory' | 'azureResource'): string[] {
  if (kind === 'directory') return tenant.data.roleDefinitions.map((r) => r.id);
  return [...new Set((tenant.data.azureResources ?? []).flatMap((r) => (r.roleDefinitions ?? []).map((d) => d.id)))];
}

export function genuineEvents(
  tenant: GeneratedTenant,
  events: readonly PimEvent[],
  now = new Date(),
): { events: PimEvent[]; requests: PimRequestInput[] } {
  const holdings = holdingsOf(tenant, now);
  const holderIds = new Set(holdings.map((h) => h.principalId));
  const nobody = tenant.data.users.filter((u) => !holderIds.has(u.id));
  const requests: PimRequestInput[] = [];
  const createdDateTime = new Date(now.getTime() - 3_600_000).toISOString();
  const out = events.map((event, n): PimEvent => {
    if (event.type === 'pimEnabled') return event;
    const e = event as RoleEvent;
    const asRequest = REQUEST_STATUS[e.type];
    if (asRequest) {
      const schedule = e.type.startsWith('activation') || e.assignment?.state !== 'eligible' ? 'assignment' : 'eligibility';
      requests.push({
        id: e.request?.id ?? `req-${e.id}`,
        kind: e.scope.kind,
        schedule,
        action: asRequest.action,
        status: asRequest.status,
        createdDateTime,
        principalId: e.principal.id,
        roleDefinitionId: e.role!.id,
        scope: e.scope.id,
        approvalId: asRequest.status === 'Provisioned' || asRequest.status === 'PendingApproval' ? `appr-${n}` : null,
      });
      return e;
    }
    const state = e.type === 'activationCompleted' ? 'active' : (e.assignment?.state ?? 'active');
    if (e.type === 'roleExpired') {
      // A holder (known to the directory, as most principals are), of a role they no longer hold there.
      const pool = holdings.filter((h) => h.scope.kind === e.scope.kind && h.state === state);
      const h = pool[n % pool.length]!;
      const held = new Set(
        holdings
          .filter((x) => x.principalId === h.principalId && x.scope.id === h.scope.id && x.state === state)
          .map((x) => x.roleDefinitionId),
      );
      const role = rolesOf(tenant, h.scope.kind).find((r) => !held.has(r));
      if (role)
        return {
          ...e,
          scope: h.scope,
          role: { id: role },
          principal: { id: h.principalId, type: tenant.groupHolderIds.includes(h.principalId) ? 'group' : 'user' },
        } as PimEvent;
      const user = nobody[n % nobody.length]!;
      return { ...e, principal: { id: user.id, type: 'user' } } as PimEvent;
    }
    const wantsEnd = e.type === 'roleExpiringSoon' || e.type === 'roleEligibleToExtend';
    const fits = (h: Holding) =>
      h.scope.kind === e.scope.kind &&
      h.state === state &&
      (e.type === 'roleMadePermanent' ? h.endDateTime === null : wantsEnd ? h.endDateTime !== null : true);
    // Of the event's scope kind when the tenant has such a schedule, else of any kind.
    const pool =
      holdings.filter(fits).length > 0
        ? holdings.filter(fits)
        : holdings.filter((x) => x.state === state && (!wantsEnd || x.endDateTime !== null));
    const h = pool[n % pool.length]!;
    const type = tenant.groupHolderIds.includes(h.principalId) ? ('group' as const) : ('user' as const);
    return {
      ...e,
      scope: h.scope,
      role: { id: h.roleDefinitionId },
      principal: { id: h.principalId, type },
      ...(e.assignment ? { assignment: { ...e.assignment, state, ...(h.endDateTime ? { endDateTime: h.endDateTime } : {}) } } : {}),
    } as PimEvent;
  });
  return { events: out, requests };
}
