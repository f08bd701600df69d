/**
 * The rate limit's port, one set of cases for both adapters: the Table adapter on Azurite (two
 * instances on one table, as two workers have) and the in-memory double, which must behave
 * alike so that tests using it say something true.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimit } from '../../dev/doubles/memoryRateLimit.js';
import { recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { rateWindow, type RateRequest, type RateLimit } from '../../shared/rateLimit/rateLimit.js';
import { TableRateLimit } from '../../shared/rateLimit/tableRateLimit.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-12-01T10:05:00Z');

const request = (address: string, eventId: string, occurredAt = T0.toISOString()): RateRequest => ({
  key: recipientKey(address),
  address,
  displayName: address.split('@')[0],
  item: {
    eventId,
    notification: 'activationAlert',
    roleName: 'Global Administrator',
    principalName: 'Megan Bowen',
    scopeName: 'Directory',
    occurredAt,
  },
});

/** Two handles on one store: two Table instances on the same table, or the one double twice. */
type Pair = (now: () => Date) => [RateLimit, RateLimit];

const adapters: Record<string, Pair> = {
  'Table Storage (two instances)': (now) => {
    const table = uniqueTableName('Rates');
    const client = () => TableClient.fromConnectionString(storageConnectionString(), table, { allowInsecureConnection: true });
    return [new TableRateLimit(client(), { now: now }), new TableRateLimit(client(), { now: now })];
  },
  'in memory': (now) => {
    const one = new MemoryRateLimit({ now });
    return [one, one];
  },
};

describe.each(Object.entries(adapters))('recipient rates: %s', (_, pair) => {
  const options = (limit: number, seenBefore = false) => ({ limit, windowMs: HOUR, seenBefore });

  it('sends exactly the limit when two workers count one person at once, and holds back the rest', async () => {
    const [a, b] = pair(() => T0);
    const decisions = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).decide(`evt-${i}`, [request('admin@contoso.com', `evt-${i}`)], options(5))),
    );
    const all = decisions.map((d) => d.get(recipientKey('admin@contoso.com')));
    expect(all.filter((d) => d === 'send')).toHaveLength(5);
    expect(all.filter((d) => d === 'held')).toHaveLength(19);
  });

  it('gives a redelivered event the answer it got first, counted once, even from another worker or window', async () => {
    let now = T0;
    const [a, b] = pair(() => now);
    const key = recipientKey('admin@contoso.com');
    for (let i = 0; i < 3; i++) await a.decide(`evt-${i}`, [request('admin@contoso.com', `evt-${i}`)], options(3));
    expect((await b.decide('evt-3', [request('admin@contoso.com', 'evt-3')], options(3))).get(key)).toBe('held');
    // The same events again: same answers, nothing more counted or held.
    for (let i = 0; i < 4; i++) {
      expect((await b.decide(`evt-${i}`, [request('admin@contoso.com', `evt-${i}`)], options(3, true))).get(key)).toBe(
        i < 3 ? 'send' : 'held',
      );
    }
    // A copy that does not know it is one (seenBefore false) still gets the first answer.
    expect((await a.decide('evt-0', [request('admin@contoso.com', 'evt-0')], options(3))).get(key)).toBe('send');
    const [due] = await a.dueSummaries(new Date(T0.getTime() + HOUR));
    expect((await b.heldIn(due!)).map((i) => i.eventId)).toEqual(['evt-3']);
    // In the next window: a fresh count, but an event decided before keeps its answer.
    now = new Date(T0.getTime() + HOUR);
    expect((await a.decide('evt-3', [request('admin@contoso.com', 'evt-3')], options(3, true))).get(key)).toBe('held');
    expect((await a.decide('evt-9', [request('admin@contoso.com', 'evt-9')], options(3))).get(key)).toBe('send');
  });

  it('decides one copy of an event racing another the same way, counting it once', async () => {
    const [a, b] = pair(() => T0);
    const key = recipientKey('admin@contoso.com');
    const [x, y] = await Promise.all([
      a.decide('evt-r', [request('admin@contoso.com', 'evt-r')], options(1)),
      b.decide('evt-r', [request('admin@contoso.com', 'evt-r')], options(1)),
    ]);
    expect(x.get(key)).toBe('send');
    expect(y.get(key)).toBe('send');
    // The one place was taken once: the next event is held.
    expect((await a.decide('evt-s', [request('admin@contoso.com', 'evt-s')], options(1))).get(key)).toBe('held');
  });

  it('counts each person on their own, and owes a summary only for windows that are over', async () => {
    const [a, b] = pair(() => T0);
    for (let i = 0; i < 4; i++) {
      const requests = [
        request('one@contoso.com', `evt-${i}`, `2026-12-01T10:0${4 - i}:00Z`),
        ...(i < 2 ? [request('two@contoso.com', `evt-${i}`)] : []),
      ];
      await a.decide(`evt-${i}`, requests, options(1));
    }
    const window = rateWindow(T0, HOUR);
    expect(await b.dueSummaries(new Date(Date.parse(window.end) - 1))).toEqual([]);
    const due = await b.dueSummaries(new Date(window.end));
    expect(due.map((d) => d.address).sort()).toEqual(['one@contoso.com', 'two@contoso.com']);
    const one = due.find((d) => d.address === 'one@contoso.com')!;
    expect(one).toEqual({
      key: recipientKey('one@contoso.com'),
      address: 'one@contoso.com',
      displayName: 'one',
      windowStart: window.start,
      windowEnd: window.end,
    });
    // Oldest first, by when the events happened.
    expect((await a.heldIn(one)).map((i) => i.eventId)).toEqual(['evt-3', 'evt-2', 'evt-1']);
    expect((await a.heldIn(due.find((d) => d.address === 'two@contoso.com')!)).map((i) => i.eventId)).toEqual(['evt-1']);
    await b.summarised(one);
    await a.summarised(one);
    expect((await a.dueSummaries(new Date(window.end))).map((d) => d.address)).toEqual(['two@contoso.com']);
  });
});
