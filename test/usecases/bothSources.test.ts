/**
 * One request seen by both sources: the requests collector (local Graph request API) and the
 * audit collector (local audit log) queue events for it onto one Azurite queue; the notify use
 * case sends them through the outbox with the real ledger and activity table. Each person gets
 * one email per transition, and every email about the request threads per recipient: the .eml
 * files are parsed and grouped by References.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import { loadSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { createServices } from '../../shared/composition/services.js';
import { OutboxTransport } from '../../shared/transport/outboxTransport.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { collectAuditEvents, MAX_WINDOW_MINUTES } from '../../shared/usecases/auditCollector.js';
import { collectRequestEvents } from '../../shared/usecases/requestsCollector.js';
import { notifyEvent } from '../../shared/usecases/notify.js';
import { TableSourcesStore } from '../../shared/sources/tableSourcesStore.js';
import { tableClient } from '../../shared/storage/tables.js';
import { EMPTY_TENANT } from '../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { FakeRequestsGraph, PimRequests } from '../support/fakeRequests.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { parseMessage } from '../support/mimeParse.js';
import { queuedEvents } from '../support/queuedEvents.js';
import { record } from '../support/auditRecords.js';
import { sampleWorld } from '../support/clock.js';

// The sample tenant (samples/contoso-directory.json): Christie Cline asks for Exchange Administrator,
// whose approvers are Irvin Sayers and the Messaging Approvers group.
const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const CHRISTIE = '70f88c65-4eef-45ad-8b6c-e05092e0a3f9';
const REQUEST = '5f1e2d3c-4b5a-4968-8776-655443322110';
const OTHER = '5f1e2d3c-4b5a-4968-8776-655443322111';

let pim: PimRequests;
let graph: FakeRequestsGraph;

beforeAll(async () => {
  pim = new PimRequests();
  graph = await new FakeRequestsGraph(EMPTY_TENANT(TENANT), pim, sampleWorld).start();
});
afterAll(async () => graph?.stop());

function auditOf(activity: string, at: Date, requestId: string) {
  return record(activity, at, {
    targetResources: [
      { id: EXCHANGE_ADMIN, displayName: 'Exchange Administrator', type: 'Role' },
      { id: requestId, type: 'Request' },
      { id: CHRISTIE, displayName: 'Christie Cline', type: 'User' },
    ],
    additionalDetails: [{ key: 'RoleDefinitionOriginId', value: EXCHANGE_ADMIN }],
  });
}

describe('a request seen by both sources', () => {
  it('sends each person one email per transition, threaded per recipient by References and subject', async () => {
    const t0 = new Date('2026-11-25T10:00:00Z');
    const clock = { now: t0 };
    const outbox = await mkdtemp(path.join(tmpdir(), 'threads-'));
    const queueName = uniqueQueueName('both');
    const settings = loadSettings({
      AzureWebJobsStorage: storageConnectionString(),
      SOURCES_TABLE: uniqueTableName('Both'),
      ACTIVITY_TABLE: uniqueTableName('Act'),
      DELIVERY_TABLE: uniqueTableName('Led'),
      RECIPIENT_RATE_TABLE: uniqueTableName('Rate'),
      EMAIL_SENDER_ADDRESS: 'pim@contoso.com',
    });
    const directory = new SnapshotDirectory((await loadSnapshot(fromPackageRoot('samples/contoso-directory.json'))).snapshot, {
      clock: { now: () => t0 },
    });
    const services = await createServices(settings, {
      credential: fakeCredential(),
      fetch: routedFetch({ 'https://graph.microsoft.com': graph }),
      eventsQueue: queueName,
      directory,
      transport: new OutboxTransport({ dir: outbox }),
    });
    const { store } = services.sources;
    const { events: queue } = services;
    const requests = {
      source: await services.sources.requestSource(),
      events: queue,
      known: new Set<string>(),
      cursors: store,
      emitted: store,
      recorded: store,
      tenantId: TENANT,
      reminderHours: [4],
      clock: { now: () => clock.now },
      log: () => {},
    };
    // Sharing one sources table, each collector skips what the other queued. The audit collector
    // gets its own here, so both events reach the queue and the notify side has to keep one email.
    const auditStore = new TableSourcesStore(tableClient(services.storage, uniqueTableName('Aud')));
    const audit = {
      source: await services.sources.auditSource(),
      events: queue,
      maxWindowMinutes: MAX_WINDOW_MINUTES,
      cursors: auditStore,
      emitted: auditStore,
      tenantId: TENANT,
      overlapMinutes: 30,
      clock: { now: () => clock.now },
      log: () => {},
    };
    await auditStore.setCursor('directoryAudits', t0.toISOString());
    const at = (ms: number) => new Date(t0.getTime() + ms);

    // Made at t0+10s; the requests collector sees it at t0+30s, the audit log records it too.
    pim.add({
      id: REQUEST,
      kind: 'directory',
      createdDateTime: at(10_000).toISOString(),
      principalId: CHRISTIE,
      roleDefinitionId: EXCHANGE_ADMIN,
      justification: 'Mailbox migration',
    });
    pim.add({
      id: OTHER,
      kind: 'directory',
      createdDateTime: at(10_000).toISOString(),
      principalId: CHRISTIE,
      roleDefinitionId: EXCHANGE_ADMIN,
    });
    graph.audits.push(auditOf('Add member to role approval requested (PIM activation)', at(10_000), REQUEST));
    clock.now = at(30_000);
    await collectRequestEvents(requests);
    // Approved at 2 min: the audit collector reads it first this time, then the requests collector.
    pim.setStatus(REQUEST, 'Provisioned', at(2 * 60_000).toISOString());
    graph.audits.push(auditOf('Add member to role request approved (PIM activation)', at(2 * 60_000), REQUEST));
    clock.now = at(5 * 60_000);
    await collectAuditEvents(audit);
    await collectRequestEvents(requests);
    // The other request waits: a reminder at 4 h, then it expires at 24 h.
    clock.now = at(4 * 3_600_000 + 30_000);
    await collectRequestEvents(requests);
    clock.now = at(24 * 3_600_000 + 30_000);
    await collectRequestEvents(requests);

    const events = await queuedEvents(new QueueClient(storageConnectionString(), queueName));
    // Both sources queued the pending approval and the approval: same ids.
    expect(events.filter((e) => e.id === `req:${REQUEST}:activationPendingApproval`)).toHaveLength(2);
    expect(events.filter((e) => e.id === `req:${REQUEST}:activationApproved`)).toHaveLength(2);
    const outcomes = [];
    for (const e of events)
      outcomes.push(await notifyEvent(JSON.stringify(e), { ...services, settings: services.settings, log: () => {} }));
    expect(outcomes.filter((o) => o.kind === 'done' && o.activity === 'duplicate')).toHaveLength(2);

    const emails = await Promise.all(
      (await readdir(outbox)).filter((f) => f.endsWith('.eml')).map(async (f) => parseMessage(await readFile(path.join(outbox, f)))),
    );
    const h = (m: (typeof emails)[number], name: string) => m.headers.get(name) ?? '';
    const perPerson = new Map<string, number>();
    for (const m of emails) {
      const key = `${h(m, 'to')} ${h(m, 'x-pim-event-id')} ${h(m, 'x-pim-notification')}`;
      perPerson.set(key, (perPerson.get(key) ?? 0) + 1);
    }
    expect(
      [...perPerson.values()].every((count) => count === 1),
      JSON.stringify([...perPerson]),
    ).toBe(true);
    const kinds = new Set(emails.map((m) => h(m, 'x-pim-notification')));
    for (const kind of [
      'approvalRequest',
      'requestDecision',
      'requestDecisionAlert',
      'activationNotice',
      'approvalReminder',
      'requestExpiredNotice',
      'requestExpiredAlert',
    ])
      expect(kinds).toContain(kind);

    // Every Message-ID is unique; every email is in exactly one thread, its root the References.
    const ids = emails.map((m) => h(m, 'message-id'));
    expect(new Set(ids).size).toBe(emails.length);
    for (const id of ids) expect(id).toMatch(/^<[^<>@\s]+@contoso\.com>$/);
    const threads = new Map<string, typeof emails>();
    for (const m of emails) {
      const root = h(m, 'references') || h(m, 'message-id');
      expect(h(m, 'in-reply-to') || root).toBe(root);
      threads.set(root, [...(threads.get(root) ?? []), m]);
    }
    const requestOf = (m: (typeof emails)[number]) => h(m, 'x-pim-event-id').split(':')[1];
    for (const [root, thread] of threads) {
      // One recipient, one request per thread.
      expect(new Set(thread.map((m) => h(m, 'to'))).size, root).toBe(1);
      expect(new Set(thread.map(requestOf)).size, root).toBe(1);
      // The opening email, where the recipient got one, carries the root as its own Message-ID.
      const opener = thread.find((m) => h(m, 'x-pim-notification') === 'approvalRequest');
      if (opener) expect(h(opener, 'message-id')).toBe(root);
      // Subjects thread: the approval loop's emails all have the opening subject.
      const loop = thread.filter((m) =>
        [
          'approvalRequest',
          'requestDecision',
          'requestDecisionAlert',
          'approvalReminder',
          'requestExpiredNotice',
          'requestExpiredAlert',
        ].includes(h(m, 'x-pim-notification')),
      );
      expect(new Set(loop.map((m) => h(m, 'subject'))).size, root).toBeLessThanOrEqual(1);
    }
    // An approver of both requests has two threads; Irvin's first one holds the request, the approval and the alert.
    const irvin = [...threads.values()].filter((t) => h(t[0]!, 'to').includes('irvin.sayers'));
    expect(irvin).toHaveLength(2);
    const approved = irvin.find((t) => t.some((m) => requestOf(m) === REQUEST))!;
    expect(approved.map((m) => h(m, 'x-pim-notification')).sort()).toEqual(['approvalRequest', 'requestDecisionAlert']);
    const decided = approved.find((m) => h(m, 'x-pim-notification') === 'requestDecisionAlert')!;
    expect(h(decided, 'subject')).toBe(
      h(
        approved.find((m) => h(m, 'x-pim-notification') === 'approvalRequest')!,
        'subject',
      ),
    );
  });
});
