/**
 * The production confirmer: an event is mailed only when PIM's own records bear it out
 * (docs/trust.md).
 * - the tenant: the event's tenantId is the directory's;
 * - an event with a request id: that request names the same principal, role or group access,
 *   scope and schedule, with the event's status or a later one. First as the requests collector
 *   recorded it from PIM before queueing the event (one table read, no wait for the next list:
 *   a queue writer cannot put a record there); else in the recent list, else read by id;
 * - a request event without an id: such a request among the recent ones;
 * - an assignment event (and an activation without a request id): a schedule at its scope with
 *   the same principal, role, scope and state (and end date for the expiry warnings); an expiry:
 *   none still in force. Read from the directory's own cached lists, which the event's recipients
 *   need anyway.
 * A record that is missing or behind the event, when the event happened less than CONFIRM_LAG
 * ago, is looked at again later (PIM's read APIs can trail its audit log): after seconds for a
 * fresh event, backing off with its age to a minute; otherwise, or when a
 * record contradicts the event, it is not confirmed. A missing Graph permission (tenant-wide)
 * is thrown to the use case, which waits for the grant as for any refused directory read
 * (permissions/permissionWait.ts): a configuration problem is not the event's fault, and an
 * unconfirmed event is never mailed; an Azure scope ARM will not show (403, 404) is the
 * event's: not confirmed.
 */
import type { PimEvent, RoleEvent } from '../events/schema.js';
import type { PrivilegeScope, ScheduledAssignment, TenantInfo } from '../directory/roleDirectory.js';
import type { ScheduleRequest } from '../sources/scheduleRequest.js';
import type { RecordedRequests } from '../sources/sourcesStore.js';
import { confirmedBy, isFor, matchRequest, matchSchedules, requestMissing, scheduleOf, type RecordMatch } from './recordMatch.js';
import { LIST_MARGIN_MS, type PimRequestRecords } from './pimRequestRecords.js';
import type { Confirmation, PimConfirmer } from './pimConfirmer.js';
import { systemClock, type Clock } from '../time/clock.js';

/** What the confirmer reads besides requests: the directory's cached lists (GraphDirectory). */
export interface ScheduleLists {
  tenant(): Promise<TenantInfo>;
  schedulesAt(scope: PrivilegeScope, readAfter?: number): Promise<ScheduledAssignment[]>;
}

export interface PimRecordConfirmerOptions {
  /** CONFIRM_LAG_SECONDS: how long after occurredAt a missing record may still be lag. */
  lagSeconds: number;
  /** How long a not-yet-confirmed event waits before it is looked at again; by default it backs off with the event's age. */
  retryAfterMs?: number;
  /** The app's clock; the system clock when left out. */
  clock?: Clock;
}

/** Clocks differ: an event a little ahead of ours is not from the future. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** A not-yet-confirmed event is looked at again after half its age, within these bounds. */
const FIRST_RETRY_MS = 2_000;
const LAST_RETRY_MS = 60_000;
/** ARM scope ids as ARM writes them: name/value segments, no `.` or `..` path tricks. */
const ARM_SCOPE = /^(\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9._()~-]+)+$/;

export class PimRecordConfirmer implements PimConfirmer {
  private readonly clock: Clock;

