/**
 * Escalation with a pinned clock, through the requests collector against the local Graph and ARM
 * request APIs and the production adapters, emails through the local ACS: a request still
 * pending at ESCALATION_AFTER_HOURS goes to its contacts with how long it waited and how long is
 * left; never before, never twice, never after the decision, never after the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../shared/settings/settings.js';
import { createServices } from '../../shared/composition/services.js';
import { collectRequestEvents, type RequestsDeps } from '../../shared/usecases/requestsCollector.js';
import { EMPTY_TENANT } from '../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { FakeRequestsArm, FakeRequestsGraph, PimRequests } from '../support/fakeRequests.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { ALICE, GA, SUB, TENANT } from '../support/auditRecords.js';
import { sampleWorld } from '../support/clock.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { harness } from '../support/delivery.js';
import { directory, SETTINGS, subjectsTo } from './escalationHarness.js';

const HOUR = 3_600_000;
const startFake = fakeAcsPerTest();
let graph: FakeRequestsGraph;
let arm: FakeRequestsArm;
let pim: PimRequests;

beforeAll(async () => {
  pim = new PimRequests();
  graph = await new FakeRequestsGraph(EMPTY_TENANT(TENANT), pim, sampleWorld).start();
  arm = await new FakeRequestsArm(EMPTY_TENANT(TENANT), pim, sampleWorld).start();
});
afterAll(async () => Promise.all([graph?.stop(), arm?.stop()]));

let n = 0;
const rid = () => `7e000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

async function world(t0: Date, escalationHours = '20') {
  pim.all.length = 0;
  const settings = loadSettings({
    AzureWebJobsStorage: storageConnectionString(),
    SOURCES_TABLE: uniqueTableName('Esc'),
    AZURE_SUBSCRIPTION_IDS: SUB,
    APPROVAL_REMINDER_HOURS: 'none',
    ESCALATION_AFTER_HOURS: escalationHours,
    ESCALATION_CONTACTS: JSON.stringify({ roles: { [GA]: ['tier0-oncall@contoso.example'] } }),
  });
  const { sources, events } = await createServices(settings, {
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
    eventsQueue: uniqueQueueName('events'),
  });
  const fake = await startFake();
  const h = await harness(fake);
  const clock = { now: t0 };
  const source = await sources.requestSource();
  const deps = (): RequestsDeps => ({
    source,
    events,
    known: new Set(),
    cursors: sources.store,
    emitted: sources.store,
    recorded: sources.store,
    tenantId: TENANT,
    reminderHours: [],
    clock: { now: () => clock.now },
    log: () => {},
    escalation: {
      ledger: h.ledger,
      directory: directory(),
      transport: h.transport,
      settings: { ...SETTINGS, ESCALATION_CONTACTS: settings.ESCALATION_CONTACTS, ESCALATION_AFTER_HOURS: settings.ESCALATION_AFTER_HOURS },
      clock: { now: () => clock.now },
      log: () => {},
      emitted: sources.store,
    },
  });
  const runAt = async (ms: number) => {
    clock.now = new Date(t0.getTime() + ms);
    return collectRequestEvents(deps());
  };
  return { fake, runAt, at: (ms: number) => new Date(t0.getTime() + ms).toISOString() };
}

const ONCALL = 'tier0-oncall@contoso.example';

describe('escalation of a request still waiting', () => {
  it('at the configured hour, once, with how long it waited and how long is left', async () => {
    const t0 = new Date('2026-11-25T08:00:00Z');
    const w = await world(t0);
    pim.add({ id: rid(), kind: 'directory', createdDateTime: w.at(0), principalId: ALICE, roleDefinitionId: GA });
    expect(await w.runAt(60_000)).toMatchObject({ escalated: 0 });
    expect(await w.runAt(20 * HOUR - 60_000)).toMatchObject({ escalated: 0 });
    expect(subjectsTo(w.fake, ONCALL)).toEqual([]);
    expect(await w.runAt(20 * HOUR)).toMatchObject({ escalated: 1 });
    expect(subjectsTo(w.fake, ONCALL)).toHaveLength(1);
    const [email] = w.fake.deliveries;
    expect(email!.message.content.subject).toMatch(/^PIM: .* request for .* has waited 20 h for approval$/);
    expect(email!.message.content.plainText).toContain('4 h are left before PIM lets it expire at Thu 26 Nov 2026 08:00 UTC');
    expect(email!.message.content.plainText).toContain('You are told as the escalation contact for role');
    expect(await w.runAt(21 * HOUR)).toMatchObject({ escalated: 0 });
    expect(await w.runAt(23 * HOUR)).toMatchObject({ escalated: 0 });
    expect(subjectsTo(w.fake, ONCALL), 'never twice').toHaveLength(1);
  });

  it('never after the decision, never after the window, never without a matching contact', async () => {
    const t0 = new Date('2026-11-25T08:00:00Z');
    const w = await world(t0);
    const decided = rid();
    pim.add({ id: decided, kind: 'directory', createdDateTime: w.at(0), principalId: ALICE, roleDefinitionId: GA });
    await w.runAt(HOUR);
    pim.setStatus(decided, 'Denied', w.at(2 * HOUR));
    expect(await w.runAt(20 * HOUR)).toMatchObject({ escalated: 0 });
    // Another one, first read only after its window closed (an outage): never escalated late.
    pim.add({ id: rid(), kind: 'directory', createdDateTime: w.at(-HOUR), principalId: ALICE, roleDefinitionId: GA });
    expect(await w.runAt(23 * HOUR + 30 * 60_000)).toMatchObject({ escalated: 0 });
    // A role with no contact: off.
    pim.add({
      id: rid(),
      kind: 'directory',
      createdDateTime: w.at(3 * HOUR),
      principalId: ALICE,
      roleDefinitionId: '194ae4cb-b126-40b2-bd5b-6091b380977d',
    });
    expect(await w.runAt(23 * HOUR + 45 * 60_000)).toMatchObject({ escalated: 0 });
    expect(w.fake.deliveries).toEqual([]);
  });

  it('ESCALATION_AFTER_HOURS=none turns it off; 24 or more is refused', async () => {
    const t0 = new Date('2026-11-25T08:00:00Z');
    const w = await world(t0, 'none');
    pim.add({ id: rid(), kind: 'directory', createdDateTime: w.at(0), principalId: ALICE, roleDefinitionId: GA });
    expect(await w.runAt(22 * HOUR)).toMatchObject({ escalated: 0 });
    expect(() => loadSettings({ ESCALATION_AFTER_HOURS: '24' })).toThrow(/ESCALATION_AFTER_HOURS: must be below 24/);
    expect(() => loadSettings({ ESCALATION_CONTACTS: '{"default": ["not an address"]}' })).toThrow(
      /ESCALATION_CONTACTS: must be email addresses/,
    );
    expect(() => loadSettings({ ESCALATION_CONTACTS: '{"rolez": {}}' })).toThrow(/ESCALATION_CONTACTS/);
    expect(() => loadSettings({ ALTERNATE_ADDRESSES: '{"bob": "b@contoso.example"}' })).toThrow(/ALTERNATE_ADDRESSES: /);
  });
});
