/**
 * The audit collector against a local Graph speaking the real wire format (bearer token, absolute
 * nextLink, 429 + Retry-After) through the shared Graph client, and real Azurite for the queue
 * and the cursor table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import { loadSettings } from '../../shared/settings/settings.js';
import { collectAuditEvents, type CollectDeps, MAX_WINDOW_MINUTES } from '../../shared/usecases/auditCollector.js';
import { createServices } from '../../shared/composition/services.js';
import type { CursorStore, EmittedStore } from '../../shared/sources/sourcesStore.js';
import { EMPTY_TENANT, FakeAuditGraph } from '../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { queuedEvents } from '../support/queuedEvents.js';
import { ALICE, RG, SOC_GROUP, TENANT, groupRecord, record, requestIdOf, resourceRecord } from '../support/auditRecords.js';
import { sampleWorld } from '../support/clock.js';

const MIN = 60_000;
let graph: FakeAuditGraph;

beforeAll(async () => {
  graph = await new FakeAuditGraph(EMPTY_TENANT(TENANT), {
    ...sampleWorld,
    publicBaseUrl: 'https://graph.microsoft.com',
    pageSize: 2,
  }).start();
});
afterAll(async () => graph?.stop());

/** A fresh collector world: own queue and table, a clock the test moves. */
async function world(start: Date) {
  const settings = loadSettings({
    AzureWebJobsStorage: storageConnectionString(),
    SOURCES_TABLE: uniqueTableName('Src'),
    AUDIT_OVERLAP_MINUTES: '15',
  });
  const queueName = uniqueQueueName('events');
  const { sources: adapters, events } = await createServices(settings, {
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph }),
    eventsQueue: queueName,
  });
  const source = await adapters.auditSource();
  graph.audits.length = 0;
  graph.resetCounts();
  const clock = { now: start };
  const logs: string[] = [];
  const deps = (overrides: Partial<CollectDeps> = {}): CollectDeps => ({
    source,
    events,
    maxWindowMinutes: MAX_WINDOW_MINUTES,
    cursors: adapters.store,
    emitted: adapters.store,
    tenantId: TENANT,
    overlapMinutes: settings.AUDIT_OVERLAP_MINUTES,
    clock: { now: () => clock.now },
    log: (_level, text) => logs.push(text),
    ...overrides,
  });
  const queue = new QueueClient(storageConnectionString(), queueName);
  return { clock, deps, logs, store: adapters.store, events: () => queuedEvents(queue) };
}

