/**
 * Faults of the one delivery path, on real parts (production ACS transport → local ACS
 * in its real-service model, ledger on Azurite): a worker killed between ACS's 202 and the
 * ledger write, 429 storms against both default quotas, an accepted operation that ends
 * Failed, delivery reports duplicated, reordered and ahead of the ledger. In every case each
 * recipient gets exactly one delivery and ends with a recorded outcome.
 */
import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../shared/transport/transport.js';
import type { DeliveryLedger } from '../../shared/delivery/deliveryLedger.js';
import { CUSTOM_DOMAIN_QUOTAS, MANAGED_DOMAIN_QUOTAS, REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';

const startFake = fakeAcsPerTest();

/** A clock the local ACS and the pacers share, moved by the test instead of waiting an hour. */
function testClock() {
  let t = Date.now();
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('delivery faults', () => {
  it('killed between the 202 and the ledger write: the takeover asks ACS and sends nothing twice', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    let killed = false;
    const dying: DeliveryLedger = {
      ...bind(h.ledger),
      accepted: async (...args) => {
        if (!killed) {
          killed = true;
          throw new Error('worker killed after the accept, before the ledger write');
        }
        return h.ledger.accepted(...args);
      },
    };
    const list = addresses(60);
    const planned = items('k1', list, (_a, i) => (i < 30 ? 'as an admin' : 'as an approver'));
    await expect(deliver('k1', planned, h.options({ ledger: dying }))).rejects.toThrow(/killed/);
    expect(fake.deliveries).toHaveLength(2);

    // The next worker, once the lease is over: the messages are still Running at ACS, which counts as accepted.
    const retry = await deliver('k1', planned, h.options({ leaseMs: 0 }));
    expect(retry).toMatchObject({ sent: 0, alreadySent: 60, messages: 0 });
    expect(fake.deliveries).toHaveLength(2);
    expect(fake.count('GET', '/emails/operations'), 'one status read per message, only in recovery').toBe(2);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    expect((await h.ledger.outcomes('k1')).every((o) => o.status === 'accepted')).toBe(true);
  });

  it('killed after the 202 before the sender returned: released, asked about, not repeated', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const dies = {
      ...h.transport,
      maxRecipients: h.transport.maxRecipients,
      accept: async (...args: Parameters<typeof h.transport.accept>) => {
        await h.transport.accept(...args);
        throw new Error('connection lost after the send');
      },
    };
    const planned = items('k2', addresses(4));
    await expect(deliver('k2', planned, h.options({ transport: dies }))).rejects.toThrow(/connection lost/);
    expect(await deliver('k2', planned, h.options())).toMatchObject({ alreadySent: 4, sent: 0 });
    expect(fake.deliveries).toHaveLength(1);
  });

  it('lost with its worker after the 202, then Failed at ACS: the takeover sends attempt 1, whose reports decide for every member', async () => {
    const clock = testClock();
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, now: clock.now, reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake, clock.now);
    // The message fails, and so does its attempt 1.
    fake.failNextOperation('ServiceUnavailable');
    fake.failNextOperation('ServiceUnavailable');
    const dies = {
      ...h.transport,
      maxRecipients: h.transport.maxRecipients,
      accept: async (...args: Parameters<typeof h.transport.accept>) => {
        await h.transport.accept(...args);
        throw new Error('connection lost after the send');
      },
    };
    const list = addresses(3);
    const planned = items('m1', list);
    await expect(deliver('m1', planned, h.options({ transport: dies }))).rejects.toThrow(/connection lost/);
    clock.advance(REAL_ACS_MODEL.runningMs + 1000); // ACS has ended it Failed
    expect(await deliver('m1', planned, h.options())).toMatchObject({ sent: 3, messages: 1 });
    const [first, second] = fake.operationIds();
    expect((await h.ledger.outcomes('m1')).map((o) => [o.status, o.messageId])).toEqual(Array(3).fill(['accepted', second]));

    // Attempt 1's Failed reports (known by its own id, not the planned one) send each member again.
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    expect(await h.requeued(), "attempt 1's Failed reports resend; the first message's change nothing").toHaveLength(3);
    clock.advance(REAL_ACS_MODEL.runningMs + 1000);
    expect(await deliver('m1', planned, h.options())).toMatchObject({ sent: 3, messages: 3 });
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    const outcomes = await h.ledger.outcomes('m1');
    expect(outcomes.map((o) => [o.status, o.deliveryStatus, o.resends])).toEqual(Array(3).fill(['accepted', 'Delivered', 1]));
    expect(outcomes.every((o) => o.messageId !== first && o.messageId !== second)).toBe(true);
  });

  for (const [name, quotas] of [
    ['Azure-managed domain (5/min, 10/h)', MANAGED_DOMAIN_QUOTAS],
    ['custom domain (30/min, 100/h)', CUSTOM_DOMAIN_QUOTAS],
  ] as const) {
    it(`429 storm against the ${name}: paced app-wide, handed back, nothing lost or doubled`, async () => {
      const clock = testClock();
      const fake = await startFake({ ...REAL_ACS_MODEL, quotas, now: clock.now });
      const h = await harness(fake, clock.now);
      const list = addresses(quotas.sendsPerHour + 7);
      const planned = items('q1', list);
      let rounds = 0;
      for (;;) {
        rounds++;
        try {
          await deliver('q1', planned, h.options({ personal: true, concurrency: 4 }));
          break;
        } catch (e) {
          expect(e).toBeInstanceOf(QuotaExceededError);
          const wait = (e as QuotaExceededError).retryAfterMs;
          expect(wait).toBeGreaterThan(0);
          // App-wide: another event's send waits for the same pause and spends no request on it.
          const posts = fake.count('POST', '/emails:send');
          await expect(deliver('other', items('other', ['x@contoso.example']), h.options())).rejects.toBeInstanceOf(QuotaExceededError);
          expect(fake.count('POST', '/emails:send')).toBe(posts);
          clock.advance(wait);
        }
        expect(rounds).toBeLessThan(60);
      }
      expect(rounds).toBeGreaterThan(1);
      for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
      expect(fake.deliveries).toHaveLength(list.length);
      expect((await h.ledger.outcomes('q1')).filter((o) => o.status === 'accepted')).toHaveLength(list.length);
      // Handed-back rows were sent fresh: no status read was needed to know they never went.
      expect(fake.count('GET', '/emails/operations')).toBe(0);
    });
  }

  it('an accepted operation that ends Failed is sent again, alone, under a new id, once', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake);
    fake.failNextOperation('ServiceUnavailable');
    const list = addresses(3);
    await deliver('f1', items('f1', list), h.options());
    expect(fake.deliveries).toHaveLength(0); // accepted, then Failed at ACS
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    expect(await h.requeued(), 'the event is put back for the resend').toHaveLength(3);

    // The requeued event comes back: the ledger sends only those three, each alone.
    await deliver('f1', items('f1', list), h.options());
    expect(fake.deliveries).toHaveLength(3);
    for (const d of fake.deliveries) expect(d.message.recipients.to).toHaveLength(1);
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    const outcomes = await h.ledger.outcomes('f1');
    expect(outcomes.map((o) => [o.status, o.deliveryStatus, o.resends])).toEqual(Array(3).fill(['accepted', 'Delivered', 1]));
    // A third pass (the event delivered once more) sends nothing.
    await deliver('f1', items('f1', list), h.options());
    expect(fake.deliveries).toHaveLength(3);
  });

  it('reports duplicated, reordered and ahead of the ledger write: one outcome each, the newest', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e) } });
    fake.bounce('admin1@contoso.example', 'Bounced');
    const h = await harness(fake);
    // The reports beat the sender: all are recorded before it writes the accept.
    const reportsFirst: DeliveryLedger = {
      ...bind(h.ledger),
      accepted: async (...args) => {
        await fake.reportsSettled();
        for (const r of reports) await h.record(r);
        return h.ledger.accepted(...args);
      },
    };
    const list = addresses(4);
    await deliver('r1', items('r1', list), h.options({ ledger: reportsFirst }));
    expect(reports).toHaveLength(4);
    // Then again, newest first, an older "Expanded" for one of them, and once more in order.
    const older = {
      ...reports[0]!,
      id: 'older',
      // A minute older than the real one (a report from 2000 would be refused as forged: reportEvidence.ts).
      data: {
        ...reports[0]!.data,
        status: 'Expanded' as const,
        deliveryAttemptTimeStamp: new Date(Date.parse(reports[0]!.eventTime) - 60_000).toISOString(),
      },
    };
    for (const r of [...reports].reverse()) await h.record(r);
    await h.record(older);
    for (const r of reports) await h.record(r);

    const outcomes = await h.ledger.outcomes('r1');
    expect(outcomes.map((o) => o.status)).toEqual(Array(4).fill('accepted'));
    expect(outcomes.map((o) => o.deliveryStatus).sort()).toEqual(['Bounced', 'Delivered', 'Delivered', 'Delivered']);
    expect(await h.requeued(), 'a bounce is reported, not resent').toHaveLength(0);
    expect(h.logs.some((l) => /^error: .*Bounced/.test(l))).toBe(true);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
  });

  it('a Failed report ahead of the accept is retried (the message is not consumed), then resends once', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake);
    fake.failNextOperation('ServiceUnavailable');
    let early: unknown;
    const reportsFirst: DeliveryLedger = {
      ...bind(h.ledger),
      accepted: async (...args) => {
        await fake.reportsSettled();
        early = await h.record(reports[0]!).catch((e: unknown) => e);
        return h.ledger.accepted(...args);
      },
    };
    await deliver('r2', items('r2', addresses(1)), h.options({ ledger: reportsFirst }));
    expect(String(early)).toMatch(/before the send was recorded as accepted/);
    await h.record(reports[0]!); // the host's retry of that report
    await h.record(reports[0]!); // and a duplicate
    expect(await h.requeued()).toHaveLength(1);
  });
});

function bind(l: DeliveryLedger): DeliveryLedger {
  return {
    claim: (...a) => l.claim(...a),
    refused: (...a) => l.refused(...a),
    release: (...a) => l.release(...a),
    pending: (...a) => l.pending(...a),
    plan: (...a) => l.plan(...a),
    claimFresh: (...a) => l.claimFresh(...a),
    accepted: (...a) => l.accepted(...a),
    handBack: (...a) => l.handBack(...a),
    findMessage: (...a) => l.findMessage(...a),
    recordReport: (...a) => l.recordReport(...a),
    outcomes: (...a) => l.outcomes(...a),
  };
}
