/**
 * "Once" means once per permission: calls with their own ids in the path (each group's
 * members, each subscription's schedules) that lack the same permission are one line; a
 * different permission, or the Reader role on another subscription, is a line of its own.
 * The errors are the clients' own, from the local Graph/ARM answering 403.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArmApi } from '../../shared/directory/arm/armClient.js';
import { GraphApi } from '../../shared/directory/graph/graphClient.js';
import { forgetReportedPermissions, missingPermission, reportMissingPermission } from '../../shared/permissions/missing.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeGraph, fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { GROUPS, SUB, sampleTenant } from '../support/sampleTenant.js';
import { sampleWorld } from '../support/clock.js';

const GRAPH = 'https://graph.microsoft.com';
const ARM = 'https://management.azure.com';
let graph: FakeGraph;
let arm: FakeArm;
beforeAll(async () => {
  graph = await new FakeGraph(sampleTenant(), { ...sampleWorld, publicBaseUrl: GRAPH }).start();
  arm = await new FakeArm(sampleTenant(), { ...sampleWorld, publicBaseUrl: ARM }).start();
});
afterAll(async () => Promise.all([graph?.stop(), arm?.stop()]));
afterEach(() => forgetReportedPermissions());

async function refused(call: () => Promise<unknown>) {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  const missing = missingPermission(error);
  expect(missing, String(error)).toBeDefined();
  return missing!;
}

describe('reportMissingPermission', () => {
  it('logs one line per permission, whatever the ids in the calls', async () => {
    const fetch = routedFetch({ [GRAPH]: graph, [ARM]: arm });
    const api = new GraphApi({ baseUrl: GRAPH, credential: fakeCredential(), fetch });
    const armApi = new ArmApi({ baseUrl: ARM, credential: fakeCredential(), fetch });
    graph.inject({ match: /\/groups\//, status: 403, times: 100 });
    graph.inject({ match: /\/organization/, status: 403, times: 100 });
    arm.inject({ match: /./, status: 403, times: 100 });
    const OTHER_SUB = '00000000-0000-0000-0000-0000000000bb';
    const errors = [
      await refused(() => api.get(`/groups/${GROUPS.approvers}/members`)),
      await refused(() => api.get(`/groups/${GROUPS.inner}/members`)),
      await refused(() => api.get('/organization')),
      await refused(() =>
        armApi.list(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01`),
      ),
      await refused(() =>
        armApi.list(
          `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Authorization/roleManagementPolicyAssignments?api-version=2020-10-01`,
        ),
      ),
      await refused(() =>
        armApi.list(`/subscriptions/${OTHER_SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=2020-10-01`),
      ),
    ];
    expect(errors.map((e) => e.permission)).toEqual([
      'GroupMember.Read.All',
      'GroupMember.Read.All',
      'Organization.Read.All',
      `Reader on /subscriptions/${SUB}`,
      `Reader on /subscriptions/${SUB}`,
      `Reader on /subscriptions/${OTHER_SUB}`,
    ]);

    const lines: string[] = [];
    const reported = errors.map((e) => reportMissingPermission((_, m) => lines.push(m), e, 'the test goes on'));
    expect(reported).toEqual([true, false, true, true, false, true]);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      new RegExp(
        `Microsoft Graph GET /groups/${GROUPS.approvers}/members failed with 403 Authorization_RequestDenied: .*GroupMember\\.Read\\.All`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(`Azure Resource Manager GET /subscriptions/${SUB}/.* failed with 403 AuthorizationFailed: .*Reader role`),
    );
    expect(lines[3]).toContain(OTHER_SUB);
  });
});
