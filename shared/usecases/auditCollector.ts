/**
 * The audit collector's use case: PIM audit records since the cursor become events on the queue.
 *
 * Exactly-once is built from at-least-once steps, each safe to repeat:
 * 1. read the window [cursor - overlap, now] (the overlap re-reads records Entra logs late);
 * 2. per record: skip it if its event is recorded as queued, else queue it, then record it;
 * 3. after the whole window is queued, move the cursor to the window's end.
 * A crash after 2 and before 3 re-reads the window: recorded events are skipped. A crash
 * between queueing and recording queues the event again under the same id, which the notify
 * ledger dedupes. Graph returns directoryAudits newest first, so the cursor cannot safely move
 * per page; a long outage is read in windows of at most `maxWindowMinutes`, each committed.
 */
import type { PimEvent } from '../events/schema.js';
import { mapAuditRecord } from '../sources/auditRecord.js';
import type { AuditSource } from '../sources/auditSource.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import type { CursorStore, EmittedStore } from '../sources/sourcesStore.js';
import type { Log } from '../log.js';
import type { Settings } from '../settings/settings.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { unlessPermissionMissing, type Blocked } from '../permissions/missing.js';
import type { Clock } from '../time/clock.js';

export const AUDIT_CURSOR = 'directoryAudits';

export interface CollectDeps {
  source: AuditSource;
  events: EventsQueue;
  cursors: CursorStore;
  emitted: EmittedStore;
  tenantId: string;
  overlapMinutes: number;
  /** The app's clock: the end of the window read. */
  clock: Clock;
  /** Longest window read before the cursor is committed (MAX_WINDOW_MINUTES in production). */
  maxWindowMinutes: number;
  log: Log;
}

export interface CollectOutcome {
  /** The cursor before and after the run. */
  from: string;
  to: string;
  read: number;
  queued: number;
  /** Records whose event an earlier read already queued (overlap, duplicates). */
  alreadyQueued: number;
  /** Known activities without an event, and failed attempts. */
  ignored: number;
  /** Unknown activity names with their counts (names only: they carry no personal data). */
  unknown: Record<string, number>;
  unsupported: number;
  invalid: number;
}

const MINUTE = 60_000;

export async function collectAuditEvents(deps: CollectDeps): Promise<CollectOutcome> {
  const now = deps.clock.now();
  const overlap = deps.overlapMinutes * MINUTE;
  const maxWindow = deps.maxWindowMinutes * MINUTE;
  const stored = await deps.cursors.cursor(AUDIT_CURSOR);
  // First run: start at "now" minus the overlap rather than replaying history as fresh emails.
  let cursor = stored ? Date.parse(stored) : now.getTime();
  const outcome: CollectOutcome = {
    from: new Date(cursor).toISOString(),
    to: '',
    read: 0,
    queued: 0,
    alreadyQueued: 0,
    ignored: 0,
    unknown: {},
    unsupported: 0,
    invalid: 0,
  };

  for (;;) {
    const to = Math.max(cursor, Math.min(now.getTime(), cursor + maxWindow));
    for await (const page of deps.source.pages(iso(cursor - overlap), iso(to))) {
      for (const record of page) {
        outcome.read++;
        const mapped = mapAuditRecord(record, deps.tenantId);
        if (mapped.kind === 'event') await queueOnce(mapped.event, deps, outcome);
        else if (mapped.kind === 'ignored') outcome.ignored++;
        else if (mapped.kind === 'unsupported') outcome.unsupported++;
        else if (mapped.kind === 'unknown') outcome.unknown[mapped.activity] = (outcome.unknown[mapped.activity] ?? 0) + 1;
        else {
          outcome.invalid++;
          // The reason names the event id and fields only, never values.
          deps.log('warn', `audit record ${record.id}: ${mapped.error.message}; skipped`);
        }
      }
    }
    await deps.cursors.setCursor(AUDIT_CURSOR, iso(to));
    cursor = to;
    if (to >= now.getTime()) break;
  }

  outcome.to = iso(cursor);
  for (const [activity, count] of Object.entries(outcome.unknown)) {
    deps.log(
      'warn',
      `unknown PIM audit activity "${activity}" (${count} record${count === 1 ? '' : 's'}): not mapped in shared/sources/activities.ts`,
    );
  }
  return outcome;
}

async function queueOnce(event: PimEvent, deps: CollectDeps, outcome: CollectOutcome): Promise<void> {
  if (await deps.emitted.has(event.id)) {
    outcome.alreadyQueued++;
    return;
  }
  await deps.events.send(event);
  await deps.emitted.record(event.id);
  outcome.queued++;
  deps.log('info', `queued event ${event.id} (${event.type})`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The ports the audit collector's timer runs on (the composition root's Services provide them). */
export interface AuditCollectorPorts {
  clock: Clock;
  settings: Pick<Settings, 'DIRECTORY_SOURCE' | 'AUDIT_OVERLAP_MINUTES'>;
  directory: Pick<RoleDirectory, 'tenant'>;
  sources: { store: CursorStore & EmittedStore; auditSource(): Promise<AuditSource> };
  events: EventsQueue;
}

/** A day: a long outage is read a day at a time, each committed, so a failure repeats at most a day's reads. */
export const MAX_WINDOW_MINUTES = 24 * 60;

/** What a run of the audit collector's timer did: nothing (and why), stopped by a missing permission, or one collection. */
export type AuditCollectorOutcome = { kind: 'idle'; reason: string } | Blocked | ({ kind: 'done' } & CollectOutcome);

/**
 * The audit collector's use case, as its timer runs it: idle on the embedded snapshot (the
 * audit log lives in Microsoft Graph), otherwise one collection into pim-events; blocked
 * while a permission is missing.
 */
export async function runAuditCollector(ports: AuditCollectorPorts, log: Log): Promise<AuditCollectorOutcome> {
  if (ports.settings.DIRECTORY_SOURCE !== 'graph') return { kind: 'idle', reason: 'the audit log needs DIRECTORY_SOURCE=graph' };
  const { store } = ports.sources;
  // Without AuditLog.Read.All (or Organization.Read.All) nothing can be read: reported once,
  // the cursor stays, and the run after the grant reads from where it stands.
  return unlessPermissionMissing(log, 'no PIM activity is read from the audit log (the cursor stays where it is)', async () => ({
    kind: 'done' as const,
    ...(await collectAuditEvents({
      source: await ports.sources.auditSource(),
      events: ports.events,
      cursors: store,
      emitted: store,
      tenantId: (await ports.directory.tenant()).id,
      overlapMinutes: ports.settings.AUDIT_OVERLAP_MINUTES,
      maxWindowMinutes: MAX_WINDOW_MINUTES,
      clock: ports.clock,
      log,
    })),
  }));
}
