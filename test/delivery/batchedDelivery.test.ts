/**
 * Batched delivery (the one path) against the local ACS in its real-service model
 * (operations Running for 2 s, non-zero retry-after, delivery reports): one message per
 * identical content with up to 50 in Bcc, done at ACS's 202 without a single status read, and
 * every recipient's outcome recorded from the reports.
 */
import { AUTOMATED_MESSAGE_HEADERS } from '../../shared/transport/transport.js';
import { describe, expect, it } from 'vitest';
import { REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';

const startFake = fakeAcsPerTest();

describe('batched delivery', () => {
  it('sends identical emails as one Bcc message, accepted without polling, and records each Delivered report', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e), delayMs: 10 } });
    const h = await harness(fake);
    const list = addresses(16);
    const counts = await deliver('e1', items('e1', list), h.options());

    expect(counts).toEqual({ sent: 16, alreadySent: 0, failed: 0, messages: 1 });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.count('GET', '/emails/operations'), 'no status read on the happy path').toBe(0);
    const [delivery] = fake.deliveries;
    expect(delivery!.message.recipients.to ?? []).toEqual([]);
    expect(delivery!.message.recipients.bcc?.map((r) => r.address).sort()).toEqual([...list].sort());
    expect(delivery!.message.userEngagementTrackingDisabled).toBe(true);
    expect((await h.ledger.outcomes('e1')).map((o) => o.status)).toEqual(Array(16).fill('accepted'));

    await fake.reportsSettled();
    for (const r of reports) await h.record(r);
    const outcomes = await h.ledger.outcomes('e1');
    expect(outcomes.map((o) => o.deliveryStatus)).toEqual(Array(16).fill('Delivered'));
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
  });

  it('groups by what differs: one message per reason line, at most 50 recipients each', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const list = addresses(120);
    const counts = await deliver(
      'e2',
      items('e2', list, (_a, i) => (i % 2 === 0 ? 'as a Global Administrator' : 'as an approver')),
      h.options(),
    );

    expect(counts.sent).toBe(120);
    // 60 per reason line → 50 + 10 each.
    expect(fake.deliveries.map((d) => d.message.recipients.bcc?.length).sort((a, b) => a! - b!)).toEqual([10, 10, 50, 50]);
    for (const a of list) expect(fake.deliveredTo(a)).toBe(1);
    // The same plan gives the same ids: a redelivered message sends nothing.
    expect(
      await deliver(
        'e2',
        items('e2', list, (_a, i) => (i % 2 === 0 ? 'as a Global Administrator' : 'as an approver')),
        h.options(),
      ),
    ).toEqual({
      sent: 0,
      alreadySent: 120,
      failed: 0,
      messages: 0,
    });
    expect(fake.deliveries).toHaveLength(4);
  });

  it('per-person sending: everyone their own message, in To, under their own operation id', async () => {
    const fake = await startFake(REAL_ACS_MODEL);
    const h = await harness(fake);
    const planned = items('e3', addresses(5));
    await deliver('e3', planned, h.options({ personal: true }));
    expect(fake.deliveries.map((d) => d.operationId).sort()).toEqual(planned.map((p) => p.operationId).sort());
    for (const d of fake.deliveries) {
      expect(d.message.recipients.to).toHaveLength(1);
      expect(d.message.recipients.bcc).toBeUndefined();
    }
  });

  it('keeps headers all emails of a message share and leaves per-email ones to ACS', async () => {
    const fake = await startFake();
    const h = await harness(fake);
    const planned = items('e4', addresses(3)).map((p, i) => ({
      ...p,
      email: { ...p.email, headers: { ...p.email.headers, 'X-Per-Recipient': `r${i}` } },
    }));
    await deliver('e4', planned, h.options());
    expect(fake.deliveries[0]!.message.headers).toEqual({
      'X-PIM-Event-Id': 'e4',
      'X-PIM-Notification': 'activationCompleted',
      ...AUTOMATED_MESSAGE_HEADERS,
    });
  });
});
