/**
 * PIM's requests as the confirmer reads them, cheaply enough for every event:
 * - lists: the requests of the last approval window and an hour, in the query shapes the
 *   requests collector uses (sources/pimRequestQueries.ts: Microsoft's documented ones): the
 *   directory roles' two lists whole, one group's two lists by `groupId`, ARM's two lists of the
 *   scope's subscription, or of a management group (requests made there); the window is applied
 *   here. One read per list per DIRECTORY_CACHE_TTL_SECONDS, shared by all events; Graph's two
 *   lists share one `$batch`. A shape Graph or ARM refuses (400) is asked again in a simpler one
 *   (logged once); a list refused in every shape is treated as empty but never as complete:
 *   an event naming its request is then confirmed by reading it by id, one that does not waits
 *   (CONFIRM_LAG_SECONDS) as for a request PIM has not shown yet;
 * - by id, for a request the list does not hold (older, newer than the list, or forged): Graph
 *   GETs coalesced across concurrent events into shared `$batch` requests (BatchLoader), an ARM
 *   GET at the event's scope; a request found is reused for 30 s, concurrent asks share one read.
 * A 404 is "no such request"; a missing permission, throttling and server errors are thrown (the
 * event waits for the grant, or is retried).
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import { BatchLoader } from '../directory/graph/batchLoader.js';
import type { GraphApi } from '../directory/graph/graphClient.js';
import { batchError } from '../directory/graph/graphReader.js';
import { TtlCache } from '../directory/cache.js';
import { REREAD_AFTER_MS } from '../directory/graphDirectory.js';
import { fromArm, fromGraph, type ArmScheduleRequest, type GraphScheduleRequest } from '../sources/pimRequestSource.js';
import { readArmList, readGraphLists, REFUSED_SHAPE, type Fallback, type ListRead } from '../sources/pimRequestLists.js';
import {
  armListScope,
  armRequestByName,
  armRequestList,
  directoryRequestList,
  graphRequestById,
  groupRequestList,
  SCHEDULES,
} from '../sources/pimRequestQueries.js';
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
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RequestRecordsOptions {
  graph: Pick<GraphApi, 'get' | 'batchGet'>;
  arm: Pick<ArmApi, 'get'>;
  cacheTtlSeconds: number;
  /** The app's clock; the system clock when left out. */
  clock?: Clock;
  /** Where a refused query shape is said, once (default: the console, which the host keeps). */
  warn?: (message: string) => void;
}

/** A list as read: `complete` unless some part of it was refused in every shape (then `partial` names it). */
interface RecentList {
  requests: ScheduleRequest[];
  complete: boolean;
}

export class PimRequestRecords {
  private readonly lists: TtlCache;
  private readonly byIds: TtlCache;
  private readonly graphLoader: BatchLoader<GraphScheduleRequest | null>;
  private readonly clock: Clock;
  /** Refused shapes and lists already logged (once per process). */
  private readonly told = new Set<string>();
  /** The lists last read with a part refused in every shape: never "complete". */
  private readonly partial = new Set<string>();