  constructor(
    private readonly requests: PimRequestRecords,
    private readonly lists: ScheduleLists,
    private readonly recorded: Pick<RecordedRequests, 'recordedRequest'>,
    private readonly options: PimRecordConfirmerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async confirm(event: PimEvent): Promise<Confirmation> {
    const now = this.clock.now().getTime();
    const occurred = Date.parse(event.occurredAt);
    if (occurred > now + CLOCK_SKEW_MS) return { kind: 'notConfirmed', reason: `occurredAt ${event.occurredAt} is in the future` };
    if (event.scope.kind === 'azureResource' && !ARM_SCOPE.test(event.scope.id))
      return { kind: 'notConfirmed', reason: 'scope.id is not an ARM scope id' };
    let match: RecordMatch;
    try {
      const tenant = await this.lists.tenant();
      if (event.tenantId.toLowerCase() !== tenant.id.toLowerCase())
        return { kind: 'notConfirmed', reason: `tenantId is not this tenant (${tenant.id})` };
      match = event.type === 'pimEnabled' ? { kind: 'confirms', by: 'tenant' } : await this.matchRecords(event, now, occurred);
    } catch (e) {
      // ARM answers per scope: a scope the app may not read, or that does not exist, is the event's.
      const arm = e instanceof Error && e.name === 'ArmRequestError' ? (e as Error & { statusCode?: number }) : undefined;
      if (arm && (arm.statusCode === 403 || arm.statusCode === 404))
        return { kind: 'notConfirmed', reason: `PIM's records of scope ${event.scope.id} cannot be read (${arm.statusCode})` };
      throw e;
    }
    if (match.kind === 'confirms') return { kind: 'confirmed', by: match.by };
    if (match.kind === 'lags' && now - occurred < this.options.lagSeconds * 1000) {
      return { kind: 'notYet', reason: match.reason, retryAfterMs: this.options.retryAfterMs ?? retryDelay(now - occurred) };
    }
    return { kind: 'notConfirmed', reason: match.reason };
  }

  private async matchRecords(event: RoleEvent, now: number, occurred: number): Promise<RecordMatch> {
    const at = new Date(now);
    const how = confirmedBy(event);
    // A list read before the event (and a minute of lag) may be missing it; while the event is
    // waiting for PIM any list may be: read again, at most once per 30 s per list.
    const waiting = now - occurred < this.options.lagSeconds * 1000;
    const readAfter = waiting ? now : occurred + LIST_MARGIN_MS;
    if (how === 'schedules') {
      const scope: PrivilegeScope = { kind: event.scope.kind, id: event.scope.id };
      const cached = matchSchedules(event, await this.lists.schedulesAt(scope), at);
      if (cached.kind !== 'lags') return cached;
      return matchSchedules(event, await this.lists.schedulesAt(scope, readAfter), at);
    }
    const kind = event.scope.kind;
    if (how === 'requestId') {
      const id = event.request!.id!;
      const recorded = await this.recorded.recordedRequest(kind, id);
      const fromRecord = recorded && matchRequest(event, recorded, at);
      if (fromRecord?.kind === 'confirms') return fromRecord;
      // A record behind or at odds with the event: PIM's fresher lists decide, as for any event.
      const find = (list: ScheduleRequest[]) => list.find((r) => r.id.toLowerCase() === id.toLowerCase());
      // A list read before the event may lack it: read again first (one read serves a burst).
      const listed =
        find(await this.requests.recent(kind, event.scope.id)) ?? find(await this.requests.recent(kind, event.scope.id, readAfter));
      const fromList = listed && matchRequest(event, listed, at);
      if (fromList && fromList.kind !== 'lags') return fromList;
      if (!listed && this.requests.covers(kind, event.scope.id, occurred)) return requestMissing(event);
      // Not in a list that would hold it, or behind the event there: PIM's answer now decides.
      const schedule = scheduleOf(event);
      const fresh = await this.requests.byId(kind, event.scope.id, id, schedule ? [schedule] : undefined);
      return fresh ? matchRequest(event, fresh, at) : requestMissing(event);
    }
    const search = (list: ScheduleRequest[]) => best(list.filter((r) => isFor(event, r)).map((r) => matchRequest(event, r, at)));
    const cached = search(await this.requests.recent(kind, event.scope.id));
    if (cached?.kind === 'confirms') return cached;
    return search(await this.requests.recent(kind, event.scope.id, readAfter)) ?? requestMissing(event);
  }
}

/** Among the requests for the same target: one that confirms, else one that may yet, else the first. */
function best(matches: RecordMatch[]): RecordMatch | undefined {
  return matches.find((v) => v.kind === 'confirms') ?? matches.find((v) => v.kind === 'lags') ?? matches[0];
}

/**
 * Half the event's age, between 2 s and a minute: a request the collector queued a moment ago
 * whose record PIM is still writing is looked at again within seconds; an older one less often.
 */
export function retryDelay(ageMs: number): number {
  return Math.round(Math.min(LAST_RETRY_MS, Math.max(FIRST_RETRY_MS, ageMs / 2)));
}
