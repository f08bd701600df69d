/**
 * A report is acted on only when it is Event Grid's (events/reportEvidence.ts): each forged
 * report the hostile run wrote onto the delivery-reports queue by hand is refused with its
 * reason (the function then poisons it) and causes no email; the real report after it still
 * does what it must.
 */
import { describe, expect, it } from 'vitest';
import { recordDeliveryReport, type ReportDeps } from '../../shared/usecases/deliveryReports.js';
import { LOCAL_ACS_RESOURCE_ID, deliveryReportEvent } from '../support/fakeAcsReports.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';
import { systemClock } from '../../shared/time/clock.js';

const startFake = fakeAcsPerTest();

async function sentOne() {
  const fake = await startFake();
  const h = await harness(fake);
  const requeued: string[] = [];
  const deps: ReportDeps = {
    ledger: h.ledger,
    events: { send: async () => {}, later: async (text) => void requeued.push(String(text)) },
    settings: { DELIVERY_REPORT_RESENDS: 2, ACS_RESOURCE_ID: LOCAL_ACS_RESOURCE_ID },
    clock: systemClock,
    log: () => {},
  };
  await deliver('f1', items('f1', addresses(1)), h.options({ personal: true }));
  const messageId = fake.deliveries[0]!.operationId;
  const report = (status: 'Failed' | 'Delivered', at = new Date()) =>
    deliveryReportEvent({ sender: 'DoNotReply@contoso.example', recipient: 'admin0@contoso.example', messageId, status, at });
  return { h, deps, requeued, report, messageId };
}

const reasonOf = (o: Awaited<ReturnType<typeof recordDeliveryReport>>) =>
  o.kind === 'invalid' ? o.error.message : `not refused: ${JSON.stringify(o)}`;

describe('forged delivery reports', () => {
  it('a Failed report from another ACS resource (topic) is refused and resends nothing', async () => {
    const { deps, requeued, report } = await sentOne();
    const forged = { ...report('Failed'), topic: LOCAL_ACS_RESOURCE_ID.replace('acs-local', 'acs-elsewhere') };
    expect(reasonOf(await recordDeliveryReport(forged, deps))).toMatch(/topic: is not the configured ACS resource/);
    expect(requeued).toEqual([]);
  });

  it('one queue message holding a JSON array of 15 Failed reports is refused whole: no resend', async () => {
    const { deps, requeued, report } = await sentOne();
    const batch = JSON.stringify(Array.from({ length: 15 }, () => report('Failed')));
    expect(reasonOf(await recordDeliveryReport(batch, deps))).toMatch(
      /array of 15 events: Event Grid writes one event per storage queue message/,
    );
    expect(requeued).toEqual([]);
  });

  it('a Delivered dated 9999-12-31 is refused, so the real Failed after it still resends', async () => {
    const { deps, requeued, report, h } = await sentOne();
    const future = report('Delivered', new Date('9999-12-31T00:00:00Z'));
    expect(reasonOf(await recordDeliveryReport(future, deps))).toMatch(/in the future/);
    const ancient = report('Delivered', new Date(Date.now() - 9 * 24 * 3_600_000));
    expect(reasonOf(await recordDeliveryReport(ancient, deps))).toMatch(/older than a report can be/);
    expect(await recordDeliveryReport(report('Failed'), deps)).toMatchObject({ kind: 'done', recorded: 1, resends: 1 });
    expect(requeued).toHaveLength(1);
    expect((await h.ledger.outcomes('f1'))[0]).toMatchObject({ deliveryStatus: 'Failed', resends: 1 });
  });

  it('a UTF-8 BOM before a real report does not poison it (the events queue accepts one too)', async () => {
    const { deps, report } = await sentOne();
    expect(await recordDeliveryReport(`\uFEFF${JSON.stringify(report('Delivered'))}`, deps)).toMatchObject({ kind: 'done', recorded: 1 });
  });

  it('a report for a recipient the message was not sent to, or with another subject, or without the envelope Event Grid writes, is refused', async () => {
    const { deps, requeued, report } = await sentOne();
    const real = report('Failed');
    expect(reasonOf(await recordDeliveryReport({ ...real, data: { ...real.data, recipient: 'mallory@contoso.example' } }, deps))).toMatch(
      /data.recipient: was not sent that message/,
    );
    expect(reasonOf(await recordDeliveryReport({ ...real, subject: 'sender/x/message/other' }, deps))).toMatch(/subject/);
    const { metadataVersion: _m, topic: _t, ...bare } = real;
    expect(reasonOf(await recordDeliveryReport(bare, deps))).toMatch(/topic.*metadataVersion|metadataVersion.*topic/);
    expect(requeued).toEqual([]);
  });

  it('without ACS_RESOURCE_ID a report is recorded but never acted on', async () => {
    const { deps, requeued, report, h } = await sentOne();
    const logs: string[] = [];
    const outcome = await recordDeliveryReport(report('Failed'), {
      ...deps,
      settings: { DELIVERY_REPORT_RESENDS: 2 },
      log: (_l, m) => void logs.push(m),
    });
    expect(outcome).toMatchObject({ kind: 'done', recorded: 1, resends: 0 });
    expect(requeued).toEqual([]);
    expect(logs.join('\n')).toMatch(/not acted on: ACS_RESOURCE_ID is not set/);
    expect((await h.ledger.outcomes('f1'))[0]).toMatchObject({ deliveryStatus: 'Failed', status: 'failed' });
  });

  it('resends stay capped per recipient however many Failed reports come: DELIVERY_REPORT_RESENDS', async () => {
    const { deps, requeued, report } = await sentOne();
    // Each forged Failed is about the first message only: once a resend is planned under a new id, reports of the old one are stale.
    for (let i = 0; i < 5; i++) await recordDeliveryReport(report('Failed', new Date(Date.now() + i)), deps);
    expect(requeued.length).toBeLessThanOrEqual(1);
  });
});
