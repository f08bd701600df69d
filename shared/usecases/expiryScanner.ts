/**
 * The expiry scanner's use case: assignments with an end date become reminder events.
 *
 * Milestones per assignment (PIM's, RENEW): 14 days before the end (roleExpiringSoon; the
 * self-extend window opens at the same moment, so this one event carries both: its reminder
 * says when the role ends and that it can be extended, rather than two emails at once), 1 day
 * before (roleExpiringSoon), and the end (roleExpired). A scan emits only the latest milestone
 * reached, so an assignment first seen inside a window gets that window's reminder only, and a
 * scan after a gap never sends a reminder it has made obsolete. A reminder's occurredAt is the
 * scan's moment, so its email states the time really left; "expired" occurred at the end. Each (assignment, milestone) is emitted
 * once: recorded after queueing, checked before; its event id derives from the same key, so a
 * crash in between only re-queues an event the notify ledger dedupes.
 *
 * Graph lists schedule instances only while in force, so an ended assignment vanishes from the
 * directory: the scanner tracks the assignments it has seen and emits "expired" for a tracked
 * one whose end has passed. One that vanishes before its end was removed, and one still held
 * with another end date was extended: both are dropped silently. The end date is part of the
 * key, so an extended assignment is a new one with its own reminders.
 */
import { createHash } from 'node:crypto';
import { parseEvent, type ParseResult } from '../events/parse.js';
import type { PimEventType } from '../events/schema.js';
import type { RoleDirectory, ScheduledAssignment, UnreadableScope } from '../directory/roleDirectory.js';
import { reportMissingPermission, unlessPermissionMissing, type Blocked } from '../permissions/missing.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import type { EmittedStore, TrackingStore } from '../sources/sourcesStore.js';
import type { Log } from '../log.js';
import type { Clock } from '../time/clock.js';

export type Milestone = 'expiring14d' | 'expiring1d' | 'expired';

const DAY = 86_400_000;
/** Expired assignments stay visible for up to 30 days (RENEW); older ends are history, not news. */
export const STALE_AFTER_DAYS = 30;

/** Phases in time order; a scan emits the milestones of the last phase reached. */
const PHASES: readonly { before: number; milestones: readonly { milestone: Milestone; type: PimEventType }[] }[] = [
  { before: 14 * DAY, milestones: [{ milestone: 'expiring14d', type: 'roleExpiringSoon' }] },
  { before: 1 * DAY, milestones: [{ milestone: 'expiring1d', type: 'roleExpiringSoon' }] },
  { before: 0, milestones: [{ milestone: 'expired', type: 'roleExpired' }] },
];

export interface ScanDeps {
  directory: Pick<RoleDirectory, 'scheduledAssignments' | 'tenant'>;
  events: EventsQueue;
  emitted: EmittedStore;
  tracking: TrackingStore;
  /** The app's clock: the scan looks at the schedules as they stand now. */
  clock: Clock;
  log: Log;
}

export interface ScanOutcome {
  /** Assignments with an end date considered (current and tracked). */
  assignments: number;
  emitted: Record<Milestone, number>;
  alreadyEmitted: number;
  /** Tracked assignments that vanished before their end (removed or changed). */
  dropped: number;
  /** Scopes left out for a missing permission (each reported once, see permissions/missing.ts). */
  unreadableScopes: number;
}

function withinScope(id: string, scope: string): boolean {
  const a = id.toLowerCase().replace(/\/+$/, '');
  const s = scope.toLowerCase().replace(/\/+$/, '');
  return a === s || a.startsWith(`${s}/`);
}

/** Who holds what where, without the end date: the same holding extended keeps its identity. */
function holdingKey(a: ScheduledAssignment): string {
  return [
    a.scope.kind,
    a.scope.id.toLowerCase().replace(/\/+$/, '') || '/',
    a.roleDefinitionId.toLowerCase(),
    a.principalId.toLowerCase(),
    a.state,
  ].join('|');
}

export function assignmentKey(a: ScheduledAssignment): string {
  return `${holdingKey(a)}|${iso(a.endDateTime!)}`;
}