  constructor(private readonly options: RequestRecordsOptions) {
    this.clock = options.clock ?? systemClock;
    this.lists = new TtlCache({ ttlSeconds: options.cacheTtlSeconds, clock: this.clock });
    this.byIds = new TtlCache({ ttlSeconds: BY_ID_TTL_SECONDS, clock: this.clock });
    // Keyed `kind schedule id` (the loader lower-cases keys; Graph's request ids are GUIDs).
    this.graphLoader = new BatchLoader(async (keys) => {
      const paths = keys.map((key) => {
        const [kind, schedule, ...id] = key.split(' ');
        return graphRequestById(kind as 'directory' | 'group', schedule as Schedule, id.join(' '));
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
   * The recent requests of one kind of access: the directory's, the event's group's, or for
   * Azure those of the scope's subscription or management group (none for another scope).
   * `readAfter` (ms): a list read before then, at least 30 s ago, is read again (what happened
   * after the read may not be in it), so at most once per 30 s per list however many events ask.
   */
  async recent(kind: AccessKind, scopeId: string, readAfter?: number): Promise<ScheduleRequest[]> {
    const key = listKey(kind, scopeId);
    if (!key) return [];
    const loadedAt = this.lists.loadedAt(key);
    if (
      readAfter !== undefined &&
      loadedAt !== undefined &&
      loadedAt < readAfter &&
      this.clock.now().getTime() - loadedAt >= REREAD_AFTER_MS
    )
      this.lists.forget(key);
    return (await this.list(kind, scopeId, key)).requests;
  }

  /**
   * Whether the list of the event's kind and scope can be trusted to hold the request of an
   * event that occurred at `occurred` (ms), had PIM one: it was read whole, a minute or more
   * after the event, and the event is recent enough that its request (made at most one approval
   * window before it) is inside the list's reach. Then "not in the list" is "none", with no read
   * by id; a forger who dates an event so that it is not pays one read for it, once.
   */
  covers(kind: AccessKind, scopeId: string, occurred: number): boolean {
    const key = listKey(kind, scopeId);
    const loadedAt = key === undefined ? undefined : this.lists.loadedAt(key);
    return (
      loadedAt !== undefined &&
      !this.partial.has(key!) &&
      loadedAt >= occurred + LIST_MARGIN_MS &&
      occurred >= loadedAt - (LIST_LOOKBACK_MS - APPROVAL_WINDOW_MS)
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

  private list(kind: AccessKind, scopeId: string, key: string): Promise<RecentList> {
    return this.lists.get(key, async () => {
      const from = this.clock.now().getTime() - LIST_LOOKBACK_MS;
      const fellBack = (f: Fallback) =>
        this.once(`shape ${f.refused}`, `PIM requests: ${f.refused} was refused (${f.reason}); reading ${f.next} instead`);
      let parts: { schedule: Schedule; read: ListRead<GraphScheduleRequest | ArmScheduleRequest> }[];
      if (kind === 'azureResource') {
        const scope = armListScope(scopeId)!;
        parts = await Promise.all(
          SCHEDULES.map(async (schedule) => ({
            schedule,
            read: await readArmList<ArmScheduleRequest>(this.options.arm, armRequestList(scope, schedule), fellBack),
          })),
        );
      } else {
        const lists = SCHEDULES.map((schedule) =>
          kind === 'group' ? groupRequestList(schedule, scopeId) : directoryRequestList(schedule),
        );
        const read = await readGraphLists<GraphScheduleRequest>(this.options.graph, lists, fellBack);
        parts = SCHEDULES.map((schedule, i) => ({ schedule, read: read[i]! }));
      }
      const out: RecentList = { requests: [], complete: true };
      for (const { schedule, read } of parts) {
        if (read.kind === 'failed') {
          // A group deleted since has no requests; a list refused in every shape is none we can trust.
          if (kind === 'group' && read.status === 404) continue;
          if (read.status !== REFUSED_SHAPE) throw read.error;
          this.once(
            `list ${key} ${schedule}`,
            `PIM requests of ${key} (${schedule}) not listed: ${read.error.message}; confirmed by id or schedules only`,
          );
          out.complete = false;
          continue;
        }
        const requests =
          kind === 'azureResource'
            ? (read.items as ArmScheduleRequest[]).map((r) => fromArm(r, schedule))
            : (read.items as GraphScheduleRequest[]).map((r) => fromGraph(r, kind, schedule));
        // None of these lists filters by time (pimRequestQueries.ts): the window is applied here.
        for (const r of requests) if (r && Date.parse(r.createdDateTime) >= from) out.requests.push(r);
      }
      if (out.complete) this.partial.delete(key);
      else this.partial.add(key);
      return out;
    });
  }

  private once(key: string, message: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    (this.options.warn ?? ((m: string) => console.warn(m)))(message);
  }

  private readOne(kind: AccessKind, scopeId: string, id: string, schedule: Schedule): Promise<ScheduleRequest | undefined> {
    if (kind === 'azureResource') {
      const path = armRequestByName(scopeId, schedule, id);
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

/** The cache key of the list that holds the requests of this kind at this scope; undefined when there is none. */
function listKey(kind: AccessKind, scopeId: string): string | undefined {
  if (kind === 'directory') return 'directory';
  if (kind === 'group') return `group ${scopeId.toLowerCase()}`;
  const scope = armListScope(scopeId);
  return scope && `arm ${scope.toLowerCase()}`;
}