describe('auditCollector', () => {
  it('queues each PIM activity once across pages and throttling, skipping unknown names and repeats', async () => {
    const t0 = new Date('2026-11-25T10:00:00Z');
    const w = await world(t0);
    await w.deps().cursors.setCursor('directoryAudits', new Date(t0.getTime() - 5 * MIN).toISOString());
    const activation = record('Add member to role completed (PIM activation)', new Date(t0.getTime() - 4 * MIN));
    const pending = record('Add member to role approval requested (PIM activation)', new Date(t0.getTime() - 3 * MIN));
    const assigned = record('Add eligible member to role in PIM completed (timebound)', new Date(t0.getTime() - 2 * MIN));
    const azure = resourceRecord('Add member to role in PIM completed (timebound)', new Date(t0.getTime() - 1 * MIN));
    const unknown = record('Something PIM started logging yesterday', new Date(t0.getTime() - 90_000));
    const ignored = record('Add member to role requested (PIM activation)', new Date(t0.getTime() - 150_000));
    // The same record served twice (5 pages of 2 with nextLink), and a throttled first request.
    graph.audits.push(
      activation,
      pending,
      assigned,
      azure,
      unknown,
      ignored,
      { ...activation },
      record('Update role setting in PIM', t0, { loggedByService: 'Core Directory' }),
    );
    graph.inject({ match: /directoryAudits/, status: 429, retryAfterSeconds: 1, times: 1 });

    const outcome = await collectAuditEvents(w.deps());

    expect(outcome).toMatchObject({
      read: 7,
      queued: 4,
      alreadyQueued: 1,
      ignored: 1,
      unknown: { 'Something PIM started logging yesterday': 1 },
      invalid: 0,
    });
    const events = await w.events();
    expect(events.map((e) => [e.id, e.type]).sort()).toEqual(
      [
        [`req:${requestIdOf(activation)}:activationCompleted`, 'activationCompleted'],
        [`req:${requestIdOf(pending)}:activationPendingApproval`, 'activationPendingApproval'],
        [`req:${requestIdOf(assigned)}:roleAssigned`, 'roleAssigned'],
        [`audit:${azure.id}`, 'roleAssigned'],
      ].sort(),
    );
    expect(events.find((e) => e.id === `audit:${azure.id}`)).toMatchObject({
      scope: { kind: 'azureResource', id: RG },
      principal: { id: ALICE },
      assignment: { state: 'active' },
    });
    // Throttled once, retried, then the nextLink pages: 1 + 4 requests for 7 records at 2 per page.
    expect(graph.count(/auditLogs\/directoryAudits/)).toBe(5);
    expect(graph.count(/\$skiptoken=/)).toBe(3);
    expect(await w.store.cursor('directoryAudits')).toBe(t0.toISOString());
    expect(w.logs.join('\n')).toContain('unknown PIM audit activity "Something PIM started logging yesterday"');
    expect(w.logs.join('\n')).not.toMatch(/Incident 42|@contoso/);
  });

  it('picks up a record logged late, within the overlap, and does not queue earlier ones again', async () => {
    const t0 = new Date('2026-11-25T12:00:00Z');
    const w = await world(t0);
    await w.deps().cursors.setCursor('directoryAudits', new Date(t0.getTime() - 5 * MIN).toISOString());
    const first = record('Add member to role completed (PIM activation)', new Date(t0.getTime() - 3 * MIN));
    graph.audits.push(first);
    expect((await collectAuditEvents(w.deps())).queued).toBe(1);

    // Logged after the run, but it happened before the cursor (t0), within the 15-minute overlap.
    const late = record('Add member to role request approved (PIM activation)', new Date(t0.getTime() - 8 * MIN));
    graph.audits.push(late);
    w.clock.now = new Date(t0.getTime() + 5 * MIN);
    const second = await collectAuditEvents(w.deps());
    expect(second).toMatchObject({ queued: 1, alreadyQueued: 1 });
    expect((await w.events()).map((e) => e.id).sort()).toEqual(
      [`req:${requestIdOf(first)}:activationCompleted`, `req:${requestIdOf(late)}:activationApproved`].sort(),
    );
  });

  it('keeps the cursor when the run dies after queueing, and the rerun loses nothing and queues nothing twice', async () => {
    const t0 = new Date('2026-11-25T14:00:00Z');
    const w = await world(t0);
    const start = new Date(t0.getTime() - 5 * MIN).toISOString();
    await w.deps().cursors.setCursor('directoryAudits', start);
    const records = [1, 2, 3].map((i) => record('Add member to role completed (PIM activation)', new Date(t0.getTime() - i * MIN)));
    graph.audits.push(...records);
    const crashing: CursorStore = { cursor: (n) => w.store.cursor(n), setCursor: async () => Promise.reject(new Error('process killed')) };

    await expect(collectAuditEvents(w.deps({ cursors: crashing }))).rejects.toThrow('process killed');
    expect(await w.store.cursor('directoryAudits')).toBe(start);
    expect(await w.events()).toHaveLength(3);

    const rerun = await collectAuditEvents(w.deps());
    expect(rerun).toMatchObject({ read: 3, queued: 0, alreadyQueued: 3 });
    expect(await w.store.cursor('directoryAudits')).toBe(t0.toISOString());
    expect((await w.events()).map((e) => e.id).sort()).toEqual(records.map((r) => `req:${requestIdOf(r)}:activationCompleted`).sort());
  });

  it('re-queues under the same event id when the run dies between queueing and recording it', async () => {
    const t0 = new Date('2026-11-25T16:00:00Z');
    const w = await world(t0);
    await w.deps().cursors.setCursor('directoryAudits', new Date(t0.getTime() - 5 * MIN).toISOString());
    const r = record('Add member to role completed (PIM activation)', new Date(t0.getTime() - MIN));
    graph.audits.push(r);
    const crashing: EmittedStore = { has: (k) => w.store.has(k), record: async () => Promise.reject(new Error('process killed')) };

    await expect(collectAuditEvents(w.deps({ emitted: crashing }))).rejects.toThrow('process killed');
    await collectAuditEvents(w.deps());
    const events = await w.events();
    // At least once, never lost: the duplicate carries the same id, which the notify ledger dedupes.
    expect(events.map((e) => e.id)).toEqual([`req:${requestIdOf(r)}:activationCompleted`, `req:${requestIdOf(r)}:activationCompleted`]);
    expect(events[1]).toEqual(events[0]);
  });

  it('starts at now minus the overlap on its first run, and reads a long gap in committed windows', async () => {
    const t0 = new Date('2026-11-25T18:00:00Z');
    const w = await world(t0);
    graph.audits.push(record('Add member to role completed (PIM activation)', new Date(t0.getTime() - 60 * MIN)));
    const first = await collectAuditEvents(w.deps());
    expect(first).toMatchObject({ read: 0, to: t0.toISOString() });

    const old = record('Add member to role completed (PIM activation)', new Date(t0.getTime() + 30 * MIN));
    const recent = record('Add member to role completed (PIM activation)', new Date(t0.getTime() + 50 * 60 * MIN));
    graph.audits.push(old, recent);
    w.clock.now = new Date(t0.getTime() + 51 * 60 * MIN);
    const setCursor: string[] = [];
    const spying: CursorStore = {
      cursor: (n) => w.store.cursor(n),
      setCursor: async (n, v) => (setCursor.push(v), w.store.setCursor(n, v)),
    };
    const gap = await collectAuditEvents(w.deps({ cursors: spying }));
    expect(gap.queued).toBe(2);
    expect(setCursor).toHaveLength(3); // 51 hours in windows of at most 24
    expect(setCursor.at(-1)).toBe(w.clock.now.toISOString());
  });
  it('queues PIM for Groups records as group events, next to role records', async () => {
    const t0 = new Date('2026-11-26T10:00:00Z');
    const w = await world(t0);
    await w.deps().cursors.setCursor('directoryAudits', new Date(t0.getTime() - 5 * MIN).toISOString());
    const member = groupRecord('Add eligible member to role in PIM completed (timebound)', new Date(t0.getTime() - 4 * MIN), 'Member');
    const owner = groupRecord('Add member to role approval requested (PIM activation)', new Date(t0.getTime() - 3 * MIN), 'Owner');
    const role = record('Add member to role completed (PIM activation)', new Date(t0.getTime() - 2 * MIN));
    graph.audits.push(member, owner, role);

    expect(await collectAuditEvents(w.deps())).toMatchObject({ read: 3, queued: 3, unsupported: 0, invalid: 0 });
    const events = await w.events();
    expect(events.find((e) => e.id === `audit:${member.id}`)).toMatchObject({
      type: 'roleAssigned',
      scope: { kind: 'group', id: SOC_GROUP, accessId: 'member' },
      principal: { id: ALICE },
    });
    expect(events.find((e) => e.id === `audit:${owner.id}`)).toMatchObject({
      type: 'activationPendingApproval',
      scope: { kind: 'group', id: SOC_GROUP, accessId: 'owner' },
    });
    // The role record names its request: its event takes the request's id, as the requests collector's does.
    expect(events.find((e) => e.id.startsWith(`req:${requestIdOf(role)}:`))).toMatchObject({ scope: { kind: 'directory' } });
  });
});
