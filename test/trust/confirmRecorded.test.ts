/**
 * An event the requests collector queued is borne out by the collector's own record of the
 * request (read from PIM, written to the sources table before the event was queued): no list
 * read, no by-id read, no minute on the queue waiting for a list that would show it. A queue
 * writer cannot put a record there, so a forged event is still refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelay } from '../../shared/confirm/pimRecordConfirmer.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { collectRequestEvents } from '../../shared/usecases/requestsCollector.js';
import { uniqueTableName } from '../support/storage.js';
import {
  CHRISTIE,
  RAUL,
  RG_DATA,
  ROLE_EXCHANGE,
  TENANT,
  OWNER,
  clock,
  eventId,
  minutesAgo,
  startTrust,
  type Trust,
} from './confirmHarness.js';

let t: Trust;
beforeAll(async () => {
  // A long lag window: without the record, a fresh event would wait on the queue for PIM's lists.
  t = await startTrust({ CONFIRM_LAG_SECONDS: '600', SOURCES_TABLE: uniqueTableName('Src') });
});
afterAll(() => t?.stop());

/** One run of the requests collector; the events it queued. */
async function collect(): Promise<PimEvent[]> {
  const queued: PimEvent[] = [];
  await collectRequestEvents({
    source: await t.services.sources.requestSource(),
    events: { send: async (event) => void queued.push(event), later: async () => {} },
    cursors: t.services.sources.store,
    emitted: t.services.sources.store,
    recorded: t.services.sources.store,
    tenantId: TENANT,
    reminderHours: [4],
    clock,
    known: new Set(),
    log: () => {},
  });
  return queued;
}

/** Requests to PIM's request APIs (lists, reads by id, in $batch or not) made by `work`. */
async function requestReads(work: () => Promise<unknown>): Promise<number> {
  const before = t.graph.count(/ScheduleRequests/) + t.arm.count(/ScheduleRequests/);
  await work();
  return t.graph.count(/ScheduleRequests/) + t.arm.count(/ScheduleRequests/) - before;
}

describe('events the requests collector queued are confirmed from its record', () => {
  it.each([
    ['a directory role', { kind: 'directory' as const, principalId: CHRISTIE, roleDefinitionId: ROLE_EXCHANGE }],
    ['an Azure resource role', { kind: 'azureResource' as const, principalId: RAUL, roleDefinitionId: OWNER, scope: RG_DATA }],
  ])('mails %s approval request at once, without asking PIM again', async (_, request) => {
    const id = randomUUID();
    t.pim.add({ id, createdDateTime: minutesAgo(0.1), ...request });
    const pending = (await collect()).find((e) => e.id === `req:${id}:activationPendingApproval`);
    expect(pending, 'the collector queued the approval request').toBeDefined();
    const sentBefore = t.sent.length;
    const requeuedBefore = t.requeued.length;
    let outcome: unknown;
    const reads = await requestReads(async () => (outcome = await t.notify(pending!)));
    expect(outcome).toMatchObject({ kind: 'done' });
    expect(t.requeued.length, 'not put back on the queue to wait for PIM').toBe(requeuedBefore);
    expect(t.sent.length).toBeGreaterThan(sentBefore);
    expect(reads, 'no list or by-id read of PIM: the record bears it out').toBe(0);
  });

  it('still refuses an event that names a recorded request but someone else', async () => {
    const id = randomUUID();
    t.pim.add({ id, kind: 'directory', createdDateTime: minutesAgo(0.1), principalId: CHRISTIE, roleDefinitionId: ROLE_EXCHANGE });
    const pending = (await collect()).find((e) => e.id === `req:${id}:activationPendingApproval`)!;
    const forged = { ...pending, id: eventId('forged'), principal: { id: RAUL, type: 'user' } } as PimEvent;
    const sentBefore = t.sent.length;
    const outcome = await t.notify(forged);
    expect(outcome.kind === 'invalid' && outcome.error.message).toMatch(/not confirmed by PIM/);
    expect(t.sent.length).toBe(sentBefore);
  });

  it('never mails an event naming a request the app has never seen; a fresh one waits seconds, not a minute', async () => {
    const forged: PimEvent = {
      id: eventId('never-seen'),
      type: 'activationPendingApproval',
      tenantId: TENANT,
      occurredAt: minutesAgo(0.05),
      scope: { kind: 'directory', id: '/' },
      role: { id: ROLE_EXCHANGE },
      principal: { id: CHRISTIE, type: 'user' },
      request: { id: randomUUID() },
    } as PimEvent;
    const sentBefore = t.sent.length;
    const outcome = await t.notify(forged);
    expect(outcome).toMatchObject({ kind: 'queuedAgain', reason: 'awaitingPim' });
    expect(outcome.kind === 'queuedAgain' && outcome.retryAfterMs).toBeLessThanOrEqual(5_000);
    expect(t.sent.length).toBe(sentBefore);
  });
});

describe('retryDelay', () => {
  it('looks again after half the age of the event, from 2 s to a minute', () => {
    expect(retryDelay(0)).toBe(2_000);
    expect(retryDelay(3_000)).toBe(2_000);
    expect(retryDelay(10_000)).toBe(5_000);
    expect(retryDelay(60_000)).toBe(30_000);
    expect(retryDelay(10 * 60_000)).toBe(60_000);
  });
});
