/**
 * The expiry scanner with a moving clock, real Azurite for milestones and the queue, and a
 * directory that behaves like Graph: an assignment is listed only while in force.
 */
import { describe, expect, it } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import type { RoleDirectory, ScheduledAssignment } from '../../shared/directory/roleDirectory.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { createServices } from '../../shared/composition/services.js';
import { scanExpiry, type ScanDeps } from '../../shared/usecases/expiryScanner.js';
import type { EmittedStore } from '../../shared/sources/sourcesStore.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { queuedEvents } from '../support/queuedEvents.js';
import { ALICE, GA, READER, RG, TENANT } from '../support/auditRecords.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const END = Date.parse('2026-12-15T10:00:00Z');

function assignment(overrides: Partial<ScheduledAssignment> = {}): ScheduledAssignment {
  return {
    scope: { kind: 'directory', id: '/' },
    roleDefinitionId: GA,
    principalId: ALICE,
    principalType: 'user',
    state: 'eligible',
    startDateTime: '2026-06-15T10:00:00Z',
    endDateTime: new Date(END).toISOString(),
    ...overrides,
  };
}

async function world(assignments: ScheduledAssignment[]) {
  const settings = loadSettings({ AzureWebJobsStorage: storageConnectionString(), SOURCES_TABLE: uniqueTableName('Exp') });
  const queueName = uniqueQueueName('expiry');
  const { sources: adapters, events } = await createServices(settings, { eventsQueue: queueName });
  const clock = { now: new Date(0) };
  const directory: Pick<RoleDirectory, 'scheduledAssignments' | 'tenant'> = {
    tenant: async () => ({ id: TENANT, displayName: 'Contoso', pimEnabled: true }),
    // Like Graph's schedule instances: gone once ended.
    scheduledAssignments: async () => assignments.filter((a) => !a.endDateTime || Date.parse(a.endDateTime) > clock.now.getTime()),
  };
  const deps = (overrides: Partial<ScanDeps> = {}): ScanDeps => ({
    directory,
    events,
    emitted: adapters.store,
    tracking: adapters.store,
    clock: { now: () => clock.now },
    log: () => undefined,
    ...overrides,
  });
  const queue = new QueueClient(storageConnectionString(), queueName);
  /** Scans at each moment (twice, as a retried or doubled timer would) and returns the milestones queued. */
  async function scanAt(...moments: number[]): Promise<string[]> {
    const before = (await queuedEvents(queue)).length;
    for (const t of moments) {
      clock.now = new Date(t);
      await scanExpiry(deps());
      await scanExpiry(deps());
    }
    return (await queuedEvents(queue)).slice(before).map((e) => `${e.id.split(':')[1]}:${e.type}`);
  }
  return { clock, deps, scanAt, assignments, events: () => queuedEvents(queue) };
}

/** Daily scans at 06:00 from `fromDay` to `toDay` days relative to the end. */
const daily = (fromDay: number, toDay: number) =>
  Array.from({ length: toDay - fromDay + 1 }, (_, i) => Date.parse('2026-12-15T06:00:00Z') + (fromDay + i) * DAY);