export function milestoneEventId(milestone: Milestone, key: string): string {
  return `expiry:${milestone}:${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

export async function scanExpiry(deps: ScanDeps): Promise<ScanOutcome> {
  const now = deps.clock.now().getTime();
  const unreadable: UnreadableScope[] = [];
  const [assignments, tenant, tracked] = await Promise.all([
    deps.directory.scheduledAssignments((problem) => unreadable.push(problem)),
    deps.directory.tenant(),
    deps.tracking.tracked(),
  ]);
  const outcome: ScanOutcome = {
    assignments: 0,
    emitted: { expiring14d: 0, expiring1d: 0, expired: 0 },
    alreadyEmitted: 0,
    dropped: 0,
    unreadableScopes: unreadable.length,
  };
  for (const u of unreadable) {
    reportMissingPermission(
      deps.log,
      u.error,
      `the expiry scanner sends no reminders for ${u.scope.kind === 'directory' ? 'directory roles' : u.scope.kind === 'group' ? 'PIM for Groups' : `Azure roles in ${u.scope.id}`} and keeps what it tracks there; the other scopes are scanned`,
    );
  }
  // Assignments of a scope that could not be read are not "gone": keep tracking them.
  const unseen = (a: ScheduledAssignment) =>
    unreadable.some((u) =>
      u.scope.kind === 'azureResource'
        ? a.scope.kind === 'azureResource' && withinScope(a.scope.id, u.scope.id)
        : a.scope.kind === u.scope.kind,
    );

  // Activations last hours and end by design: PIM sends no expiry reminders for them.
  const current = new Map<string, ScheduledAssignment>();
  for (const a of assignments) {
    if (!a.endDateTime || !Number.isFinite(Date.parse(a.endDateTime)) || a.assignmentType === 'Activated') continue;
    current.set(assignmentKey(a), a);
  }
  const trackedKeys = new Set(tracked.map((t) => t.key));
  const holdings = new Set([...current.values()].map(holdingKey));
  const all = new Map(current);
  for (const t of tracked) {
    if (current.has(t.key)) continue;
    const a = JSON.parse(t.data) as ScheduledAssignment;
    // Gone before its end (removed), or still held with another end date (extended, renewed): nothing expired.
    if (Date.parse(a.endDateTime!) > now && unseen(a)) continue;
    if (Date.parse(a.endDateTime!) > now || holdings.has(holdingKey(a))) {
      await deps.tracking.untrack(t.key);
      outcome.dropped++;
    } else {
      all.set(t.key, a);
    }
  }

  for (const [key, a] of all) {
    outcome.assignments++;
    const end = Date.parse(a.endDateTime!);
    const phase = PHASES.filter((p) => end - p.before <= now).at(-1);
    if (phase && !(phase.before === 0 && now - end > STALE_AFTER_DAYS * DAY)) {
      for (const { milestone, type } of phase.milestones) {
        const id = milestoneEventId(milestone, key);
        if (await deps.emitted.has(id)) {
          outcome.alreadyEmitted++;
          continue;
        }
        const event = toEvent(a, id, type, phase.before === 0 ? end : now, tenant.id);
        if (event.kind === 'invalid') {
          // One odd directory row must not stop every other reminder; the reason names fields, not values.
          deps.log('warn', `${event.error.message}; skipped`);
          continue;
        }
        await deps.events.send(event.event);
        await deps.emitted.record(id);
        outcome.emitted[milestone]++;
        deps.log('info', `queued event ${id} (${type})`);
      }
    }
    // Tracked until its end has been dealt with; afterwards nothing more can happen to it.
    if (end <= now) {
      if (trackedKeys.has(key)) await deps.tracking.untrack(key);
    } else if (!trackedKeys.has(key)) {
      await deps.tracking.track({ key, data: JSON.stringify(a) });
    }
  }
  return outcome;
}

function toEvent(a: ScheduledAssignment, id: string, type: PimEventType, moment: number, tenantId: string): ParseResult {
  return parseEvent({
    id,
    type,
    tenantId,
    occurredAt: new Date(moment).toISOString(),
    // A group's access (member/owner) travels in its scope; it has no role definition.
    ...(a.scope.kind === 'group'
      ? { scope: { kind: 'group', id: a.scope.id, accessId: a.roleDefinitionId } }
      : { scope: { kind: a.scope.kind, id: a.scope.id }, role: { id: a.roleDefinitionId } }),
    principal: { id: a.principalId, type: a.principalType },
    assignment: {
      state: a.state,
      permanent: false,
      ...(a.startDateTime ? { startDateTime: iso(a.startDateTime) } : {}),
      endDateTime: iso(a.endDateTime!),
    },
  });
}

function iso(value: string): string {
  return new Date(Date.parse(value)).toISOString();
}

/** The ports the expiry scanner's timer runs on (the composition root's Services provide them). */
export interface ExpiryScanPorts {
  clock: Clock;
  directory: Pick<RoleDirectory, 'scheduledAssignments' | 'tenant'>;
  sources: { store: EmittedStore & TrackingStore };
  events: EventsQueue;
}

/** What a run of the expiry scanner's timer did: stopped by a missing permission, or one scan. */
export type ExpiryScanOutcome = Blocked | ({ kind: 'done' } & ScanOutcome);

/**
 * The expiry scanner's use case, as its timer runs it. A scope it may not read is reported
 * once and skipped; without the tenant itself (Organization.Read.All) it cannot build
 * events: blocked, reported once, tried again next run.
 */
export async function runExpiryScan(ports: ExpiryScanPorts, log: Log): Promise<ExpiryScanOutcome> {
  const { store } = ports.sources;
  return unlessPermissionMissing(log, 'the expiry scanner sends no reminders', async () => ({
    kind: 'done' as const,
    ...(await scanExpiry({ directory: ports.directory, events: ports.events, emitted: store, tracking: store, clock: ports.clock, log })),
  }));
}
