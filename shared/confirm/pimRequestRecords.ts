/**
 * PIM's requests as the confirmer reads them, cheaply enough for every event:
 * - lists: the requests of the last approval window and an hour (as the requests collector
 *   reads them: Graph `roleManagement/directory/role{Assignment,Eligibility}ScheduleRequests` and
 *   `identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleRequests` with
 *   `$filter=createdDateTime ge …`, ARM `role{Assignment,Eligibility}ScheduleRequests` per
 *   subscription), one read per kind of access per DIRECTORY_CACHE_TTL_SECONDS, shared by all
 *   events;
 * - by id, for a request the list does not hold (older, newer than the list, or forged): Graph
 *   GETs coalesced across concurrent events into shared `$batch` requests (BatchLoader), an ARM
 *   GET at the event's scope; a request found is reused for 30 s, concurrent asks share one read.
 * A 404 is "no such request"; throttling and server errors are thrown (the event is retried).
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import { BatchLoader } from '../directory/graph/batchLoader.js';
import type { GraphApi } from '../directory/graph/graphClient.js';
import { batchError } from '../directory/graph/graphReader.js';
import { TtlCache } from '../directory/cache.js';
import { REREAD_AFTER_MS } from '../directory/graphDirectory.js';
import {
  ARM_REQUESTS_API_VERSION,
  fromArm,
  fromGraph,
  type ArmScheduleRequest,
  type GraphScheduleRequest,
} from '../sources/pimRequestSource.js';
import type { AccessKind, ScheduleRequest } from '../sources/scheduleRequest.js';
import { APPROVAL_WINDOW_MS } from '../time/approvalWindow.js';
import { systemClock, type Clock } from '../time/clock.js';

type Schedule = ScheduleRequest['schedule'];

/** How far back the lists reach: the approval window and an hour, as the requests collector reads. */
const LIST_LOOKBACK_MS = APPROVAL_WINDOW_MS + 3_600_000;
/** A list read less than this after an event may not show it yet (PIM's read APIs trail a little). */
export const LIST_MARGIN_MS = 60_000;
/** How long an answer by id is reused (a burst of the same forged id costs one read). */
const BY_ID_TTL_SECONDS = 30;
const SCHEDULES: readonly Schedule[] = ['assignment', 'eligibility'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RequestRecordsOptions {
  graph: Pick<GraphApi, 'list' | 'batchGet'>;
  arm: Pick<ArmApi, 'get' | 'list'>;
  cacheTtlSeconds: number;
  /** The app's clock; the system clock when left out. */
  clock?: Clock;
}

export class PimRequestRecords {
  private readonly lists: TtlCache;
  private readonly byIds: TtlCache;
  private readonly graphLoader: BatchLoader<GraphScheduleRequest | null>;
  private readonly clock: Clock;

  constructor(private readonly options: RequestRecordsOptions) {
    this.clock = options.clock ?? systemClock;
    this.lists = new TtlCache({ ttlSeconds: options.cacheTtlSeconds, clock: this.clock });
    this.byIds = new TtlCache({ ttlSeconds: BY_ID_TTL_SECONDS, clock: this.clock });
    // Keyed `kind schedule id` (the loader lower-cases keys; Graph's request ids are GUIDs).
    this.graphLoader = new BatchLoader(async (keys) => {
      const paths = keys.map((key) => {
        const [kind, schedule, ...id] = key.split(' ');
        return `${graphCollection(kind as AccessKind, schedule as Schedule)}/${encodeURIComponent(id.join(' '))}`;
      });
      const results = await options.graph.batchGet(paths);
      const out = new Map<string, GraphScheduleRequest | null>();
      keys.forEach((key, i) => {
        const r = results[i]!;
        if (r.status === 404) return void out.set(key, null);
        if (r.status !== 200) throw batchError(paths[i]!, r.status, r.body);
        out.set(key, r.body as GraphScheduleRequest);
      });
      return out;
    });
  }

  /**
   * The recent requests of one kind of access (for Azure, of the scope's subscription; none for
   * a scope above subscriptions). `readAfter` (ms): a list read before then, at least 30 s ago,
   * is read again (what happened after the read may not be in it), so at most once per 30 s per
   * list however many events ask.
   */
  async recent(kind: AccessKind, scopeId: string, readAfter?: number): Promise<ScheduleRequest[]> {
    const key = kind === 'azureResource' ? subscriptionOf(scopeId) : kind;
    if (!key) return [];
    const loadedAt = this.lists.loadedAt(key);
    if (
      readAfter !== undefined &&
      loadedAt !== undefined &&
      loadedAt < readAfter &&
      this.clock.now().getTime() - loadedAt >= REREAD_AFTER_MS
    )
      this.lists.forget(key);
    return this.lists.get(key, async () => {
      const since = new Date(this.clock.now().getTime() - LIST_LOOKBACK_MS).toISOString();
      const lists = await Promise.all(SCHEDULES.map((schedule) => this.readList(kind, key, schedule, since)));
      return lists.flat();
    });
  }

  /**
   * Whether the list of this kind (for Azure, the scope's subscription) can be trusted to hold
   * the request of an event that occurred at `occurred` (ms), had PIM one: it was read a minute
   * or more after the event, and the event is recent enough that its request (made at most one
   * approval window before it) is inside the list's reach. Then "not in the list" is "none", with
   * no read by id; a forger who dates an event so that it is not pays one read for it, once.
   */
  covers(kind: AccessKind, scopeId: string, occurred: number): boolean {
    const key = kind === 'azureResource' ? subscriptionOf(scopeId) : kind;
    const loadedAt = key === undefined ? undefined : this.lists.loadedAt(key);
    return (
      loadedAt !== undefined && loadedAt >= occurred + LIST_MARGIN_MS && occurred >= loadedAt - (LIST_LOOKBACK_MS - APPROVAL_WINDOW_MS)
    );
  }

  /**
   * The request by id on the given schedules, read now (one found is reused for 30 s); undefined
   * when PIM has none. "None" is never reused: the request may show up a moment later.
   */
  async byId(
    kind: AccessKind,
    scopeId: string,
    id: string,
    schedules: readonly Schedule[] = SCHEDULES,
  ): Promise<ScheduleRequest | undefined> {
    // Graph's request ids and ARM's request names are GUIDs: anything else is none, without asking
    // (Graph would answer 400, which says nothing about the event).
    if (!GUID.test(id)) return undefined;
    const found = await Promise.all(schedules.map((schedule) => this.readOne(kind, scopeId, id, schedule)));
    return found.find((r) => r !== undefined);
  }

  /** One read through the by-id cache; a miss is forgotten once it settles (concurrent callers still share it). */
  private async reused(key: string, read: () => Promise<ScheduleRequest | undefined>): Promise<ScheduleRequest | undefined> {
    const found = await this.byIds.get(key, read);
    if (!found) this.byIds.forget(key);
    return found;
  }

  private async readList(kind: AccessKind, key: string, schedule: Schedule, since: string): Promise<ScheduleRequest[]> {
    if (kind === 'azureResource') {
      const items = await this.options.arm.list<ArmScheduleRequest>(
        `/subscriptions/${key}/providers/Microsoft.Authorization/${armCollection(schedule)}?api-version=${ARM_REQUESTS_API_VERSION}`,
      );
      // ARM filters these lists only by principal or caller: the window is applied here.
      const from = Date.parse(since);
      return items.flatMap((r) => fromArm(r, schedule) ?? []).filter((r) => Date.parse(r.createdDateTime) >= from);
    }
    const items = await this.options.graph.list<GraphScheduleRequest>(
      `${graphCollection(kind, schedule)}?$filter=createdDateTime ge ${since}`,
    );
    return items.flatMap((r) => fromGraph(r, kind, schedule) ?? []);
  }

  private readOne(kind: AccessKind, scopeId: string, id: string, schedule: Schedule): Promise<ScheduleRequest | undefined> {
    if (kind === 'azureResource') {
      const path = `${scopeId.replace(/\/+$/, '')}/providers/Microsoft.Authorization/${armCollection(schedule)}/${encodeURIComponent(id)}?api-version=${ARM_REQUESTS_API_VERSION}`;
      return this.reused(`arm:${path.toLowerCase()}`, async () => {
        try {
          return fromArm(await this.options.arm.get<ArmScheduleRequest>(path), schedule);
        } catch (e) {
          // ARM answers 404 for a request that is not at that scope, or not at all.
          if ((e as { statusCode?: number }).statusCode === 404) return undefined;
          throw e;
        }
      });
    }
    const key = `${kind} ${schedule} ${id}`;
    return this.reused(`graph:${key.toLowerCase()}`, async () => {
      const r = await this.graphLoader.load(key);
      return r ? fromGraph(r, kind, schedule) : undefined;
    });
  }
}

function graphCollection(kind: AccessKind, schedule: Schedule): string {
  if (kind === 'group') return `/identityGovernance/privilegedAccess/group/${schedule}ScheduleRequests`;
  return `/roleManagement/directory/${schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests'}`;
}

function armCollection(schedule: Schedule): string {
  return schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
}

/** The subscription id of an ARM scope under one, lower-cased; undefined above subscriptions. */
function subscriptionOf(scopeId: string): string | undefined {
  return /^\/subscriptions\/([0-9a-f-]{36})(?:\/|$)/i.exec(scopeId)?.[1]?.toLowerCase();
}
