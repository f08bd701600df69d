/**
 * The requests collector's use case: PIM schedule requests become events on the queue the
 * moment they are made or change status, and requests left waiting get reminders and, at the
 * end of the approval window, an expiry.
 *
 * Every run reads the requests created since the cursor, which trails "now" by the approval
 * window plus an hour: a request can change status for that long, so it is read again each run
 * until then. Each transition has a deterministic event id (requestEventId.ts); what is already
 * queued is in the sources table (EmittedStore), so a request read a thousand times is queued
 * once per transition, and a request that changed twice between runs gets both events.
 * Order per event: skip if recorded, record the request as read from PIM (what the confirmer
 * bears the event out with), queue, record the event id; the cursor is written last. A crash between
 * queueing and recording queues the same id again, which the notify ledger dedupes; a crash
 * before the cursor write re-reads the same requests and queues nothing twice.
 */
import type { PimEvent, PimEventType } from '../events/schema.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import type { Log } from '../log.js';
import type { Settings } from '../settings/settings.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import { requestEventId } from '../sources/requestEventId.js';
import type { RequestSource } from '../sources/requestSource.js';
import { impliedEvents, isPending, requestEvent, type ScheduleRequest } from '../sources/scheduleRequest.js';
import type { CursorStore, EmittedStore, RecordedRequests } from '../sources/sourcesStore.js';
import { APPROVAL_WINDOW_MS, approvalExpiry } from '../time/approvalWindow.js';
import type { Clock } from '../time/clock.js';
import { escalateIfWaiting, type EscalateDeps } from '../escalation/escalate.js';

export const REQUESTS_CURSOR = 'scheduleRequests';
const HOUR = 3_600_000;
/** How far back requests are read: the approval window and an hour for provisioning and late decisions. */
export const REQUESTS_LOOKBACK_MS = APPROVAL_WINDOW_MS + HOUR;
/** A first run also picks up the requests of the last two minutes (a deployment during a request). */
const FIRST_RUN_BACKFILL_MS = 2 * 60_000;
/** Requests handled at once: a burst of requests is queued in a few round trips, not one after another. */
const REQUESTS_IN_FLIGHT = 16;

export interface RequestsDeps {
  source: RequestSource;
  events: EventsQueue;
  cursors: CursorStore;
  emitted: EmittedStore;
  /** Where the request behind each queued event is recorded first, for the confirmer (sourcesStore.ts). */
  recorded: RecordedRequests;
  tenantId: string;
  /** Hours after creation at which approvers of a waiting request are reminded (APPROVAL_REMINDER_HOURS). */
  reminderHours: readonly number[];
  /** The app's clock: the cursor's floor, reminders due, requests that expired undecided. */
  clock: Clock;
  /** Event ids this process already knows are recorded: saves a table read per request per run. */
  known: Set<string>;
  log: Log;
  /** Escalation of requests still waiting (escalation/escalate.ts); absent: none. */
  escalation?: EscalateDeps;
}

export interface RequestsOutcome {
  since: string;
  read: number;
  queued: number;
  alreadyQueued: number;
  reminders: number;
  /** Requests escalated to their contacts by this run. */
  escalated: number;
  /** PIM for Groups requests among those read. */
  groups: number;
  invalid: number;
}

export async function collectRequestEvents(deps: RequestsDeps): Promise<RequestsOutcome> {
  const now = deps.clock.now();
  const stored = await deps.cursors.cursor(REQUESTS_CURSOR);
  const floor = now.getTime() - REQUESTS_LOOKBACK_MS;
  const since = new Date(Math.max(stored ? Date.parse(stored) : now.getTime() - FIRST_RUN_BACKFILL_MS, floor)).toISOString();
  const outcome: RequestsOutcome = { since, read: 0, queued: 0, alreadyQueued: 0, reminders: 0, escalated: 0, groups: 0, invalid: 0 };
  const reminderHours = [...deps.reminderHours].sort((a, b) => a - b);

  const handle = async (request: ScheduleRequest): Promise<void> => {
    outcome.read++;
    if (request.kind === 'group') outcome.groups++;
    // One request's events in order; requests side by side (each costs table and queue round trips).
    for (const type of impliedEvents(request, now)) await emit(request, type, now, deps, outcome);
    if (isPending(request) && request.approvalId) {
      await remind(request, reminderHours, now, deps, outcome);
      if (deps.escalation) await escalate(request, now, deps.escalation, deps, outcome);
    }
  };
  const warn = (message: string) => deps.log('warn', message);
  for await (const page of deps.source.pages(since, warn)) await inParallel(page, REQUESTS_IN_FLIGHT, handle);
  // The cursor only ever moves forward: its floor trails now by the lookback.
  await deps.cursors.setCursor(REQUESTS_CURSOR, since);
  return outcome;
}

