/**
 * The weekly digest on Azurite with the sample tenant (samples/README.md): counts with week
 * boundaries, time-zone offsets, duplicates and other scopes; top roles with ties;
 * recipients; idempotent reruns, overlapping runs and an interrupted run finishing later.
 */
import { TableClient } from '@azure/data-tables';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot, type DirectorySnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { RecordingTransport } from '../../dev/doubles/recordingTransport.js';
import { parseEventsText } from '../../dev/eventFile.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { parseIsoWeek } from '../../shared/time/isoWeek.js';
import { countWeek, planDigest, sendWeeklyDigest } from '../../shared/usecases/weeklyDigest.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const NOW = new Date('2026-11-23T08:00:00Z');
const W47 = parseIsoWeek('2026-W47');
const ADMIN_COUNT = 16; // PRA ∪ SA ∪ GA of the sample, each once (samples/README.md)

let events: PimEvent[];
let snapshot: DirectorySnapshot;
const cs = () => storageConnectionString();
const table = (p: string) => TableClient.fromConnectionString(cs(), uniqueTableName(p), { allowInsecureConnection: true });

beforeAll(async () => {
  events = parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => e.event);
  snapshot = (await loadSnapshot(fromPackageRoot('samples/contoso-directory.json'))).snapshot;
});

async function world(env: Record<string, string> = {}, snap: DirectorySnapshot = snapshot) {
  const activity = new TableActivityStore(table('Act'));
  const ledgerClient = table('Led');
  // Every event recorded twice, concurrently: redeliveries and concurrent writers.
  await Promise.all([...events, ...events].map((e) => activity.record(e)));
  return {
    directory: new SnapshotDirectory(snap, { clock: { now: () => NOW } }),
    activity,
    ledger: new TableDeliveryLedger(ledgerClient),
    /** The same ledger seen from later (claims older than the lease are taken over). */
    ledgerLater: new TableDeliveryLedger(ledgerClient, { now: () => new Date(Date.now() + 3_600_000) }),
    settings: loadSettings(env),
    log: () => {},
  };
}

describe('digest counts', () => {
  it('counts W47 exactly: boundaries, offsets, duplicates and Azure scopes handled', async () => {
    const w = await world();
    // evt-0001 (last second of W46) and evt-0028 (first instant of W48) are out; evt-0027
    // (00:30+01:00 on Monday = Sunday 23:30 UTC) is in; evt-0022 (Azure activation) does not count.
    expect(await countWeek(w.activity, snapshot.tenant.id, W47)).toEqual({
      usersActivated: 6,
      usersMadePermanent: 1,
      roleAssignmentsInPim: 2,
      roleAssignmentsOutsidePim: 1,
    });
    expect(await countWeek(w.activity, snapshot.tenant.id, parseIsoWeek('2026-W48'))).toEqual({
      usersActivated: 1,
      usersMadePermanent: 0,
      roleAssignmentsInPim: 1,
      roleAssignmentsOutsidePim: 0,
    });
  });

  it('compares with the week before and lists the top five roles, ties by name', async () => {
    const plan = await planDigest(W47, await world());
    expect(plan.previousTiles).toEqual({ usersActivated: 1, usersMadePermanent: 0, roleAssignmentsInPim: 0, roleAssignmentsOutsidePim: 0 });
    expect(plan.topRoles.map((r) => [r.displayName, r.permanent, r.eligible, r.total])).toEqual([
      ['Global Administrator', 2, 3, 5],
      ['Exchange Administrator', 1, 3, 4],
      ['Helpdesk Administrator', 2, 2, 4],
      ['Privileged Role Administrator', 1, 3, 4],
      ['Security Reader', 1, 2, 3],
    ]);
  });
});

describe('digest recipients', () => {
  it('PRA, SA and GA holders once each; extra recipients added; opted-out people left out', async () => {
    const plan = await planDigest(
      W47,
      await world({ DIGEST_EXTRA_RECIPIENTS: 'secops@contoso.com', DIGEST_OPT_OUT: 'Megan.Bowen@contoso.com; nestor.wilke@contoso.com' }),
    );
    const to = plan.emails.map((e) => e.recipient.address.toLowerCase());
    expect(to).toHaveLength(ADMIN_COUNT - 2 + 1);
    expect(new Set(to).size).toBe(to.length);
    expect(to).toContain('secops@contoso.com');
    expect(to).not.toContain('megan.bowen@contoso.com');
    expect(to).toContain('j.sherman@contoso.com'); // SA through three levels of groups, otherMails address
  });

  it('a tenant that has not enabled PIM gets no digest', async () => {
    const plan = await planDigest(W47, await world({}, { ...snapshot, tenant: { ...snapshot.tenant, pimEnabled: false } }));
    expect(plan.emails).toHaveLength(0);
  });
});

describe('digest delivery', () => {
  it('a rerun sends nothing; the email shows the week and the numbers', async () => {
    const w = await world();
    const sender = new RecordingTransport();
    expect(await sendWeeklyDigest(W47, { ...w, transport: sender })).toMatchObject({
      recipients: ADMIN_COUNT,
      sent: ADMIN_COUNT,
      alreadySent: 0,
    });
    expect(await sendWeeklyDigest(W47, { ...w, transport: sender })).toMatchObject({ sent: 0, alreadySent: ADMIN_COUNT });
    expect(sender.sent).toHaveLength(ADMIN_COUNT);
    expect(sender.sent[0]!.subject).toMatch(/^PIM: /);
    expect(sender.sent[0]!.text).toMatch(/Users activated\D+6/);
  });

  it('two overlapping runs send each person the digest once', async () => {
    const w = await world();
    const sender = new RecordingTransport();
    const results = await Promise.allSettled([
      sendWeeklyDigest(W47, { ...w, transport: sender }),
      sendWeeklyDigest(W47, { ...w, transport: sender }),
    ]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const to = sender.sent.map((e) => e.to.address.toLowerCase());
    expect(new Set(to).size).toBe(to.length);
    // Whatever the overlap left busy, a retry after the lease completes it without duplicates.
    await sendWeeklyDigest(W47, { ...w, ledger: w.ledgerLater, transport: sender });
    expect(new Set(sender.sent.map((e) => e.to.address.toLowerCase())).size).toBe(ADMIN_COUNT);
    expect(sender.sent).toHaveLength(ADMIN_COUNT);
  });

  it('a run interrupted after some recipients finishes the rest on the next try, sending nobody twice', async () => {
    const w = await world();
    const flaky = new RecordingTransport({ failAfter: 5 });
    await expect(sendWeeklyDigest(W47, { ...w, transport: flaky })).rejects.toThrow(/injected/);
    expect(flaky.sent).toHaveLength(5);
    const healthy = new RecordingTransport();
    const outcome = await sendWeeklyDigest(W47, { ...w, transport: healthy });
    expect(outcome).toMatchObject({ sent: ADMIN_COUNT - 5, alreadySent: 5 });
    const everyone = [...flaky.sent, ...healthy.sent].map((e) => e.to.address.toLowerCase());
    expect(new Set(everyone).size).toBe(ADMIN_COUNT);
    expect(everyone).toHaveLength(ADMIN_COUNT);
  });
});
