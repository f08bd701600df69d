/**
 * The Graph adapter's PIM for Groups requests against the local Graph: one $batch per group
 * for its schedule instances, owners and policies, every page followed, 429s retried (inside
 * and outside $batch), the cache answering a burst; and export-directory → snapshot → the same
 * emails as Graph (the export → simulate round trip).
 */
import { afterEach, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../dev/export/exportSnapshot.js';
import { parseEvent } from '../../../shared/events/parse.js';
import { parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import type { RoleDirectory } from '../../../shared/directory/roleDirectory.js';
import { loadSettings } from '../../../shared/settings/settings.js';
import { planNotifications } from '../../../shared/planning/planNotifications.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { NOW, SOC, TENANT_ID, U, groupTenant } from '../groupTenant.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const GROUP_PATHS = /privilegedAccess\/group\/|\/owners\/|scopeType eq 'Group'/;

test('a group costs one $batch of four requests, paged to the end, cached for a burst of events', async () => {
  h = await startHarness(groupTenant(), { server: { now: () => NOW, pageSize: 1 } });
  const [owners, members] = await Promise.all([
    h.directory.groupOwners(SOC),
    h.directory.groupAccessHolders(SOC, 'member'),
    h.directory.rolePolicy({ kind: 'group', id: SOC }, 'owner'),
  ]);
  expect(owners.map((o) => o.id).sort()).toEqual([U.olga, U.pete].sort());
  expect(members).toHaveLength(2);
  // First pages inside one $batch...
  expect(h.graph.count(GROUP_PATHS, true)).toBe(4);
  // ...then the rest by nextLink: 2 active and 2 eligible instances, 3 owners (Quinn's activation included), 2 policies.
  expect(h.graph.count(/assignmentScheduleInstances/, false)).toBe(1);
  expect(h.graph.count(/eligibilityScheduleInstances/, false)).toBe(1);
  expect(h.graph.count(/\/owners\//, false)).toBe(2);
  expect(h.graph.count(/roleManagementPolicyAssignments/, false)).toBe(1);

  h.graph.resetCounts();
  await Promise.all([
    h.directory.groupOwners(SOC),
    h.directory.groupAccessHolders(SOC, 'owner'),
    h.directory.rolePolicy({ kind: 'group', id: SOC }, 'member'),
  ]);
  expect(h.graph.count(GROUP_PATHS)).toBe(0);
});

test('a 429 inside the $batch retries only the throttled request; one outside it is waited out', async () => {
  h = await startHarness(groupTenant(), { server: { now: () => NOW } });
  h.graph.inject({ match: /eligibilityScheduleInstances/, status: 429, retryAfterSeconds: 1, times: 1, inBatch: true });
  expect((await h.directory.groupAccessHolders(SOC, 'member')).map((m) => m.id).sort()).toEqual([U.rosa, U.sam].sort());
  expect(h.graph.count(/eligibilityScheduleInstances/, true)).toBe(2);
  expect(h.graph.count(/assignmentScheduleInstances/, true)).toBe(1);

  h.graph.inject({ match: /isAssignableToRole/, status: 429, retryAfterSeconds: 1, times: 1 });
  const scheduled = (await h.directory.scheduledAssignments()).filter((a) => a.scope.kind === 'group');
  expect(scheduled.length).toBeGreaterThan(0);
  expect(h.graph.count(/isAssignableToRole/)).toBe(2);
});

test('the schedule instances are asked for with a groupId filter, as Graph requires', async () => {
  h = await startHarness(groupTenant(), { server: { now: () => NOW } });
  await h.directory.groupOwners(SOC);
  expect(h.graph.count(new RegExp(`ScheduleInstances\\?\\$filter=groupId eq '${SOC}'`))).toBe(2);
});

test('export-directory → snapshot: the same group emails as the Graph directory', async () => {
  h = await startHarness(groupTenant(), { server: { now: () => NOW, pageSize: 2 } });
  const exported = await exportDirectorySnapshot(h.directory, { subscriptionIds: [] });
  const { snapshot, warnings } = parseSnapshot(JSON.parse(JSON.stringify(exported)));
  expect(warnings).toEqual([]);
  expect(snapshot.privilegedAccessGroups.map((g) => g.groupId).sort()).toEqual(
    groupTenant()
      .privilegedAccessGroups!.map((g) => g.groupId)
      .sort(),
  );
  const fromExport = new SnapshotDirectory(snapshot, { clock: { now: () => NOW } });
  const settings = loadSettings({});
  const events = [
    { id: 'x1', type: 'activationPendingApproval', scope: { kind: 'group', id: SOC, accessId: 'member' }, principal: { id: U.rosa } },
    {
      id: 'x2',
      type: 'roleAssigned',
      scope: { kind: 'group', id: SOC, accessId: 'owner' },
      principal: { id: U.tara },
      assignment: { state: 'eligible', permanent: true },
    },
    { id: 'x3', type: 'activationCompleted', scope: { kind: 'group', id: SOC, accessId: 'member' }, principal: { id: U.sam } },
  ];
  const plan = async (d: RoleDirectory, input: Record<string, unknown>) => {
    const parsed = parseEvent({ tenantId: TENANT_ID, occurredAt: NOW.toISOString(), ...input });
    if (parsed.kind === 'invalid') throw parsed.error;
    return (await planNotifications(parsed.event, d, settings)).emails.map((e) => `${e.recipient.address} ${e.email.subject}`).sort();
  };
  for (const e of events) {
    const viaGraph = await plan(h.directory, e);
    expect(viaGraph.length, e.id).toBeGreaterThan(0);
    expect(await plan(fromExport, e), e.id).toEqual(viaGraph);
  }
});
