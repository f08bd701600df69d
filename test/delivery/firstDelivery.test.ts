/**
 * An event's first delivery claims its messages as a whole (one row per message listing its
 * members, one write per 99 messages), with no read of the ledger first, and sends each message
 * as soon as its write is done. Once any other claim has read the event (a redelivery, a second
 * worker, a takeover) the fence stops that shortcut, the rest goes the long way, and every
 * recipient still gets exactly one delivery. Real parts: ledger on
 * Azurite, production ACS transport against the local ACS in its real-service model.
 */
import { TableClient } from '@azure/data-tables';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { DeliveryBusyError } from '../../shared/delivery/deliver.js';
import { REAL_ACS_MODEL } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';

const startFake = fakeAcsPerTest();

/** A ledger on a table of its own whose every storage request is written down. */
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
  return { requests, ledger: new TableDeliveryLedger(client) };
}

/** Three reason lines, so the messages are of three contents. */
const reasons = (_a: string, i: number) => ['as a Global Administrator', 'as a Privileged Role Administrator', 'as an approver'][i % 3]!;

describe('first delivery', () => {
  it('1,000 recipients: no ledger read, one claim write and one accept write for all 21 messages, each person once', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const l = countedLedgers();
    const list = addresses(1000);
    await l.ledger.outcomes('warm-up'); // the table exists: its creation is not what is counted
    l.requests.length = 0;

    const counts = await deliver('big', items('big', list, reasons), h.options({ ledger: l.ledger }));

    // 334, 333 and 333 people per reason: 7 + 7 + 7 messages of at most 50.
    expect(counts).toEqual({ sent: 1000, alreadySent: 0, failed: 0, messages: 21 });
    expect(fake.deliveries).toHaveLength(21);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    expect(
      l.requests.filter((r) => r.includes('(query)')),
      'nothing read before sending',
    ).toEqual([]);
    const batches = l.requests.filter((r) => r.endsWith('/$batch'));
    // One row per message, not per recipient: the 21 messages' claims (with the fence) in one
    // write, and their accepts in another.
    // The 21 index rows share a partition (the event's ids share their first byte): a third write.
    expect(batches.length).toBe(1 + 1 + 1);
    expect(l.requests.length - batches.length, 'nothing else but creating the table').toBeLessThanOrEqual(1);
    const outcomes = await l.ledger.outcomes('big');
    expect(outcomes).toHaveLength(1000);
    expect(outcomes.every((o) => o.status === 'accepted' && o.messageId)).toBe(true);
  });

  it('per person, 150 messages: two claim writes chained through the fence, still no read', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const l = countedLedgers();
    const list = addresses(150);
    await l.ledger.outcomes('warm-up');
    l.requests.length = 0;
    const counts = await deliver('each', items('each', list), h.options({ ledger: l.ledger, personal: true }));
    expect(counts).toMatchObject({ sent: 150, messages: 150 });
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    expect(
      l.requests.filter((r) => r.includes('(query)')),
      'nothing read before sending',
    ).toEqual([]);
    // Claims of 99 + 51 messages (the second under the fence's ETag), index rows and accepts 100 + 50 each.
    expect(l.requests.filter((r) => r.endsWith('/$batch'))).toHaveLength(2 + 2 + 2);
    expect((await l.ledger.outcomes('each')).filter((o) => o.status === 'accepted')).toHaveLength(150);
  });

  it('a redelivery after part of the event went out sends only the rest, once, and the next one nothing', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const list = addresses(260);
    const all = items('part', list, reasons);
    // An earlier delivery of the event planned fewer people (say, before a role change): 120 of them went.
    await deliver('part', all.filter((_, i) => i % 2 === 0).slice(0, 120), h.options());
    expect(fake.deliveries.flatMap((d) => d.message.recipients.bcc ?? [])).toHaveLength(120);

    const counts = await deliver('part', all, h.options());
    expect(counts).toMatchObject({ sent: 140, alreadySent: 120, failed: 0 });
    for (const a of list) expect(fake.deliveredTo(a), a).toBe(1);
    expect(fake.count('GET', '/emails/operations'), 'nothing taken over: no status read').toBe(0);

    const again = await deliver('part', all, h.options());
    expect(again).toMatchObject({ sent: 0, alreadySent: 260, messages: 0 });
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
  });

  it('two workers with the same event at once: each person gets one delivery, the loser is told to come back', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const list = addresses(450);
    const planned = items('race', list, reasons);
    const results = await Promise.allSettled([deliver('race', planned, h.options()), deliver('race', planned, h.options())]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DeliveryBusyError);
    for (const a of list) expect(fake.deliveredTo(a), a).toBe(1);

    // Once both are done, a third finds everything sent.
    const third = await deliver('race', planned, h.options());
    expect(third).toMatchObject({ sent: 0, alreadySent: 450 });
    expect((await h.ledger.outcomes('race')).every((o) => o.status === 'accepted')).toBe(true);
  });

  it('fenced: a first-delivery claim after another claim has read the event claims nothing, and nobody gets two', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const planned = items('fence', addresses(6));
    const requests = planned.map(({ key, operationId, notification }) => ({ key, operationId, notification }));
    // Another worker claims two of them the long way: it writes the fence, then reads.
    const other = await h.ledger.claim('fence', requests.slice(0, 2), 300_000);
    expect([...other.values()].map((c) => c.kind)).toEqual(['send', 'send']);
    // The shortcut now takes nothing, not even the four nobody holds.
    expect((await h.ledger.claimFresh('fence', [{ messageId: randomUUID(), requests }])).size).toBe(0);
    // The long way sends the four and leaves the two to their holder.
    await expect(deliver('fence', planned, h.options())).rejects.toBeInstanceOf(DeliveryBusyError);
    expect(
      fake.deliveries
        .flatMap((d) => d.message.recipients.bcc ?? [])
        .map((r) => r.address)
        .sort(),
    ).toEqual(addresses(6).slice(2).sort());
  });

  it('a message claimed as a whole: its members are busy to others, then taken over by exactly one worker each', async () => {
    const client = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Whole'), { allowInsecureConnection: true });
    const ledger = new TableDeliveryLedger(client);
    const requests = items('whole', addresses(3)).map(({ key, operationId, notification }) => ({ key, operationId, notification }));
    const messageId = randomUUID();
    expect([...(await ledger.claimFresh('whole', [{ messageId, requests }]))]).toEqual([messageId]);
    expect([...(await ledger.claim('whole', requests, 300_000)).values()].map((c) => c.kind)).toEqual(['busy', 'busy', 'busy']);
    // An hour later the lease is out: two workers take over at once; each member goes to one of
    // them, as possibly sent. (Their own takeover is fresh to each other: a lease of 0 would let
    // the slower one take a member over again in the same millisecond.)
    const hourLater = { now: () => new Date(Date.now() + 3_600_000) };
    const [workerA, workerB] = [new TableDeliveryLedger(client, hourLater), new TableDeliveryLedger(client, hourLater)];
    const [a, b] = await Promise.all([workerA.claim('whole', requests, 300_000), workerB.claim('whole', requests, 300_000)]);
    for (const r of requests) {
      const kinds = [a.get(r.key), b.get(r.key)].map((c) => (c?.kind === 'send' ? `send${c.mayHaveBeenSent ? '?' : ''}` : c?.kind)).sort();
      expect(kinds).toEqual(['busy', 'send?']);
    }
    // Whoever took a member over finds the message it was claimed for.
    const pending = await ledger.pending(
      'whole',
      requests.map((r) => r.key),
    );
    expect([...pending.values()].map((p) => p.messageId)).toEqual([messageId, messageId, messageId]);
  });
});
