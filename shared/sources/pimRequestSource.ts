/**
 * Reads PIM schedule requests, one reader per kind of access:
 * - directory roles: Graph `roleManagement/directory/roleAssignmentScheduleRequests` and
 *   `roleEligibilityScheduleRequests`, filtered on createdDateTime;
 * - Azure resource roles: ARM `Microsoft.Authorization/roleAssignmentScheduleRequests` and
 *   `roleEligibilityScheduleRequests` (2020-10-01) per subscription, unfiltered (from a
 *   subscription that lists the requests at, above and below it; ARM filters only on
 *   principal and caller), so `createdOn` is compared here;
 * - PIM for Groups: Graph `identityGovernance/privilegedAccess/group/assignmentScheduleRequests`
 *   and `eligibilityScheduleRequests`.
 * Paging follows the absolute next links; throttling (429 + Retry-After) is waited out by the
 * shared Graph client's RetryHandler and by ArmApi, as for the other readers.
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import { GraphRequestError, type GraphApi } from '../directory/graph/graphClient.js';
import type { RequestSource } from './requestSource.js';
import { endAfter, isoOf, type AccessKind, type ScheduleRequest } from './scheduleRequest.js';

export const ARM_REQUESTS_API_VERSION = '2020-10-01';

interface Expiration {
  type?: string | null;
  endDateTime?: string | null;
  duration?: string | null;
}

/** The Graph request properties read (unifiedRole…ScheduleRequest and privilegedAccessGroup…ScheduleRequest). */
export interface GraphScheduleRequest {
  id: string;
  action?: string | null;
  status?: string | null;
  createdDateTime?: string | null;
  completedDateTime?: string | null;
  principalId?: string | null;
  roleDefinitionId?: string | null;
  directoryScopeId?: string | null;
  groupId?: string | null;
  accessId?: string | null;
  approvalId?: string | null;
  justification?: string | null;
  createdBy?: { user?: { id?: string | null } | null; application?: { id?: string | null } | null } | null;
  ticketInfo?: { ticketNumber?: string | null; ticketSystem?: string | null } | null;
  scheduleInfo?: { startDateTime?: string | null; expiration?: Expiration | null } | null;
}

