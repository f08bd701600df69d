/**
 * Delivery reports as Microsoft writes them (test/fixtures/microsoft/eventgrid/): the Event
 * Grid examples spell the attempt's time `deliveryAttemptTimeStamp` and one of them the status
 * `delivered`; the spec's definition spells `deliveryAttemptTimestamp` and `Delivered`. Every
 * spelling is read, and a status arrives in one spelling whatever its casing, so a lower-case
 * `failed` is resent like `Failed` and a lower-case `bounced` reported like `Bounced`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { parseDeliveryReports } from '../../shared/events/deliveryReportSchema.js';
import { REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';

const startFake = fakeAcsPerTest();

const example = (file: string): unknown => JSON.parse(readFileSync(fromPackageRoot(`test/fixtures/microsoft/eventgrid/${file}`), 'utf8'));

describe('delivery reports as Microsoft spells them', () => {
  it("reads the learn page's example: its event, deliveryAttemptTimeStamp as the report's time, not the publish time; the array itself is no queue message", () => {
    // The page shows the events as an array, as Event Grid posts them to a webhook; a storage queue gets each event as a message of its own.
    const asPosted = example('emailDeliveryReportReceived.json') as unknown[];
    const refused = parseDeliveryReports(asPosted);
    expect(refused.kind === 'invalid' && refused.error.message).toMatch(/one event per storage queue message/);
    const parsed = parseDeliveryReports(asPosted[0]);
    expect(parsed.kind).toBe('valid');
    const [event] = parsed.kind === 'valid' ? parsed.events : [];
    expect(event?.data.deliveryAttemptTimestamp).toBe('2026-03-02T09:14:31.4419273+00:00');
    expect(event?.data.status).toBe('Delivered');
  });

  it("reads the spec's Event Grid example: lower-case status in the definition's spelling", () => {
    const parsed = parseDeliveryReports(JSON.stringify(example('emailDeliveryReportReceivedLowerCase.json')));
    const [event] = parsed.kind === 'valid' ? parsed.events : [];
    expect(event?.data).toMatchObject({ status: 'Delivered', deliveryAttemptTimestamp: '2026-03-02T09:14:35.1180422+00:00' });
  });

  it("reads the definition's spelling too, and any casing of the event type", () => {
    const base = example('emailDeliveryReportReceivedLowerCase.json') as DeliveryReportEvent;
    const { deliveryAttemptTimeStamp, ...data } = base.data;
    const parsed = parseDeliveryReports({
      ...base,
      eventType: 'microsoft.communication.emaildeliveryreportreceived',
      data: { ...data, status: 'FILTEREDSPAM', deliveryAttemptTimestamp: deliveryAttemptTimeStamp },
    });
    const [event] = parsed.kind === 'valid' ? parsed.events : [];
    expect(event?.eventType).toBe('Microsoft.Communication.EmailDeliveryReportReceived');
    expect(event?.data).toMatchObject({ status: 'FilteredSpam', deliveryAttemptTimestamp: '2026-03-02T09:14:35.1180422+00:00' });
  });

  it('lower-case reports from the local Event Grid: delivered recorded as Delivered, failed resent, bounced reported', async () => {
    const reports: DeliveryReportEvent[] = [];
    const fake = await startFake({
      ...REAL_ACS_MODEL,
      reports: { sink: (e) => void reports.push(e), style: { statusCase: 'lower' } },
    });
    const h = await harness(fake);
    const list = addresses(3);
    fake.bounce(list[2]!, 'Bounced');
    await deliver('lc1', items('lc1', list.slice(0, 1)), h.options({ personal: true }));
    fake.failNextOperation('EmailDropped');
    await deliver('lc1', items('lc1', list.slice(1)), h.options({ personal: true }));
    await fake.reportsSettled();
    expect(reports.map((r) => r.data.status).sort()).toEqual(['bounced', 'delivered', 'failed']);
    expect(reports.every((r) => r.data.deliveryAttemptTimeStamp && !r.data.deliveryAttemptTimestamp)).toBe(true);
    for (const r of reports) await h.record(r);

    const byStatus = (await h.ledger.outcomes('lc1')).map((o) => o.deliveryStatus).sort();
    expect(byStatus).toEqual(['Bounced', 'Delivered', 'Failed']);
    expect(await h.requeued(), 'the lower-case failed is resent').toHaveLength(1);
    expect(h.logs.filter((l) => /^error: .*ACS reported Bounced/.test(l))).toHaveLength(1);
  });
});
