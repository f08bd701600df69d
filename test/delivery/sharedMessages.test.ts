/**
 * Shared messages whichever way ACS treats `to: []` (the spec requires `to` and says nothing of
 * an empty one; the local ACS is switched between taking and refusing it, fakeAcsContract.ts):
 *   - taken: one message per content, everyone in Bcc, as before;
 *   - refused: nothing lost, nothing sent twice: the refused messages' people get their own
 *     messages, the process stays per person, and the fallback is logged once;
 *   - with EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS the operator's address goes in To and the
 *     shared messages go through either way; its own delivery reports change nothing.
 */
import { describe, expect, it } from 'vitest';
import { REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';
import type { DeliveryLedger } from '../../shared/delivery/deliveryLedger.js';

const startFake = fakeAcsPerTest();
const UNDISCLOSED = 'pim-undisclosed@contoso.example';
const fallbackLines = (logs: string[]) => logs.filter((l) => /from now on this process sends everyone their own message/.test(l));

describe('shared messages and an empty To', () => {
  it('ACS takes to: [] → one Bcc message per content, To empty', async () => {
    const fake = await startFake({ ...REAL_ACS_MODEL, emptyTo: 'accept' });
    const h = await harness(fake);
    const list = addresses(12);
    expect(await deliver('a1', items('a1', list), h.options())).toEqual({ sent: 12, alreadySent: 0, failed: 0, messages: 1 });
    expect(fake.deliveries[0]!.message.recipients.to).toEqual([]);
    expect(fallbackLines(h.logs)).toHaveLength(0);
  });

  it('ACS refuses to: [] → each refused message goes per person, once, logged once; the process stays per person', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, emptyTo: 'refuse', reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake);
    // Two reason lines, 60 people: four shared messages (50 + 10 per reason would not fit; 30 + 30), all refused.
    const list = addresses(60);
    const reason = (_a: string, i: number) => (i % 2 === 0 ? 'as a Global Administrator' : 'as an approver');
    const counts = await deliver('r1', items('r1', list, reason), h.options());

    expect(counts).toEqual({ sent: 60, alreadySent: 0, failed: 0, messages: 60 });
    const refused = fake.requests.filter((r) => r.method === 'POST' && r.status === 400);
    expect(refused).toHaveLength(2);
    for (const a of list) expect(fake.deliveredTo(a), a).toBe(1);
    for (const d of fake.deliveries) expect(d.message.recipients.to).toHaveLength(1);
    expect(fallbackLines(h.logs), 'one line however many messages were refused').toHaveLength(1);
    expect(h.transport.maxRecipients).toBe(1);

    // The same event again sends nothing; a new one goes per person at once, with no refusal first.
    expect(await deliver('r1', items('r1', list, reason), h.options())).toMatchObject({ sent: 0, alreadySent: 60 });
    await deliver('r2', items('r2', addresses(5, 'other')), h.options());
    expect(fake.requests.filter((r) => r.method === 'POST' && r.status === 400)).toHaveLength(2);
    expect(fake.deliveries).toHaveLength(65);
    expect(fallbackLines(h.logs)).toHaveLength(1);

    // Every person's report lands on their row.
    await fake.reportsSettled();
    for (const r of reports) await h.record(r);
    expect((await h.ledger.outcomes('r1')).map((o) => `${o.status}/${o.deliveryStatus}`)).toEqual(Array(60).fill('accepted/Delivered'));
  });

  it('a refusal whose per-person plan cannot be written hands the rows back: the retry sends each once', async () => {
    const fake = await startFake({ emptyTo: 'refuse' });
    const h = await harness(fake);
    let failPlan = true;
    const flaky: DeliveryLedger = Object.assign(Object.create(Object.getPrototypeOf(h.ledger) as object) as DeliveryLedger, h.ledger, {
      plan: async (...args: Parameters<DeliveryLedger['plan']>) => {
        if (failPlan) {
          failPlan = false;
          throw new Error('storage unavailable');
        }
        return h.ledger.plan(...args);
      },
    });
    const list = addresses(4);
    await expect(deliver('p1', items('p1', list), h.options({ ledger: flaky }))).rejects.toThrow(/storage unavailable/);
    expect(fake.deliveries).toHaveLength(0);
    expect(await deliver('p1', items('p1', list), h.options())).toMatchObject({ sent: 4, failed: 0 });
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
  });

  it('after the fallback, a Failed report resends that person alone, once', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ emptyTo: 'refuse', reports: { sink: (e) => void reports.push(e) } });
    const h = await harness(fake);
    const list = addresses(3);
    fake.failNextOperation('EmailDropped');
    await deliver('f1', items('f1', list), h.options());
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    expect(await h.requeued()).toHaveLength(1);
    // The requeued event delivers again: only the failed person is sent to.
    await deliver('f1', items('f1', list), h.options());
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    expect((await h.ledger.outcomes('f1')).map((o) => o.deliveryStatus)).toEqual(Array(3).fill('Delivered'));
  });

  for (const emptyTo of ['accept', 'refuse'] as const) {
    it(`EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS in To, everyone else in Bcc, 49 a message (ACS ${emptyTo}s to: [])`, async () => {
      const reports: DeliveryReportEvent[] = [];
      const fake = await startFake({ ...REAL_ACS_MODEL, emptyTo, reports: { sink: (e) => void reports.push(e) } });
      const h = await harness(fake, undefined, 200, { EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS: UNDISCLOSED });
      const list = addresses(60);
      expect(await deliver('u1', items('u1', list), h.options())).toEqual({ sent: 60, alreadySent: 0, failed: 0, messages: 2 });
      for (const d of fake.deliveries) {
        expect(d.message.recipients.to).toEqual([{ address: UNDISCLOSED }]);
        expect(d.message.recipients.bcc?.map((r) => r.address)).not.toContain(UNDISCLOSED);
      }
      expect(fake.deliveries.map((d) => d.message.recipients.bcc?.length).sort()).toEqual([11, 49]);
      for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
      expect(fallbackLines(h.logs)).toHaveLength(0);

      // ACS reports the undisclosed address too: ignored, every person's own report recorded.
      await fake.reportsSettled();
      expect(reports.filter((r) => r.data.recipient === UNDISCLOSED)).toHaveLength(2);
      for (const r of reports) await h.record(r);
      expect((await h.ledger.outcomes('u1')).map((o) => o.deliveryStatus)).toEqual(Array(60).fill('Delivered'));
    });
  }
});
