/**
 * Reads PIM schedule requests for the requests collector, one reader per kind of access, in
 * the query shapes Microsoft documents (pimRequestQueries.ts, with the pages and sentences):
 * - directory roles: Graph `roleManagement/directory/role{Assignment,Eligibility}ScheduleRequests`,
 *   whole (`createdDateTime` is not filterable there): the window is applied here;
 * - PIM for Groups: Graph `identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleRequests`,
 *   which must be filtered by group: one list per group, for the role-assignable groups (Graph has
 *   no list of the groups PIM manages; read once per DIRECTORY_CACHE_TTL_SECONDS) and those in
 *   PIM_GROUP_IDS. Every Graph list of a run shares `$batch` requests (20 lists each), so a run
 *   costs about one Graph request however many groups there are up to 9;
 * - Azure resource roles: ARM `Microsoft.Authorization/role{Assignment,Eligibility}ScheduleRequests`
 *   (2020-10-01) per subscription, unfiltered (the subscription's and its resource groups'
 *   requests); `createdOn` is compared here.
 *
 * Degrade, never stall: a query shape the service refuses (400) anyway is asked again in a
 * simpler documented one, and that is logged once per process; a group whose list is refused in
 * every shape is skipped (logged once); a kind that cannot be read at all (400 on its simplest
 * shape, 401, 403, 404) is said once per run and the other kinds are read as usual. Throttling
 * and server errors that outlast the clients' retries (RetryHandler, ArmApi) fail the run, but
 * only after every other list was read and handed over, so nothing waits for the failing one.
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import { TtlCache } from '../directory/cache.js';
import { GRAPH_BATCH_LIMIT, type GraphApi } from '../directory/graph/graphClient.js';
import { ROLE_ASSIGNABLE_GROUPS } from '../directory/graph/groupReader.js';
import { armScope } from '../events/armScope.js';
import { systemClock, type Clock } from '../time/clock.js';
import { readArmList, readGraphLists, REFUSED_SHAPE, type Fallback, type ListRead } from './pimRequestLists.js';
import { armRequestList, directoryRequestList, groupRequestList, SCHEDULES } from './pimRequestQueries.js';
import type { RequestSource } from './requestSource.js';
import { endAfter, isoOf, type AccessKind, type ScheduleRequest } from './scheduleRequest.js';

export { ARM_REQUESTS_API_VERSION } from './pimRequestQueries.js';

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

export interface PimRequestSourceOptions {
  graph: Pick<GraphApi, 'get' | 'batchGet'>;
  /** Absent when no subscription is configured. */
  arm?: Pick<ArmApi, 'get'>;
  subscriptionIds: readonly string[];
  /** PIM_GROUP_IDS: groups read besides the role-assignable ones. */
  groupIds?: readonly string[];
  /** DIRECTORY_CACHE_TTL_SECONDS: how long the set of role-assignable groups is reused. */
  cacheTtlSeconds: number;
  clock?: Clock;
  /** Where the source's warnings go when a run names no other place (the host keeps console output). */
  warn?: (message: string) => void;
}

type Schedule = ScheduleRequest['schedule'];
/** A list failing with these is a configuration or query problem, said and skipped; any other status fails the run. */
const UNREADABLE = new Set([REFUSED_SHAPE, 401, 403, 404]);

export class PimRequestSource implements RequestSource {
  private graphCalls = 0;
  private armCalls = 0;
  private readonly graph: Pick<GraphApi, 'get' | 'batchGet'>;
  private readonly arm: Pick<ArmApi, 'get'> | undefined;
  private readonly groupSets: TtlCache;
  /** What was logged once for this process (fallbacks, groups skipped). */
  private readonly told = new Set<string>();

  constructor(private readonly options: PimRequestSourceOptions) {
    // Every call this source makes is counted (the benchmark's figure): a $batch is one request per 20 lists.
    this.graph = {
      get: (path, headers) => (this.graphCalls++, options.graph.get(path, headers)),
      batchGet: (paths, headers) => (
        (this.graphCalls += Math.ceil(paths.length / GRAPH_BATCH_LIMIT)),
        options.graph.batchGet(paths, headers)
      ),
    };
    const arm = options.arm;
    this.arm = arm && { get: (path) => (this.armCalls++, arm.get(path)) };
    this.groupSets = new TtlCache({ ttlSeconds: options.cacheTtlSeconds, clock: options.clock ?? systemClock });
  }

  get requestCount(): number {
    return this.graphCalls + this.armCalls;
  }

  /** Graph requests made so far (the collector's share of the Graph budget). */
  get graphRequestCount(): number {
    return this.graphCalls;
  }

