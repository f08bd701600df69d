/**
 * The requests collector's reader (production Graph and ARM clients) against the local request
 * APIs, which refuse what Microsoft does not document (fakeRequestRules.ts): every kind of access
 * read in documented shapes; PIM for Groups through the role-assignable groups and PIM_GROUP_IDS;
 * a shape refused anyway falls back, and a kind that cannot be read is said and skipped while the
 * collector's run completes and its cursor moves.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArmApi } from '../../shared/directory/arm/armClient.js';
import { GraphApi } from '../../shared/directory/graph/graphClient.js';
import { PimRequestSource, type PimRequestSourceOptions } from '../../shared/sources/pimRequestSource.js';
import type { ScheduleRequest } from '../../shared/sources/scheduleRequest.js';
import { collectRequestEvents } from '../../shared/usecases/requestsCollector.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { ALICE, GA, READER, SUB, TENANT } from '../support/auditRecords.js';
import { EMPTY_TENANT } from '../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { FakeRequestsArm, FakeRequestsGraph, PimRequests } from '../support/fakeRequests.js';
import { runningClockFrom } from '../support/clock.js';

const NOW = '2026-11-25T10:00:00.000Z';
const clock = runningClockFrom(NOW);
const world = { now: () => clock.now(), pageSize: 2 };
const ASSIGNABLE = 'c0000000-0000-4000-8000-0000000000a1';
const LISTED = 'c0000000-0000-4000-8000-0000000000b2';
const OTHER = 'c0000000-0000-4000-8000-0000000000c3';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-app`;

let pim: PimRequests;
let graph: FakeRequestsGraph;
let arm: FakeRequestsArm;
beforeAll(async () => {
  pim = new PimRequests();
  const data = EMPTY_TENANT(TENANT);
  data.groups.push(
    { id: ASSIGNABLE, displayName: 'Tier 0', members: [], isAssignableToRole: true },
    { id: LISTED, displayName: 'App owners', members: [] },
  );
  graph = await new FakeRequestsGraph(data, pim, world).start();
  arm = await new FakeRequestsArm(data, pim, world).start();
});
afterAll(async () => Promise.all([graph?.stop(), arm?.stop()]));
beforeEach(() => {
  pim.all.length = 0;
  graph.resetCounts();
  arm.resetCounts();
  graph.clearFaults();
  arm.clearFaults();
  graph.refusedShapes = [];
  arm.aliasSubscriptions = { lists: false, gets: false };
});

let n = 0;
const rid = () => `7e000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const minutesAgo = (m: number) => new Date(clock.now().getTime() - m * 60_000).toISOString();

function source(options: Partial<PimRequestSourceOptions> = {}): PimRequestSource {
  const fetch = routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm });
  const credential = fakeCredential();
  return new PimRequestSource({
    graph: new GraphApi({ baseUrl: 'https://graph.microsoft.com', credential, fetch, maxBatchRetries: 1 }),
    arm: new ArmApi({ baseUrl: 'https://management.azure.com', credential, fetch, maxRetries: 0 }),
    subscriptionIds: [SUB],
    groupIds: [LISTED],
    cacheTtlSeconds: 300,
    clock,
    ...options,
  });
}

async function readAll(s: PimRequestSource, since = minutesAgo(10)): Promise<{ requests: ScheduleRequest[]; warnings: string[] }> {
  const requests: ScheduleRequest[] = [];
  const warnings: string[] = [];
  for await (const page of s.pages(since, (m) => warnings.push(m))) requests.push(...page);
  return { requests, warnings };
}

/** One request of each kind of access, made a minute ago (inside a first run's window), and one made long before. */
function oneOfEach(): Record<string, string> {
  const ids = { directory: rid(), eligible: rid(), assignable: rid(), listed: rid(), other: rid(), azure: rid(), old: rid() };
  const created = minutesAgo(1);
  pim.add({ id: ids.directory, kind: 'directory', createdDateTime: created, principalId: ALICE, roleDefinitionId: GA });
  pim.add({
    id: ids.eligible,
    kind: 'directory',
    schedule: 'eligibility',
    action: 'adminAssign',
    status: 'Provisioned',
    approvalId: null,
    createdDateTime: created,
    principalId: ALICE,
    roleDefinitionId: GA,
  });
  pim.add({
    id: ids.assignable,
    kind: 'group',
    scope: ASSIGNABLE,
    createdDateTime: created,
    principalId: ALICE,
    roleDefinitionId: 'member',
  });
  pim.add({ id: ids.listed, kind: 'group', scope: LISTED, createdDateTime: created, principalId: ALICE, roleDefinitionId: 'owner' });
  // Neither role-assignable nor in PIM_GROUP_IDS: Graph cannot list it without being told of it.
  pim.add({ id: ids.other, kind: 'group', scope: OTHER, createdDateTime: created, principalId: ALICE, roleDefinitionId: 'member' });
  pim.add({ id: ids.azure, kind: 'azureResource', scope: RG, createdDateTime: created, principalId: ALICE, roleDefinitionId: READER });
  pim.add({ id: ids.old, kind: 'directory', createdDateTime: minutesAgo(60), principalId: ALICE, roleDefinitionId: GA });
  return ids;
}

