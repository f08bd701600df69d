/**
 * The weekly digest and the held-back summary go the one delivery path the notifications take:
 * through the production ACS transport against the local ACS (real-service model: operations
 * stay Running, reports come through Event Grid's shape), accepted at the 202 and never polled,
 * their delivery reports recorded on their own ledger rows by the deliveryReports use case.
 */
import { readFile } from 'node:fs/promises';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { MemoryRateLimit } from '../../dev/doubles/memoryRateLimit.js';
import { recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { loadSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { parseEventsText } from '../../dev/eventFile.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { HELD_ADDRESS, HELD_WINDOW_START, holdTwoOfThree } from '../support/heldBack.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { parseIsoWeek } from '../../shared/time/isoWeek.js';
import { digestLedgerId, sendWeeklyDigest } from '../../shared/usecases/weeklyDigest.js';
import { CLOCK_GRACE_MS, heldBackLedgerId, sendHeldBackSummaries } from '../../shared/usecases/heldBackSummary.js';
import { REAL_ACS_MODEL, type DeliveryReportEvent } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { harness } from '../support/delivery.js';

const startFake = fakeAcsPerTest();
const NOW = new Date('2026-11-23T08:00:00Z');
const W47 = parseIsoWeek('2026-W47');
/** PRA ∪ SA ∪ GA of the sample tenant, each once (samples/README.md). */
const ADMIN_COUNT = 16;

async function sampleDirectory(): Promise<SnapshotDirectory> {
  return new SnapshotDirectory((await loadSnapshot(fromPackageRoot('samples/contoso-directory.json'))).snapshot, {
    clock: { now: () => NOW },
  });
}

/** The production ACS transport and the ledger on Azurite; the reports ACS sends, recorded by the deliveryReports use case on request. */
async function acsWithReports() {
  const reports: DeliveryReportEvent[] = [];
  const fake = await startFake({ ...REAL_ACS_MODEL, reports: { sink: (e) => void reports.push(e) } });
  const h = await harness(fake);
  const recordReports = async () => {
    await fake.reportsSettled();
    for (const r of reports.splice(0)) await h.record(r);
  };
  return { fake, h, recordReports };
}

const activityStore = () =>
  new TableActivityStore(
    TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Act'), { allowInsecureConnection: true }),
  );

describe('the digest and the held-back summary through the one delivery path', () => {
  it('the digest: one accepted message per admin, no status read, every delivery report recorded on its row', async () => {
    const { fake, h, recordReports } = await acsWithReports();
    const directory = await sampleDirectory();
    const activity = activityStore();
    const events = parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => e.event);
    for (const e of events) await activity.record(e);
    const bounced = 'megan.bowen@contoso.com';
    fake.bounce(bounced, 'Bounced');

    const outcome = await sendWeeklyDigest(W47, {
      directory,
      activity,
      transport: h.transport,
      ledger: h.ledger,
      settings: loadSettings({}),
      log: () => {},
    });
    expect(outcome).toMatchObject({ kind: 'done', recipients: ADMIN_COUNT, sent: ADMIN_COUNT, alreadySent: 0, failed: 0 });
    expect(fake.deliveries, 'each admin their own message').toHaveLength(ADMIN_COUNT);
    expect(fake.deliveries.every((d) => d.message.recipients.to?.length === 1 && !d.message.recipients.bcc?.length)).toBe(true);
    expect(fake.count('GET', '/emails/operations'), 'accepted at the 202: no status read').toBe(0);

    await recordReports();
    const tenantId = (await directory.tenant()).id;
    const outcomes = await h.ledger.outcomes(digestLedgerId(tenantId, W47));
    expect(outcomes).toHaveLength(ADMIN_COUNT);
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    const byKey = new Map(outcomes.map((o) => [o.key, o.deliveryStatus]));
    expect(byKey.get(recipientKey(bounced))).toBe('Bounced');
    expect([...byKey.values()].filter((s) => s === 'Delivered')).toHaveLength(ADMIN_COUNT - 1);
    expect(
      h.logs.some((l) => /^error: .*Bounced/.test(l)),
      'the bounce is reported',
    ).toBe(true);

    // A rerun of the week sends nobody anything.
    expect(
      await sendWeeklyDigest(W47, {
        directory,
        activity,
        transport: h.transport,
        ledger: h.ledger,
        settings: loadSettings({}),
        log: () => {},
      }),
    ).toMatchObject({
      sent: 0,
      alreadySent: ADMIN_COUNT,
    });
    expect(fake.deliveries).toHaveLength(ADMIN_COUNT);
  });

  it('a digest that ACS fails is recorded failed from its report, logged, and not put back on the events queue', async () => {
    const { fake, h, recordReports } = await acsWithReports();
    const directory = await sampleDirectory();
    const activity = activityStore();
    fake.failNextOperation('ServiceUnavailable');
    await sendWeeklyDigest(W47, {
      directory,
      activity,
      transport: h.transport,
      ledger: h.ledger,
      settings: { ...loadSettings({}), EMAIL_SEND_CONCURRENCY: 1 },
      log: () => {},
    });
    await recordReports();
    const outcomes = await h.ledger.outcomes(digestLedgerId((await directory.tenant()).id, W47));
    expect(outcomes.filter((o) => o.status === 'failed' && o.deliveryStatus === 'Failed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.deliveryStatus === 'Delivered')).toHaveLength(ADMIN_COUNT - 1);
    expect(await h.requeued(), 'no event to put back').toHaveLength(0);
    expect(h.logs.some((l) => /^error: .*Failed; not sent again, as no event is kept/.test(l))).toBe(true);
  });

  it('the held-back summary: accepted, no status read, its report recorded on its row', async () => {
    const { fake, h, recordReports } = await acsWithReports();
    const windowStart = HELD_WINDOW_START;
    const rateLimit = new MemoryRateLimit({ now: () => new Date(windowStart.getTime() + 30 * 60_000) });
    const address = HELD_ADDRESS;
    await holdTwoOfThree(rateLimit);
    const [due] = await rateLimit.dueSummaries(new Date(8.64e15));
    const after = new Date(windowStart.getTime() + 3_600_000 + CLOCK_GRACE_MS + 1);
    const outcome = await sendHeldBackSummaries(after, {
      rateLimit,
      directory: await sampleDirectory(),
      transport: h.transport,
      ledger: h.ledger,
      settings: loadSettings({}),
      log: () => {},
    });
    expect(outcome).toMatchObject({ kind: 'done', windows: 1, sent: 1, listed: 2 });
    expect(fake.deliveredTo(address)).toBe(1);
    expect(fake.count('GET', '/emails/operations')).toBe(0);

    await recordReports();
    const [row] = await h.ledger.outcomes(heldBackLedgerId(due!));
    expect(row).toMatchObject({ key: recipientKey(address), status: 'accepted', deliveryStatus: 'Delivered' });
  });
});
