/**
 * Issue 13, item 11: a flood of events cannot flood inboxes. 2,000 forged but valid events to
 * the same admins go through the real use case (SnapshotDirectory, rules, templates) with the
 * rate limit on Azurite, handled by two workers at once, each with its own table client and
 * cache, as two instances would be. The activity, ledger and registry are the in-memory
 * doubles here (Azurite on a shared machine cannot take 2 × 2,000 events through every table
 * in a test's time); the smaller flood at the end runs every table on Azurite. The sender is
 * in-process: it records what would go out.
 */
import { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { RecordingTransport } from '../../dev/doubles/recordingTransport.js';
import type { OutgoingEmail } from '../../shared/render/email.js';
import { MemoryEventsQueue } from '../../dev/doubles/memoryEventsQueue.js';
import { UncheckedConfirmer } from '../../shared/confirm/uncheckedConfirmer.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { MemoryActivityStore } from '../../dev/doubles/memoryActivityStore.js';
import { MemoryDeliveryLedger } from '../../dev/doubles/memoryDeliveryLedger.js';
import { MemoryEventRegistry } from '../../dev/doubles/memoryEventRegistry.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { TableEventRegistry } from '../../shared/delivery/tableEventRegistry.js';
import { TableRateLimit } from '../../shared/rateLimit/tableRateLimit.js';
import { notifyEvent, type NotifyDeps, type NotifyOutcome } from '../../shared/usecases/notify.js';
import { sendHeldBackSummaries } from '../../shared/usecases/heldBackSummary.js';
import { isoWeekOf } from '../../shared/time/isoWeek.js';
import { EXCHANGE_ADMIN, TENANT, approval, directoryOf, event, mail, uid } from '../support/recipientTenant.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const LIMIT = 20;
/** Inside one rate window (06:00–07:00 UTC); the summary runs after it closed. */
const DURING = new Date('2026-12-01T06:10:00Z');
const AFTER = new Date('2026-12-01T07:05:00Z');

// u1 requests and activates; u2 (Global Administrator) and u3 (Security Administrator) are the
// admins who hear of every activation and the approvers of every request.
const directory = directoryOf({
  users: 3,
  directory: { [ROLE.globalAdministrator]: [{ id: uid(2) }], [ROLE.securityAdministrator]: [{ id: uid(3) }] },
  policies: { [EXCHANGE_ADMIN]: [approval([{ user: uid(2) }, { user: uid(3) }])] },
});

const rateTable = uniqueTableName('Rate');
let clock = DURING;
const settings = loadSettings({ RECIPIENT_RATE_LIMIT: String(LIMIT), RECIPIENT_RATE_WINDOW_MINUTES: '60' });
const sender = new RecordingTransport();
const unchecked = new UncheckedConfirmer('the test directory holds no PIM requests to compare with', false);
const shared = {
  activity: new MemoryActivityStore(),
  ledger: new MemoryDeliveryLedger({ now: () => clock }),
  registry: new MemoryEventRegistry(),
};

/** One worker: its own client on the rate table (and its own cache), as another instance would have. */
function worker(): NotifyDeps & { rateLimit: TableRateLimit; activity: MemoryActivityStore } {
  const client = TableClient.fromConnectionString(storageConnectionString(), rateTable, { allowInsecureConnection: true });
  return {
    directory,
    transport: sender,
    events: new MemoryEventsQueue(),
    confirmer: unchecked,
    ...shared,
    rateLimit: new TableRateLimit(client, { now: () => clock }),
    settings,
    clock: { now: () => clock },
    log: () => {},
  };
}
const workers = [worker(), worker()];

/** Events spread over both workers, each taking several at once. */
async function deliver(events: PimEvent[], shift = 0, pool: NotifyDeps[] = workers): Promise<NotifyOutcome[]> {
  const outcomes: NotifyOutcome[] = [];
  let next = 0;
  const run = async (deps: NotifyDeps) => {
    for (let e = events[next++]; e; e = events[next++]) outcomes.push(await notifyEvent(e, deps));
  };
  await Promise.all(Array.from({ length: 8 }, (_, i) => run(pool[(i + shift) % pool.length]!)));
  return outcomes;
}

const minute = (i: number) => new Date(DURING.getTime() - 3_600_000 + i * 1_000).toISOString();
const flood: PimEvent[] = Array.from({ length: 2_000 }, (_, i) => {
  const type = i % 10 === 0 ? 'activationPendingApproval' : i % 10 === 5 ? 'approvalReminder' : 'activationCompleted';
  return event({
    id: `flood-${i}`,
    type,
    occurredAt: minute(i),
    principal: { id: uid(1), type: 'user' },
    request: { id: `req-${i}`, createdDateTime: minute(i) },
  });
});
const ACTIONABLE = flood.filter((e) => e.type !== 'activationCompleted').length;
const INFORMATIONAL = flood.length - ACTIONABLE;

const byPerson = (emails: OutgoingEmail[]) => {
  const out: Record<string, Record<string, number>> = {};
  for (const e of emails) {
    const person = (out[e.to.address] ??= {});
    person[e.notification] = (person[e.notification] ?? 0) + 1;
  }
  return out;
};

let first: NotifyOutcome[];

beforeAll(async () => {
  first = await deliver(flood);
}, 120_000);

describe('a flood of 2,000 events to the same admins', () => {
  it('sends each person at most the limit of informational emails; every approval request and reminder goes out', () => {
    expect(first.every((o) => o.kind === 'done')).toBe(true);
    expect(byPerson(sender.sent)).toEqual({
      [mail(1)]: { activationNotice: LIMIT },
      [mail(2)]: { activationAlert: LIMIT, approvalRequest: ACTIONABLE / 2, approvalReminder: ACTIONABLE / 2 },
      [mail(3)]: { activationAlert: LIMIT, approvalRequest: ACTIONABLE / 2, approvalReminder: ACTIONABLE / 2 },
    });
  });

  it('loses nothing: every email not sent is recorded as held back, for its person and window', async () => {
    const held = first.reduce((n, o) => n + (o.kind === 'done' ? o.held : 0), 0);
    expect(held).toBe(3 * (INFORMATIONAL - LIMIT));
    const due = await workers[0]!.rateLimit.dueSummaries(AFTER);
    expect(due.map((d) => d.address).sort()).toEqual([mail(1), mail(2), mail(3)]);
    for (const d of due) {
      expect(d).toMatchObject({ windowStart: '2026-12-01T06:00:00.000Z', windowEnd: '2026-12-01T07:00:00.000Z' });
      const items = await workers[1]!.rateLimit.heldIn(d);
      expect(items).toHaveLength(INFORMATIONAL - LIMIT);
      expect(new Set(items.map((i) => i.eventId)).size).toBe(items.length);
      // Held back + sent = every informational email the person was due.
      const sentIds = sender.sent
        .filter((s) => s.to.address === d.address && !/approval/.test(s.notification))
        .map((s) => s.headers?.['X-PIM-Event-Id']);
      expect(new Set([...sentIds, ...items.map((i) => i.eventId)]).size).toBe(INFORMATIONAL);
    }
  });

  it('still counts every event for the digest (the activity table records events, not emails)', async () => {
    let rows = 0;
    for await (const row of workers[0]!.activity.week(TENANT, isoWeekOf(DURING.toISOString()).id)) if (row) rows++;
    expect(rows).toBe(flood.length);
  });

  it('redelivering the same 2,000 events, to the other worker, sends nothing more and holds nothing twice', async () => {
    const before = sender.sent.length;
    const again = await deliver(flood, 1);
    expect(sender.sent.length).toBe(before);
    expect(again.every((o) => o.kind === 'done' && o.sent === 0)).toBe(true);
    for (const d of await workers[0]!.rateLimit.dueSummaries(AFTER))
      expect(await workers[0]!.rateLimit.heldIn(d)).toHaveLength(INFORMATIONAL - LIMIT);
  }, 120_000);

  it('sends each person one summary once the window has closed, listing what was held back, exactly once', async () => {
    const deps = { ...workers[0]!, settings };
    const before = sender.sent.length;
    clock = DURING;
    expect(await sendHeldBackSummaries(DURING, deps)).toMatchObject({ windows: 0, sent: 0 });
    clock = AFTER;
    const [a, b] = await Promise.all([sendHeldBackSummaries(AFTER, deps), sendHeldBackSummaries(AFTER, { ...workers[1]!, settings })]);
    const summaries = sender.sent.slice(before);
    expect(summaries.map((s) => s.to.address).sort()).toEqual([mail(1), mail(2), mail(3)]);
    expect(a.sent + b.sent).toBe(3);
    for (const s of summaries) {
      expect(s.notification).toBe('heldBackSummary');
      expect(s.subject).toBe(
        `PIM: ${INFORMATIONAL - LIMIT} more notifications were held back between Tue 1 Dec 2026 06:00 UTC and Tue 1 Dec 2026 07:00 UTC`,
      );
      // Listed by the directory's names: what, which role on which scope, who.
      const what = s.to.address === mail(1) ? 'Your role activation completed' : 'Role activation alert to admins';
      expect(s.text).toMatch(
        new RegExp(`- Tue 1 Dec 2026 \\d\\d:\\d\\d UTC: ${what}; role Exchange Administrator on .+; principal User 1\n`),
      );
      expect(s.text).toContain(`… and ${INFORMATIONAL - LIMIT - 100} more not listed here.`);
      expect(s.text).toContain('https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/quickStart');
    }
    // Nothing is owed any more: later runs send nothing.
    expect(await sendHeldBackSummaries(new Date(AFTER.getTime() + 600_000), deps)).toMatchObject({ windows: 0, sent: 0 });
    expect(sender.sent.length).toBe(before + 3);
  });

  it('counts afresh in the next window, and an approval request still goes to a person over the limit', async () => {
    clock = AFTER;
    const later = [
      event({ id: 'next-window-1', type: 'activationCompleted', occurredAt: AFTER.toISOString(), principal: { id: uid(1), type: 'user' } }),
      event({
        id: 'next-window-2',
        type: 'activationPendingApproval',
        occurredAt: AFTER.toISOString(),
        principal: { id: uid(1), type: 'user' },
        request: { id: 'req-next' },
      }),
    ];
    const before = sender.sent.length;
    await deliver(later);
    expect(byPerson(sender.sent.slice(before))).toEqual({
      [mail(1)]: { activationNotice: 1 },
      [mail(2)]: { activationAlert: 1, approvalRequest: 1 },
      [mail(3)]: { activationAlert: 1, approvalRequest: 1 },
    });
  });
});

describe('a smaller flood through every table on Azurite', () => {
  const SMALL_LIMIT = 5;
  const smallSettings = loadSettings({ RECIPIENT_RATE_LIMIT: String(SMALL_LIMIT), RECIPIENT_RATE_WINDOW_MINUTES: '60' });
  const names = {
    activity: uniqueTableName('Act'),
    ledger: uniqueTableName('Led'),
    registry: uniqueTableName('Reg'),
    rates: uniqueTableName('Rate'),
  };
  const out = new RecordingTransport();
  let at = DURING;
  const tableWorker = () => {
    const client = (name: string) => TableClient.fromConnectionString(storageConnectionString(), name, { allowInsecureConnection: true });
    return {
      directory,
      transport: out,
      events: new MemoryEventsQueue(),
      confirmer: unchecked,
      activity: new TableActivityStore(client(names.activity)),
      ledger: new TableDeliveryLedger(client(names.ledger)),
      registry: new TableEventRegistry(client(names.registry)),
      rateLimit: new TableRateLimit(client(names.rates), { now: () => at }),
      settings: smallSettings,
      clock: { now: () => at },
      log: () => {},
    };
  };
  const pool = [tableWorker(), tableWorker()];
  const events = flood.slice(0, 60).map((e) => ({ ...e, id: `small-${e.id}` }));
  const actionable = events.filter((e) => e.type !== 'activationCompleted').length;

  it('holds back beyond the limit, sends approvals, redelivers nothing, and summarises once', async () => {
    await deliver(events, 0, pool);
    const expected = {
      [mail(1)]: { activationNotice: SMALL_LIMIT },
      [mail(2)]: { activationAlert: SMALL_LIMIT, approvalRequest: actionable / 2, approvalReminder: actionable / 2 },
      [mail(3)]: { activationAlert: SMALL_LIMIT, approvalRequest: actionable / 2, approvalReminder: actionable / 2 },
    };
    expect(byPerson(out.sent)).toEqual(expected);
    await deliver(events, 1, pool);
    expect(byPerson(out.sent)).toEqual(expected);

    at = AFTER;
    const runs = await Promise.all(pool.map((w) => sendHeldBackSummaries(AFTER, w)));
    await sendHeldBackSummaries(AFTER, pool[0]!);
    const summaries = out.sent.filter((s) => s.notification === 'heldBackSummary');
    expect(summaries.map((s) => s.to.address).sort()).toEqual([mail(1), mail(2), mail(3)]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(3);
    const held = events.length - actionable - SMALL_LIMIT;
    for (const s of summaries) expect(s.subject).toMatch(new RegExp(`^PIM: ${held} more notifications were held back between`));
  }, 120_000);
});