describe('the local request APIs hold to what Microsoft documents', () => {
  const ask = async (server: { url: string; expectedToken: string }, path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.expectedToken}` } });
    return { status: response.status, body: (await response.json()) as { error?: { code?: string; message?: string } } };
  };

  it('refuses the shapes the app used to send, and undocumented options, with the service error body', async () => {
    const since = encodeURIComponent(`createdDateTime ge ${minutesAgo(10)}`);
    for (const path of [
      `/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$filter=${since}`,
      `/v1.0/roleManagement/directory/roleEligibilityScheduleRequests?$filter=${since}`,
      `/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests?$filter=${since}`,
      `/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests`,
      `/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$top=50`,
      `/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$orderby=createdDateTime desc`,
      `/v1.0/roleManagement/directory/roleAssignmentScheduleRequests?$select=id,createdOn`,
    ]) {
      const answer = await ask(graph, path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error?.code, path).toBe('BadRequest');
    }
    const arms = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?api-version=2020-10-01`;
    expect((await ask(arm, `${arms}&$filter=${encodeURIComponent(`createdOn ge ${minutesAgo(10)}`)}`)).body.error?.code).toBe(
      'InvalidFilter',
    );
    expect((await ask(arm, `${arms}&$top=10`)).status).toBe(400);
    // What the pages document is served.
    expect(
      (await ask(graph, `/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleRequests?$filter=groupId eq '${LISTED}'`))
        .status,
    ).toBe(200);
    expect((await ask(arm, `${arms}&$filter=atScope()`)).status).toBe(200);
  });
});