/** The latest reminder that is due, once; earlier ones that were missed (an outage) are marked, never sent late. */
async function remind(
  request: ScheduleRequest,
  hours: readonly number[],
  now: Date,
  deps: RequestsDeps,
  outcome: RequestsOutcome,
): Promise<void> {
  const created = Date.parse(request.createdDateTime);
  if (now.getTime() >= approvalExpiry(request.createdDateTime).getTime()) return;
  let due = -1;
  hours.forEach((h, i) => {
    if (now.getTime() >= created + h * HOUR) due = i;
  });
  if (due < 0) return;
  const id = requestEventId(request.id, 'approvalReminder', due + 1);
  if (await isRecorded(id, deps)) return;
  const sent = await emit(request, 'approvalReminder', now, deps, outcome, {
    ordinal: due + 1,
    at: new Date(created + hours[due]! * HOUR).toISOString(),
  });
  if (!sent) return;
  outcome.reminders++;
  for (let i = 0; i < due; i++) await deps.emitted.record(requestEventId(request.id, 'approvalReminder', i + 1));
}

/** A request still waiting at ESCALATION_AFTER_HOURS goes to its escalation contacts, once (escalate.ts). */
async function escalate(
  request: ScheduleRequest,
  now: Date,
  escalation: EscalateDeps,
  deps: RequestsDeps,
  outcome: RequestsOutcome,
): Promise<void> {
  const built = requestEvent(request, 'approvalReminder', deps.tenantId, now);
  if (built.kind === 'invalid' || built.event.type === 'pimEnabled') return;
  const escalated = await escalateIfWaiting(built.event, escalation);
  if (escalated.kind === 'escalated') outcome.escalated++;
}

async function emit(
  request: ScheduleRequest,
  type: PimEventType,
  now: Date,
  deps: RequestsDeps,
  outcome: RequestsOutcome,
  reminder?: { ordinal: number; at: string },
): Promise<boolean> {
  const id = requestEventId(request.id, type, reminder?.ordinal);
  if (await isRecorded(id, deps)) {
    outcome.alreadyQueued++;
    return false;
  }
  const built = requestEvent(request, type, deps.tenantId, now, reminder);
  if (built.kind === 'invalid') {
    outcome.invalid++;
    // Names the event id and fields only, never values.
    deps.log('warn', `schedule request ${id}: ${built.error.message}; skipped`);
    return false;
  }
  // The record goes first: the notify function may take the event before this run moves on.
  await deps.recorded.recordRequest(request);
  await queue(built.event, deps);
  outcome.queued++;
  return true;
}

/** `work` on every item, at most `limit` at a time; the first failure is thrown once all have settled. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function isRecorded(id: string, deps: RequestsDeps): Promise<boolean> {
  if (deps.known.has(id)) return true;
  const recorded = await deps.emitted.has(id);
  if (recorded) deps.known.add(id);
  return recorded;
}

async function queue(event: PimEvent, deps: RequestsDeps): Promise<void> {
  await deps.events.send(event);
  await deps.emitted.record(event.id);
  deps.known.add(event.id);
  deps.log('info', `queued event ${event.id} (${event.type})`);
}

/** The ports the requests collector's timer runs on (the composition root's Services provide them). */
export interface RequestsCollectorPorts {
  clock: Clock;
  settings: Pick<Settings, 'DIRECTORY_SOURCE' | 'APPROVAL_REMINDER_HOURS'>;
  directory: Pick<RoleDirectory, 'tenant'>;
  sources: { store: CursorStore & EmittedStore & RecordedRequests; requestSource(): Promise<RequestSource> };
  events: EventsQueue;
  /** What escalation needs besides (the composition root's Services); absent: no escalation. */
  escalation?: Omit<EscalateDeps, 'emitted' | 'log'>;
}

/** Recorded ids known to this process, across runs (bounded: cleared when it grows large). */
const known = new Set<string>();
const KNOWN_LIMIT = 100_000;

/** What a run of the requests collector's timer did: nothing (and why), or one collection. */
export type RequestsCollectorOutcome = { kind: 'idle'; reason: string } | ({ kind: 'done' } & RequestsOutcome);

/** As the timer runs it: idle on the embedded snapshot (requests live in Graph and ARM), else one collection. */
export async function runRequestsCollector(ports: RequestsCollectorPorts, log: Log): Promise<RequestsCollectorOutcome> {
  if (ports.settings.DIRECTORY_SOURCE !== 'graph') return { kind: 'idle', reason: 'PIM requests need DIRECTORY_SOURCE=graph' };
  if (known.size > KNOWN_LIMIT) known.clear();
  const { store } = ports.sources;
  const counts = await collectRequestEvents({
    source: await ports.sources.requestSource(),
    events: ports.events,
    cursors: store,
    emitted: store,
    recorded: store,
    tenantId: (await ports.directory.tenant()).id,
    reminderHours: ports.settings.APPROVAL_REMINDER_HOURS,
    clock: ports.clock,
    known,
    log,
    ...(ports.escalation ? { escalation: { ...ports.escalation, emitted: store, log } } : {}),
  });
  return { kind: 'done', ...counts };
}
