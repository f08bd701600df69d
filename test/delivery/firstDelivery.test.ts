/**
 * An event's first delivery claims and plans its rows in one write per 100 (whole messages per
 * transaction), with no read of the ledger first, and sends each message as soon as its write
 * is done. What that write cannot take (rows already there: a redelivery, a second worker) goes
 * the long way, and every recipient still gets exactly one delivery. Real parts: ledger on
 * Azurite, production ACS sender against the local ACS in its real-service model.
 */
import { TableClient } from '@azure/data-tables';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { TableAcceptanceLedger } from '../../shared/storage/tableAcceptanceLedger.js';
import { TableDeliveryLedger } from '../../shared/storage/tableDeliveryLedger.js';
import { DeliveryBusyError } from '../../shared/usecases/deliverOnce.js';
import { REAL_ACS_MODEL } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { addresses, deliverGrouped, harness, items } from './support.js';

const startFake = fakeAcsPerTest();

/** Ledgers on a table of their own whose every storage request is written down. */
function countedLedgers() {
  const requests: string[] = [];
  const counting: PipelinePolicy = {
    name: 'countRequests',
    sendRequest: (request, next) => {
      const url = new URL(request.url);
      requests.push(`${request.method} ${decodeURIComponent(url.pathname)}${url.search.includes('filter') ? ' (query)' : ''}`);
      return next(request);
    },
  };
  const client = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('First'), {
    allowInsecureConnection: true,
    additionalPolicies: [{ policy: counting, position: 'perCall' }],
  });
  return { requests, ledger: new TableDeliveryLedger(client), acceptance: new TableAcceptanceLedger(client) };
}

/** Three reason lines, so the messages are of three contents. */
const reasons = (_a: string, i: number) => ['as a Global Administrator', 'as a Privileged Role Administrator', 'as an approver'][i % 3]!;

describe('first delivery', () => {
  it('1,000 recipients: no ledger read, one claim write per 100 rows, one accept write for all 21 messages, each person once', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const l = countedLedgers();
    const list = addresses(1000);
    await l.acceptance.outcomes('warm-up'); // the table exists: its creation is not what is counted
    l.requests.length = 0;

    const counts = await deliverGrouped('big', items('big', list, reasons), h.options({ ledger: l.ledger, acceptance: l.acceptance }));

    // 334, 333 and 333 people per reason: 7 + 7 + 7 messages of at most 50.
    expect(counts).toEqual({ sent: 1000, alreadySent: 0, failed: 0, messages: 21 });
    expect(fake.deliveries).toHaveLength(21);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    expect(l.requests.filter((r) => r.includes('(query)')), 'nothing read before sending').toEqual([]);
    const batches = l.requests.filter((r) => r.endsWith('/$batch'));
    // Messages are never split over two writes: 21 messages of ≤ 50 rows take 11 claim writes;
    // the accept is one row per message, 21 rows in one write.
    expect(batches.length).toBe(11 + 1);
    expect(l.requests.filter((r) => r.includes("PartitionKey='message-")), 'one index row per message').toHaveLength(21);
    expect(l.requests.length - batches.length - 21, 'nothing else but creating the table').toBeLessThanOrEqual(1);
    const outcomes = await l.acceptance.outcomes('big');
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.every((o) => o.status === 'accepted' && o.messageId)).toBe(true);
  });

  it('a redelivery after part of the event went out sends only the rest, once, and the next one nothing', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const list = addresses(260);
    const all = items('part', list, reasons);
    // An earlier delivery of the event planned fewer people (say, before a role change): 120 of them went.
    await deliverGrouped('part', all.filter((_, i) => i % 2 === 0).slice(0, 120), h.options());
    expect(fake.deliveries.flatMap((d) => d.message.recipients.bcc ?? [])).toHaveLength(120);

    const counts = await deliverGrouped('part', all, h.options());
    expect(counts).toMatchObject({ sent: 140, alreadySent: 120, failed: 0 });
    for (const a of list) expect(fake.deliveredTo(a), a).toBe(1);
    expect(fake.count('GET', '/emails/operations'), 'nothing taken over: no status read').toBe(0);

    const again = await deliverGrouped('part', all, h.options());
    expect(again).toMatchObject({ sent: 0, alreadySent: 260, messages: 0 });
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
  });

  it('two workers with the same event at once: each person gets one delivery, the loser is told to come back', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const list = addresses(450);
    const planned = items('race', list, reasons);
    const results = await Promise.allSettled([deliverGrouped('race', planned, h.options()), deliverGrouped('race', planned, h.options())]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DeliveryBusyError);
    for (const a of list) expect(fake.deliveredTo(a), a).toBe(1);

    // Once both are done, a third finds everything sent.
    const third = await deliverGrouped('race', planned, h.options());
    expect(third).toMatchObject({ sent: 0, alreadySent: 450 });
    expect((await h.acceptance.outcomes('race')).every((o) => o.status === 'accepted')).toBe(true);
  });
});
