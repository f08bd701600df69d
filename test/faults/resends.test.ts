/**
 * Resends after a Failed report, against the accept recorded once per message: a resend is
 * planned under an id of its own generation, so the accepted-row of the person's earlier
 * message can never be read as the resend's. Real parts: the production ACS sender against
 * the local ACS, the ledger on Azurite, reports through the real use case.
 */
import { describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../shared/transport/transport.js';
import type { DeliveryLedger } from '../../shared/delivery/deliveryLedger.js';
import { REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';

const startFake = fakeAcsPerTest();

describe('resends', () => {
  for (const perPerson of [false, true]) {
    it(`${perPerson ? 'per person' : 'shared'}: a resend cut short by a 429, then by a crash before its send, still goes, once`, async () => {
      let t = Date.now();
      const now = () => t;
      const reports: DeliveryReportEvent[] = [];
      const fake = await startFake({ ...REAL_ACS_MODEL, now, reports: { sink: (e) => void reports.push(e) } });
      const h = await harness(fake, now);
      const [address] = addresses(1);
      const planned = items('s1', [address!]);
      const record = async () => {
        await fake.reportsSettled();
        for (const r of reports.splice(0)) await h.record(r);
      };

      // Sent alone (one recipient: the message has exactly the members a resend would have), then Failed.
      fake.failNextOperation('ServiceUnavailable');
      await deliver('s1', planned, h.options({ personal: perPerson }));
      await record();
      expect(await h.requeued(), 'the event is put back for the resend').toHaveLength(1);

      // The resend meets a 429 longer than the sender may wait: handed back untouched.
      fake.throttleNextSends(1, 30);
      await expect(deliver('s1', planned, h.options({ personal: perPerson }))).rejects.toBeInstanceOf(QuotaExceededError);
      t += 31_000;
      // The next pass dies after naming the resend's message on the row, before sending it.
      const dying: DeliveryLedger = Object.assign(Object.create(h.ledger) as DeliveryLedger, {
        plan: async (...args: Parameters<DeliveryLedger['plan']>) => {
          await h.ledger.plan(...args);
          throw new Error('worker killed after planning the resend');
        },
      });
      await expect(deliver('s1', planned, h.options({ personal: perPerson, ledger: dying }))).rejects.toThrow(/killed/);
      expect(fake.deliveries, 'nothing went yet').toHaveLength(0);
      expect(
        (await h.ledger.outcomes('s1')).map((o) => o.status),
        'not taken for the earlier, accepted message',
      ).toEqual(['claimed']);

      // Taken over once the lease is out: sent now, under an id no earlier send had.
      const counts = await deliver('s1', planned, h.options({ personal: perPerson, leaseMs: 0 }));
      expect(counts).toMatchObject({ sent: 1, alreadySent: 0 });
      expect(fake.deliveredTo(address!)).toBe(1);
      await record();
      const [outcome] = await h.ledger.outcomes('s1');
      expect([outcome!.status, outcome!.deliveryStatus, outcome!.resends]).toEqual(['accepted', 'Delivered', 1]);
      const firstId = planned[0]!.operationId;
      expect(outcome!.messageId).not.toBe(firstId);

      // Delivered again (a duplicate of the event): nothing more.
      expect(await deliver('s1', planned, h.options({ personal: perPerson, leaseMs: 0 }))).toMatchObject({ sent: 0, alreadySent: 1 });
      expect(fake.deliveredTo(address!)).toBe(1);
    });
  }

  it('Failed twice: each resend under its own id, then delivered once; past DELIVERY_REPORT_RESENDS it is given up and recorded', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake);
    const list = addresses(2);
    const planned = items('s2', list);
    const record = async () => {
      await fake.reportsSettled();
      for (const r of reports.splice(0)) await h.record(r);
    };
    const ids = () => fake.operationIds();

    fake.failNextOperation('ServiceUnavailable');
    await deliver('s2', planned, h.options());
    await record();
    // Both resend alone; the first of those fails again.
    fake.failNextOperation('ServiceUnavailable');
    await deliver('s2', planned, h.options());
    await record();
    expect(fake.deliveries).toHaveLength(1);
    await deliver('s2', planned, h.options());
    await record();
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    // The group's message, both first resends, the second resend: four operations, none met twice.
    expect(ids()).toHaveLength(4);
    const outcomes = (await h.ledger.outcomes('s2')).map((o) => [o.status, o.deliveryStatus, o.resends]).sort();
    expect(outcomes).toEqual([
      ['accepted', 'Delivered', 1],
      ['accepted', 'Delivered', 2],
    ]);

    // A third Failed in a row for one person (the harness allows 2 resends): recorded as failed, not sent again.
    const third = items('s3', addresses(1, 'bounce'));
    for (let i = 0; i < 3; i++) {
      fake.failNextOperation('ServiceUnavailable');
      await deliver('s3', third, h.options());
      await record();
    }
    const [gaveUp] = await h.ledger.outcomes('s3');
    expect([gaveUp!.status, gaveUp!.deliveryStatus, gaveUp!.resends]).toEqual(['failed', 'Failed', 2]);
    expect(await deliver('s3', third, h.options())).toMatchObject({ sent: 0 });
  });
});