describe('expiryScanner', () => {
  it('emits each milestone once over daily scans run twice, across the end', async () => {
    const w = await world([assignment()]);
    // The end is at 10:00 and the scan at 06:00: each mark is first seen by the scan after it.
    expect(await w.scanAt(...daily(-20, -14))).toEqual([]);
    expect(await w.scanAt(...daily(-13, -13))).toEqual(['expiring14d:roleExpiringSoon']);
    expect(await w.scanAt(...daily(-12, -1))).toEqual([]);
    expect(await w.scanAt(...daily(0, 0))).toEqual(['expiring1d:roleExpiringSoon']);
    // Ended at 10:00 and gone from the directory: still "expired", once.
    expect(await w.scanAt(...daily(1, 5))).toEqual(['expired:roleExpired']);

    const events = await w.events();
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events.find((e) => e.type === 'roleExpired')).toMatchObject({
      tenantId: TENANT,
      occurredAt: new Date(END).toISOString(),
      scope: { kind: 'directory', id: '/' },
      role: { id: GA },
      principal: { id: ALICE, type: 'user' },
      assignment: {
        state: 'eligible',
        permanent: false,
        startDateTime: '2026-06-15T10:00:00.000Z',
        endDateTime: new Date(END).toISOString(),
      },
    });
  });

  it('after missed days emits the milestone reached since the last scan, not the ones it superseded', async () => {
    const w = await world([assignment()]);
    expect(await w.scanAt(END - 15 * DAY)).toEqual([]);
    // Scanner down for two weeks: the 14-day reminder is obsolete, the 1-day one is due.
    expect(await w.scanAt(END - 12 * HOUR)).toEqual(['expiring1d:roleExpiringSoon']);
    expect(await w.scanAt(END + 3 * DAY)).toEqual(['expired:roleExpired']);
    expect(await w.scanAt(END + 4 * DAY, END + 40 * DAY)).toEqual([]);
  });

  it('sends only "expired" when the whole reminder period was missed', async () => {
    const w = await world([assignment()]);
    expect(await w.scanAt(END - 20 * DAY)).toEqual([]);
    expect(await w.scanAt(END + 2 * DAY)).toEqual(['expired:roleExpired']);
  });

  it('covers Azure resource assignments from the same list', async () => {
    const w = await world([
      assignment({
        scope: { kind: 'azureResource', id: RG },
        roleDefinitionId: READER,
        state: 'active',
        assignmentType: 'Assigned',
        principalType: 'group',
      }),
    ]);
    await w.scanAt(END - 10 * DAY);
    const [first] = await w.events();
    expect(first).toMatchObject({
      type: 'roleExpiringSoon',
      scope: { kind: 'azureResource', id: RG },
      role: { id: READER },
      principal: { type: 'group' },
      assignment: { state: 'active', permanent: false },
    });
  });

  it('covers PIM for Groups: a group scope with its access, no role', async () => {
    const group = 'e0000000-0000-4000-8000-0000000050c2';
    const w = await world([
      assignment({ scope: { kind: 'group', id: group }, roleDefinitionId: 'member' }),
      assignment({ scope: { kind: 'group', id: group }, roleDefinitionId: 'owner', state: 'active', assignmentType: 'Assigned' }),
      assignment({
        scope: { kind: 'group', id: group },
        roleDefinitionId: 'owner',
        state: 'active',
        assignmentType: 'Activated',
        principalId: 'c0000000-0000-4000-8000-0000000000c2',
      }),
    ]);
    expect(await w.scanAt(END - 10 * DAY)).toEqual(['expiring14d:roleExpiringSoon', 'expiring14d:roleExpiringSoon']);
    expect(await w.scanAt(END + DAY)).toEqual(['expired:roleExpired', 'expired:roleExpired']);
    const events = await w.events();
    expect(events.find((e) => e.type === 'roleExpired' && e.scope.kind === 'group' && e.scope.accessId === 'owner')).toMatchObject({
      scope: { kind: 'group', id: group, accessId: 'owner' },
      principal: { id: ALICE },
      assignment: { state: 'active', permanent: false },
    });
    expect(events.every((e) => e.role === undefined)).toBe(true);
  });

  it('says nothing about activations, permanent assignments, or assignments removed before their end', async () => {
    const removed = assignment({ principalId: 'c0000000-0000-4000-8000-0000000000c1' });
    const w = await world([
      assignment({ state: 'active', assignmentType: 'Activated', endDateTime: new Date(END - 14 * DAY + HOUR).toISOString() }),
      assignment({ endDateTime: null }),
      removed,
    ]);
    expect(await w.scanAt(END - 13 * DAY)).toEqual(['expiring14d:roleExpiringSoon']);
    w.assignments.splice(w.assignments.indexOf(removed), 1);
    expect(await w.scanAt(END - 5 * DAY, END + DAY)).toEqual([]);
  });

  it('treats an extension as a new end date with its own reminders', async () => {
    const w = await world([assignment()]);
    await w.scanAt(END - 10 * DAY);
    w.assignments[0] = assignment({ endDateTime: new Date(END + 30 * DAY).toISOString() });
    expect(await w.scanAt(END + DAY, END + 17 * DAY)).toEqual(['expiring14d:roleExpiringSoon']);
  });

  it('re-queues under the same id only when it died between queueing and recording', async () => {
    const w = await world([assignment()]);
    const crashing: EmittedStore = { has: (k) => w.deps().emitted.has(k), record: async () => Promise.reject(new Error('process killed')) };
    w.clock.now = new Date(END - 10 * DAY);
    await expect(scanExpiry(w.deps({ emitted: crashing }))).rejects.toThrow('process killed');
    await scanExpiry(w.deps());
    await scanExpiry(w.deps());
    const ids = (await w.events()).map((e) => e.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('issue 11 item 8: a reminder states the real time left, at the scan, one email kind per milestone, the window reached only', async () => {
    const at = Date.parse('2026-12-01T06:00:00Z');
    const in3 = assignment({ endDateTime: '2026-12-04T00:00:00Z' });
    const in10 = assignment({ principalId: 'c0000000-0000-4000-8000-0000000000c2', endDateTime: '2026-12-11T00:00:00Z' });
    const w = await world([in3, in10]);
    expect(await w.scanAt(at)).toEqual(['expiring14d:roleExpiringSoon', 'expiring14d:roleExpiringSoon']);
    const events = await w.events();
    // Dated when the reminder goes out, so "expires in N days" is the time really left.
    expect(events.map((e) => e.occurredAt)).toEqual([new Date(at).toISOString(), new Date(at).toISOString()]);
    const { notificationView } = await import('../../shared/render/notificationView.js');
    const inDays = events.map(
      (e) =>
        notificationView(
          {
            notification: 'expiryReminder',
            event: e,
            tenantName: 'Contoso',
            roleName: 'Exchange Administrator',
            principalName: 'Alice',
            scopeName: 'Contoso',
            reason: '',
          },
          'https://portal.azure.com',
        ).inDays,
    );
    expect(inDays).toEqual(['in 3 days', 'in 10 days']);
    // Next day: nothing new; the 1-day window: once, for the one that reaches it.
    expect(await w.scanAt(at + DAY)).toEqual([]);
    expect(await w.scanAt(Date.parse('2026-12-03T06:00:00Z'))).toEqual(['expiring1d:roleExpiringSoon']);
  });
});