/** The ARM request as listed (properties of Microsoft.Authorization/role…ScheduleRequests). */
export interface ArmScheduleRequest {
  id: string;
  name: string;
  properties?: {
    requestType?: string | null;
    status?: string | null;
    createdOn?: string | null;
    principalId?: string | null;
    principalType?: string | null;
    roleDefinitionId?: string | null;
    scope?: string | null;
    requestorId?: string | null;
    approvalId?: string | null;
    justification?: string | null;
    ticketInfo?: { ticketNumber?: string | null; ticketSystem?: string | null } | null;
    scheduleInfo?: { startDateTime?: string | null; expiration?: Expiration | null } | null;
  } | null;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export class PimRequestSource implements RequestSource {
  private graphCalls = 0;
  private armCalls = 0;

  constructor(
    private readonly graph: Pick<GraphApi, 'get'>,
    private readonly arm: Pick<ArmApi, 'get'> | undefined,
    private readonly subscriptionIds: readonly string[],
    /** Read PIM for Groups requests too (off after a 403: the group permissions are missing). */
    private groups = true,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  get requestCount(): number {
    return this.graphCalls + this.armCalls;
  }

  async *pages(since: string): AsyncIterable<ScheduleRequest[]> {
    for (const schedule of ['assignment', 'eligibility'] as const) {
      const collection = schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
      yield* this.graphPages(`/roleManagement/directory/${collection}?$filter=createdDateTime ge ${since}`, 'directory', schedule);
    }
    for (const subscriptionId of this.arm ? this.subscriptionIds : []) {
      for (const schedule of ['assignment', 'eligibility'] as const) {
        const collection = schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
        yield* this.armPages(
          `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/${collection}?api-version=${ARM_REQUESTS_API_VERSION}`,
          schedule,
          since,
        );
      }
    }
    if (!this.groups) return;
    for (const schedule of ['assignment', 'eligibility'] as const) {
      try {
        yield* this.graphPages(
          `/identityGovernance/privilegedAccess/group/${schedule}ScheduleRequests?$filter=createdDateTime ge ${since}`,
          'group',
          schedule,
        );
      } catch (e) {
        // Without the group permissions only group requests are missed; the warning says which to grant.
        if (!(e instanceof GraphRequestError && (e.statusCode === 401 || e.statusCode === 403))) throw e;
        this.groups = false;
        this.warn(`PIM for Groups requests not read (${e.message}); reading them again after a restart`);
        return;
      }
    }
  }

  private async *graphPages(path: string, kind: AccessKind, schedule: ScheduleRequest['schedule']): AsyncIterable<ScheduleRequest[]> {
    let next: string | undefined = path;
    while (next) {
      this.graphCalls++;
      const page: { value?: GraphScheduleRequest[]; '@odata.nextLink'?: string } = await this.graph.get(next);
      yield (page.value ?? []).flatMap((r) => fromGraph(r, kind, schedule) ?? []);
      next = page['@odata.nextLink'];
    }
  }

  private async *armPages(path: string, schedule: ScheduleRequest['schedule'], since: string): AsyncIterable<ScheduleRequest[]> {
    const from = Date.parse(since);
    let next: string | undefined = path;
    while (next) {
      this.armCalls++;
      const page: { value?: ArmScheduleRequest[]; nextLink?: string | null } = await this.arm!.get(next);
      yield (page.value ?? []).flatMap((r) => {
        const request = fromArm(r, schedule);
        return request && Date.parse(request.createdDateTime) >= from ? [request] : [];
      });
      next = page.nextLink ?? undefined;
    }
  }
}

export function fromGraph(r: GraphScheduleRequest, kind: AccessKind, schedule: ScheduleRequest['schedule']): ScheduleRequest | undefined {
  const created = isoOf(r.createdDateTime);
  const role = kind === 'group' ? r.accessId : r.roleDefinitionId;
  const scope = kind === 'group' ? r.groupId : (r.directoryScopeId ?? '/');
  if (!r.id || !created || !r.principalId || !role || !scope || !r.status || !r.action) return undefined;
  return {
    kind,
    schedule,
    id: r.id,
    action: r.action,
    status: r.status,
    createdDateTime: created,
    ...optional('completedDateTime', isoOf(r.completedDateTime)),
    principalId: r.principalId.toLowerCase(),
    roleDefinitionId: role.toLowerCase(),
    scopeId: scope,
    ...optional('createdById', r.createdBy?.user?.id ?? r.createdBy?.application?.id ?? undefined),
    ...optional('approvalId', r.approvalId ?? undefined),
    ...optional('justification', r.justification ?? undefined),
    ...optional('ticketNumber', r.ticketInfo?.ticketNumber ?? undefined),
    ...optional('ticketSystem', r.ticketInfo?.ticketSystem ?? undefined),
    ...schedulePart(r.scheduleInfo),
  };
}

export function fromArm(r: ArmScheduleRequest, schedule: ScheduleRequest['schedule']): ScheduleRequest | undefined {
  const p = r.properties ?? {};
  const created = isoOf(p.createdOn);
  const role = lastGuid(p.roleDefinitionId);
  if (!r.name || !created || !p.principalId || !role || !p.scope || !p.status || !p.requestType) return undefined;
  const type = (p.principalType ?? '').toLowerCase();
  return {
    kind: 'azureResource',
    schedule,
    id: r.name,
    action: p.requestType,
    status: p.status,
    createdDateTime: created,
    principalId: p.principalId.toLowerCase(),
    ...(type === 'user'
      ? { principalType: 'user' as const }
      : type === 'group'
        ? { principalType: 'group' as const }
        : type === 'serviceprincipal'
          ? { principalType: 'servicePrincipal' as const }
          : {}),
    roleDefinitionId: role,
    scopeId: p.scope,
    ...optional('createdById', p.requestorId ?? undefined),
    ...optional('approvalId', p.approvalId ?? undefined),
    ...optional('justification', p.justification ?? undefined),
    ...optional('ticketNumber', p.ticketInfo?.ticketNumber ?? undefined),
    ...optional('ticketSystem', p.ticketInfo?.ticketSystem ?? undefined),
    ...schedulePart(p.scheduleInfo),
  };
}

function schedulePart(
  info: { startDateTime?: string | null; expiration?: Expiration | null } | null | undefined,
): Pick<ScheduleRequest, 'permanent' | 'startDateTime' | 'endDateTime'> {
  const start = isoOf(info?.startDateTime);
  const expiration = info?.expiration;
  const permanent = (expiration?.type ?? '').toLowerCase() === 'noexpiration';
  const end = permanent ? undefined : (isoOf(expiration?.endDateTime) ?? endAfter(start, expiration?.duration ?? undefined));
  return { permanent, ...optional('startDateTime', start), ...optional('endDateTime', end) };
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [name]: value } as Record<K, string>) : {};
}

function lastGuid(value: string | null | undefined): string | undefined {
  const all = value?.match(GUID);
  return all?.[all.length - 1]?.toLowerCase();
}