describe('PimRequestSource', () => {
  it('reads every kind of access in documented shapes, groups by the role-assignable ones and PIM_GROUP_IDS, the window applied here', async () => {
    const ids = oneOfEach();
    const { requests, warnings } = await readAll(source());
    expect(warnings).toEqual([]);
    expect(requests.map((r) => r.id).sort()).toEqual([ids.directory, ids.eligible, ids.assignable, ids.listed, ids.azure].sort());
    expect(requests.find((r) => r.id === ids.listed)).toMatchObject({ kind: 'group', scopeId: LISTED, roleDefinitionId: 'owner' });
    // One $batch carries the directory's two lists and the two groups' four; the role-assignable groups once.
    expect(graph.count(/\$batch/, false)).toBe(1);
    expect(graph.count(/ScheduleRequests\?\$select=/, true)).toBe(2);
    expect(graph.count(/ScheduleRequests\?\$filter=groupId eq '[^']+'&\$select=/, true)).toBe(4);
    expect(graph.count(/isAssignableToRole/)).toBe(1);
    expect(graph.count(/createdDateTime ge/)).toBe(0);

    // The group set is reused for DIRECTORY_CACHE_TTL_SECONDS.
    const s = source();
    await readAll(s);
    await readAll(s);
    expect(graph.count(/isAssignableToRole/)).toBe(2);
    clock.advance(301_000);
    await readAll(s);
    expect(graph.count(/isAssignableToRole/)).toBe(3);
  });

  it('falls back to the simpler documented shape when one is refused anyway, and says so once per process', async () => {
    const ids = oneOfEach();
    graph.refusedShapes = [/\$select=/];
    const s = source();
    const first = await readAll(s);
    expect(first.requests.map((r) => r.id).sort()).toEqual([ids.directory, ids.eligible, ids.assignable, ids.listed, ids.azure].sort());
    expect(first.warnings).toHaveLength(4);
    expect(first.warnings[0]).toMatch(
      /roleAssignmentScheduleRequests\?\$select=.* was refused \(BadRequest: .*\); reading \/roleManagement\/directory\/roleAssignmentScheduleRequests instead/,
    );
    expect((await readAll(s)).warnings).toEqual([]);

    // A group whose list is refused in every shape is skipped (said once); the rest is read.
    graph.refusedShapes = [new RegExp(`groupId eq '${ASSIGNABLE}'`)];
    const t = source();
    const second = await readAll(t);
    expect(second.requests.map((r) => r.id)).not.toContain(ids.assignable);
    expect(second.requests.map((r) => r.id)).toContain(ids.listed);
    expect(second.warnings.filter((w) => w.includes(`group ${ASSIGNABLE} not read`))).toHaveLength(1);
    expect((await readAll(t)).warnings.filter((w) => w.includes('not read'))).toEqual([]);
  });

  it('reads the other kinds when one cannot be read at all, and says so once per run', async () => {
    const ids = oneOfEach();
    graph.inject({ match: /privilegedAccess\/group\/\w+ScheduleRequests/, status: 403, times: 100, inBatch: true });
    arm.inject({ match: /roleEligibilityScheduleRequests/, status: 403, times: 100 });
    const s = source();
    for (let run = 0; run < 2; run++) {
      const { requests, warnings } = await readAll(s);
      expect(requests.map((r) => r.id).sort()).toEqual([ids.directory, ids.eligible, ids.azure].sort());
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^PIM for Groups requests not read this run: .*403.*PrivilegedAssignmentSchedule/);
      expect(warnings[1]).toMatch(/^Azure role eligibility requests of subscription .* not read this run: .*403/);
    }
  });

  it('queues what it could read and moves the cursor when a kind cannot be read; a transient failure fails the run after the others', async () => {
    const ids = oneOfEach();
    graph.inject({ match: /roleManagement\/directory/, status: 403, times: 100, inBatch: true });
    const queued: PimEvent[] = [];
    const cursors = new Map<string, string>();
    const logs: string[] = [];
    const deps = {
      source: source(),
      events: { send: async (e: PimEvent) => void queued.push(e), later: async () => {} },
      cursors: { cursor: async (k: string) => cursors.get(k), setCursor: async (k: string, v: string) => void cursors.set(k, v) },
      emitted: { has: async () => false, record: async () => 'recorded' as const },
      recorded: { recordRequest: async () => {}, recordedRequest: async () => undefined },
      tenantId: TENANT,
      reminderHours: [],
      clock,
      known: new Set<string>(),
      log: (level: string, message: string) => void logs.push(`${level} ${message}`),
    };
    const outcome = await collectRequestEvents(deps);
    expect(queued.map((e) => e.request?.id).sort()).toEqual([ids.assignable, ids.listed, ids.azure].sort());
    expect(cursors.get('scheduleRequests')).toBe(outcome.since);
    expect(logs.filter((l) => l.startsWith('warn directory role'))).toHaveLength(2);

    graph.clearFaults();
    arm.inject({ match: /roleAssignmentScheduleRequests/, status: 503, times: 100 });
    queued.length = 0;
    await expect(collectRequestEvents(deps)).rejects.toThrow(/503/);
    // The directory's requests, readable again, are queued before the ARM failure fails the run (the groups' were already).
    expect(queued.map((e) => e.request?.id).sort()).toEqual([ids.directory, ids.eligible].sort());
  });

  it('reads a subscription written as its alias, as ARM’s list example writes it, as the subscription', async () => {
    const id = rid();
    pim.add({
      id,
      kind: 'azureResource',
      scope: `/subscriptions/${SUB}`,
      createdDateTime: minutesAgo(5),
      principalId: ALICE,
      roleDefinitionId: READER,
    });
    arm.aliasSubscriptions = { lists: true, gets: false };
    const { requests } = await readAll(source());
    expect(requests).toEqual([expect.objectContaining({ id, scopeId: `/subscriptions/${SUB}` })]);
  });
});
