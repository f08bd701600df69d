/**
 * A missing Graph or ARM permission (a 403 from the local endpoints, as the real services
 * answer it) is logged once, clearly (which permission, for which call), and the timers keep
 * doing what they can: the expiry scanner scans the scopes it may read and keeps tracking the
 * others; the audit collector leaves its cursor and reads on once the permission is granted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../shared/composition/services.js';
import { forgetReportedPermissions } from '../../shared/permissions/missing.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { runAuditCollector } from '../../shared/usecases/auditCollector.js';
import { runExpiryScan } from '../../shared/usecases/expiryScanner.js';
import type { LogLevel } from '../../shared/log.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeAuditGraph } from '../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../support/fakeServer.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { SUB, USERS, sampleTenant } from '../support/sampleTenant.js';
import { sampleWorld } from '../support/clock.js';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const data = sampleTenant();
// An Azure role with an end date, so the scanner tracks something in the subscription.
data.azureResources![0]!.roleAssignments.push({
  principalId: USERS.gus,
  roleDefinitionId: CONTRIBUTOR,
  state: 'eligible',
  startDateTime: null,
  endDateTime: '2027-02-01T00:00:00Z',
});

let graph: FakeAuditGraph;
let arm: FakeArm;
beforeAll(async () => {
  graph = await new FakeAuditGraph(data, { ...sampleWorld, publicBaseUrl: 'https://graph.microsoft.com' }).start();
  arm = await new FakeArm(data, { ...sampleWorld, publicBaseUrl: 'https://management.azure.com' }).start();
});
afterAll(async () => Promise.all([graph?.stop(), arm?.stop()]));
afterEach(() => {
  graph.clearFaults();
  arm.clearFaults();
  forgetReportedPermissions();
});

/** One app's storage; each run() builds the services afresh (a new invocation, no cached lookups). */
function app() {
  const settings = loadSettings({
    AzureWebJobsStorage: storageConnectionString(),
    SOURCES_TABLE: uniqueTableName('Perm'),
    DIRECTORY_SOURCE: 'graph',
    AZURE_SUBSCRIPTION_IDS: SUB,
  });
  const eventsQueue = uniqueQueueName('perm');
  const logs: Array<{ level: LogLevel; text: string }> = [];
  const services = () =>
    createServices(settings, {
      credential: fakeCredential(),
      fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
      eventsQueue,
    });
  const log = (level: LogLevel, text: string) => void logs.push({ level, text });
  return { services, log, logs, errors: () => logs.filter((l) => l.level === 'error').map((l) => l.text) };
}

describe('a missing permission', () => {
  it('expiry scanner: logs the ARM call and the role once, scans the directory, keeps tracking the subscription', async () => {
    const a = app();
    const readable = await runExpiryScan(await a.services(), a.log);
    expect(readable).toMatchObject({ kind: 'done', unreadableScopes: 0, dropped: 0 });
    // Two directory assignments with an end date, the others in the subscription and its resource group.
    const all = (readable as { assignments: number }).assignments;
    expect(all).toBeGreaterThan(2);

    arm.inject({ match: /./, status: 403, times: 1_000 });
    const first = await runExpiryScan(await a.services(), a.log);
    const second = await runExpiryScan(await a.services(), a.log);
    for (const outcome of [first, second]) {
      // The two directory assignments are still scanned; the subscription's is neither scanned nor dropped.
      expect(outcome).toMatchObject({ kind: 'done', assignments: 2, unreadableScopes: 1, dropped: 0 });
    }
    expect(a.errors()).toHaveLength(1);
    expect(a.errors()[0]).toMatch(new RegExp(`Azure Resource Manager GET /subscriptions/${SUB}/.* failed with 403 AuthorizationFailed`));
    expect(a.errors()[0]).toMatch(/Reader role/);
    expect(a.errors()[0]).toMatch(new RegExp(`no reminders for Azure roles in /subscriptions/${SUB}`));

    arm.clearFaults();
    expect(await runExpiryScan(await a.services(), a.log)).toMatchObject({
      kind: 'done',
      assignments: all,
      unreadableScopes: 0,
      dropped: 0,
    });
  });

  it('expiry scanner without Organization.Read.All: blocked, reported once, not a failed run', async () => {
    const a = app();
    graph.inject({ match: /\/organization/, status: 403, times: 1_000 });
    expect(await runExpiryScan(await a.services(), a.log)).toMatchObject({ kind: 'blocked' });
    expect(await runExpiryScan(await a.services(), a.log)).toMatchObject({ kind: 'blocked' });
    expect(a.errors()).toEqual([
      expect.stringMatching(/Microsoft Graph GET \/organization.* failed with 403 Authorization_RequestDenied: .*Organization\.Read\.All/),
    ]);
  });

  it('audit collector without AuditLog.Read.All: reported once, cursor kept, reads on once granted', async () => {
    const a = app();
    graph.inject({ match: /auditLogs\/directoryAudits/, status: 403, times: 1_000 });
    const store = (await a.services()).sources.store;
    await store.setCursor('directoryAudits', '2026-11-25T10:00:00.000Z');
    expect(await runAuditCollector(await a.services(), a.log)).toMatchObject({ kind: 'blocked' });
    expect(await runAuditCollector(await a.services(), a.log)).toMatchObject({ kind: 'blocked' });
    expect(a.errors()).toHaveLength(1);
    expect(a.errors()[0]).toMatch(
      /Microsoft Graph GET \/auditLogs\/directoryAudits.* failed with 403 Authorization_RequestDenied: grant .* AuditLog\.Read\.All/,
    );
    expect(await store.cursor('directoryAudits')).toBe('2026-11-25T10:00:00.000Z');

    graph.clearFaults();
    const granted = await runAuditCollector(await a.services(), a.log);
    expect(granted).toMatchObject({ kind: 'done', from: '2026-11-25T10:00:00.000Z' });
    expect(await store.cursor('directoryAudits')).not.toBe('2026-11-25T10:00:00.000Z');
  });
});