  get armRequestCount(): number {
    return this.armCalls;
  }

  async *pages(since: string, warn: (message: string) => void = this.options.warn ?? (() => {})): AsyncIterable<ScheduleRequest[]> {
    const from = Date.parse(since);
    const said = new Set<string>();
    const run = { warn: (key: string, message: string) => void (said.has(key) || (said.add(key), warn(message))), failures: [] as Error[] };
    const fellBack = (f: Fallback) =>
      this.once(
        `shape ${f.refused.replace(/'[^']*'/g, "'…'")}`,
        warn,
        `PIM requests: ${f.refused} was refused (${f.reason}); reading ${f.next} instead`,
      );
    const recent = (r: ScheduleRequest | undefined): r is ScheduleRequest => r !== undefined && Date.parse(r.createdDateTime) >= from;

    const groups = await this.groupIds(run);
    const lists: { kind: Exclude<AccessKind, 'azureResource'>; schedule: Schedule; groupId?: string; shapes: string[] }[] = [
      ...SCHEDULES.map((schedule) => ({ kind: 'directory' as const, schedule, shapes: directoryRequestList(schedule) })),
      ...groups.flatMap((groupId) =>
        SCHEDULES.map((schedule) => ({ kind: 'group' as const, schedule, groupId, shapes: groupRequestList(schedule, groupId) })),
      ),
    ];
    const read = await readGraphLists<GraphScheduleRequest>(
      this.graph,
      lists.map((l) => l.shapes),
      fellBack,
    );
    for (const [i, list] of lists.entries()) {
      const result = read[i]!;
      if (result.kind === 'read') {
        yield result.items.map((r) => fromGraph(r, list.kind, list.schedule)).filter(recent);
      } else if (list.groupId && (result.status === 404 || result.status === REFUSED_SHAPE)) {
        // A group deleted since the group set was read has no requests; one whose list is refused in every shape is skipped.
        if (result.status === REFUSED_SHAPE)
          this.once(
            `group ${list.groupId}`,
            warn,
            `PIM for Groups requests of group ${list.groupId} not read: ${result.error.message}; skipped`,
          );
      } else this.failed(run, list.kind === 'group' ? 'PIM for Groups requests' : `directory role ${list.schedule} requests`, result);
    }

    for (const subscriptionId of this.arm ? this.options.subscriptionIds : []) {
      for (const schedule of SCHEDULES) {
        const result = await readArmList<ArmScheduleRequest>(
          this.arm!,
          armRequestList(`/subscriptions/${subscriptionId}`, schedule),
          fellBack,
        );
        if (result.kind === 'read') yield result.items.map((r) => fromArm(r, schedule)).filter(recent);
        else this.failed(run, `Azure role ${schedule} requests of subscription ${subscriptionId}`, result);
      }
    }
    if (run.failures.length > 0) throw run.failures[0];
  }

  /** The groups whose requests are read: role-assignable ones (cached) and PIM_GROUP_IDS, each once. */
  private async groupIds(run: { warn: (key: string, message: string) => void }): Promise<string[]> {
    let assignable: string[] = [];
    try {
      assignable = await this.groupSets.get('roleAssignableGroups', async () => {
        const ids: string[] = [];
        for (let next: string | undefined = ROLE_ASSIGNABLE_GROUPS; next;) {
          const page: { value?: { id?: string }[]; '@odata.nextLink'?: string } = await this.graph.get(next);
          for (const g of page.value ?? []) if (typeof g.id === 'string') ids.push(g.id);
          next = page['@odata.nextLink'];
        }
        return ids;
      });
    } catch (e) {
      // Without them only PIM_GROUP_IDS are read; retried next run.
      run.warn('groups', `role-assignable groups not read (${(e as Error).message}); PIM for Groups requests read for PIM_GROUP_IDS only`);
    }
    const seen = new Set<string>();
    return [...assignable, ...(this.options.groupIds ?? [])].filter((id) => !seen.has(id.toLowerCase()) && seen.add(id.toLowerCase()));
  }

  /** A list that could not be read: said once per run (and skipped), or kept to fail the run after the others. */
  private failed(
    run: { warn: (key: string, message: string) => void; failures: Error[] },
    what: string,
    result: Extract<ListRead<unknown>, { kind: 'failed' }>,
  ): void {
    if (UNREADABLE.has(result.status)) run.warn(what, `${what} not read this run: ${result.error.message}`);
    else run.failures.push(result.error);
  }

  private once(key: string, warn: (message: string) => void, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    warn(message);
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
    // A subscription in one spelling, whichever ARM wrote (events/armScope.ts).
    scopeId: armScope(p.scope),
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
