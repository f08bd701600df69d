/**
 * Issue 23: the local Graph answers as Graph's reference pages say, one case per rule of
 * test/support/graphContract.ts: a query option the page does not list, a `$filter` on a
 * property not marked filterable (or with an operator not listed), a missing required filter,
 * a `$top` past the page limit, an advanced query without its parameters (also inside $batch)
 * are all 400 with Graph's error body; the documented shapes are served.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeAuditGraph } from '../../support/fakeAudit.js';
import { sampleTenant, USERS, GROUPS } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';
import { GRAPH_CONTRACT, graphRefusal } from '../../support/graphContract.js';

let graph: FakeAuditGraph;
beforeAll(async () => {
  graph = await new FakeAuditGraph(sampleTenant(), sampleWorld).start();
});
afterAll(async () => {
  await graph?.stop();
});

const ADVANCED = { ConsistencyLevel: 'eventual' };

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${graph.url}/v1.0${path}`, { headers: { authorization: `Bearer ${graph.expectedToken}`, ...headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A 400 in Graph's error shape: code, message, innerError with date and request-id. */
function expectRefused(reply: { status: number; body: Record<string, unknown> }, code: string, message?: RegExp): void {
  expect(reply.status).toBe(400);
  expect(reply.body).toEqual({
    error: {
      code,
      message: expect.stringMatching(message ?? /./),
      innerError: { date: expect.any(String), 'request-id': expect.any(String) },
    },
  });
}

const A_ROLE = '62e90394-69f5-4237-9190-012177145e10';
const RA = '/roleManagement/directory/roleAssignmentScheduleInstances';
const RE = '/roleManagement/directory/roleEligibilityScheduleInstances';
const POLICIES = '/policies/roleManagementPolicyAssignments';
const GROUP_ACCESS = '/identityGovernance/privilegedAccess/group';
const AUDITS = '/auditLogs/directoryAudits';

describe('refused as Graph refuses them', () => {
  test('roleDefinitions: $select is not among the options its page lists; templateId is not filterable', async () => {
    expectRefused(
      await get('/roleManagement/directory/roleDefinitions?$select=id,displayName'),
      'BadRequest',
      /Query option 'select' is not allowed/,
    );
    expectRefused(await get(`/roleManagement/directory/roleDefinitions?$filter=templateId eq '${A_ROLE}'`), 'BadRequest', /templateId/);
    expect((await get('/roleManagement/directory/roleDefinitions')).status).toBe(200);
  });

  test('schedule instances: no $top or $orderby, a date is not filterable, assignmentType only on assignments', async () => {
    expectRefused(await get(`${RA}?$top=5`), 'BadRequest', /'top' is not allowed/);
    expectRefused(await get(`${RA}?$orderby=principalId`), 'BadRequest', /'orderby' is not allowed/);
    expectRefused(await get(`${RA}?$filter=startDateTime ge 2026-01-01T00:00:00Z`), 'BadRequest', /startDateTime/);
    expectRefused(await get(`${RE}?$filter=assignmentType eq 'Assigned'`), 'BadRequest', /assignmentType/);
    expect((await get(`${RA}?$filter=roleDefinitionId eq '${A_ROLE}'`)).status).toBe(200);
  });

  test('roleManagementPolicyAssignments: scopeId and scopeType required, with the values the page allows; only policy expands', async () => {
    expectRefused(await get(POLICIES), 'BadRequest', /requires \$filter \(eq\) on scopeId and scopeType/);
    expectRefused(await get(`${POLICIES}?$filter=scopeId eq '/'`), 'BadRequest', /scopeId and scopeType/);
    expectRefused(await get(`${POLICIES}?$filter=scopeId eq 'x' and scopeType eq 'DirectoryRole'`), 'BadRequest', /scopeId must be '\/'/);
    expectRefused(await get(`${POLICIES}?$filter=scopeId eq '/' and scopeType eq 'Tenant'`), 'BadRequest', /scopeType 'Tenant'/);
    expectRefused(
      await get(`${POLICIES}?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'&$expand=rules`),
      'BadRequest',
      /expand 'rules'/,
    );
    const documented = `${POLICIES}?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${A_ROLE}'&$expand=policy($expand=rules)`;
    expect((await get(documented)).status).toBe(200);
  });

  test('PIM for Groups schedule instances: groupId or principalId required', async () => {
    for (const list of ['assignmentScheduleInstances', 'eligibilityScheduleInstances']) {
      expectRefused(await get(`${GROUP_ACCESS}/${list}`), 'BadRequest', /groupId or principalId/);
      expectRefused(await get(`${GROUP_ACCESS}/${list}?$filter=accessId eq 'member'`), 'BadRequest', /groupId or principalId/);
      expectRefused(await get(`${GROUP_ACCESS}/${list}?$filter=createdDateTime ge 2026-01-01T00:00:00Z`), 'BadRequest', /createdDateTime/);
      expect((await get(`${GROUP_ACCESS}/${list}?$filter=groupId eq '${GROUPS.approvers}'`)).status).toBe(200);
    }
  });

  test('users and groups: $top past 999, more than 15 values in `in`, negation and $filter+$orderby without the advanced query parameters, an unlisted property', async () => {
    expectRefused(await get('/users?$top=1000'), 'Request_UnsupportedQuery', /between 1 and 999/);
    const sixteen = Array.from({ length: 16 }, (_, i) => `'${String(i).padStart(8, '0')}-0000-0000-0000-000000000000'`).join(',');
    expectRefused(await get(`/users?$filter=id in (${sixteen})`), 'Request_UnsupportedQuery', /Max allowed: 15/);
    expectRefused(await get(`/users?$filter=id ne '${USERS.alain}'`), 'Request_UnsupportedQuery', /ConsistencyLevel header to eventual/);
    expectRefused(await get("/users?$filter=department eq 'Sales'"), 'Request_UnsupportedQuery', /department/);
    expectRefused(
      await get(`/users?$filter=id eq '${USERS.alain}'&$orderby=displayName`),
      'Request_UnsupportedQuery',
      /\$orderby together/,
    );
    expectRefused(await get('/groups?$filter=isAssignableToRole ne false'), 'Request_UnsupportedQuery', /ConsistencyLevel/);
    expectRefused(await get('/users?$search="displayName:a"'), 'Request_UnsupportedQuery', /ConsistencyLevel: eventual/);
    expect((await get(`/users?$filter=id in ('${USERS.alain}','${USERS.bea}')&$select=id`)).status).toBe(200);
    expect((await get('/groups?$filter=isAssignableToRole eq true&$select=id,displayName&$top=999')).status).toBe(200);
  });

  test('a single user, group or service principal: $select and $expand only', async () => {
    expectRefused(await get(`/users/${USERS.alain}?$top=1`), 'BadRequest', /'top' is not allowed/);
    expectRefused(await get(`/groups/${GROUPS.approvers}?$filter=id eq 'x'`), 'BadRequest', /'filter' is not allowed/);
    expect((await get(`/users/${USERS.alain}?$select=id,mail`)).status).toBe(200);
  });

  test('group members: no $orderby; the transitive user cast only as an advanced query, inside $batch too', async () => {
    expectRefused(await get(`/groups/${GROUPS.approvers}/members?$orderby=displayName`), 'BadRequest', /'orderby' is not allowed/);
    const cast = `/groups/${GROUPS.approvers}/transitiveMembers/microsoft.graph.user`;
    expectRefused(await get(`${cast}?$select=id`), 'Request_UnsupportedQuery', /ConsistencyLevel header set to eventual and \$count=true/);
    expectRefused(await get(`${cast}?$count=true`), 'Request_UnsupportedQuery');
    expectRefused(await get(`${cast}?$select=id`, ADVANCED), 'Request_UnsupportedQuery');
    expect((await get(`${cast}?$count=true&$select=id`, ADVANCED)).status).toBe(200);
    const batch = await fetch(`${graph.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${graph.expectedToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: `${cast}?$select=id` },
          { id: '2', method: 'GET', url: `${cast}?$count=true&$select=id`, headers: ADVANCED },
        ],
      }),
    });
    const { responses } = (await batch.json()) as { responses: { id: string; status: number; body: { error?: { code: string } } }[] };
    expect(responses.map((r) => [r.id, r.status, r.body.error?.code])).toEqual([
      ['1', 400, 'Request_UnsupportedQuery'],
      ['2', 200, undefined],
    ]);
  });

  test('directoryAudits: category and result are not filterable, gt is not a documented operator, no $select', async () => {
    expectRefused(await get(`${AUDITS}?$filter=category eq 'RoleManagement'`), 'BadRequest', /category/);
    expectRefused(await get(`${AUDITS}?$filter=result eq 'success'`), 'BadRequest', /result/);
    expectRefused(await get(`${AUDITS}?$filter=activityDateTime gt 2026-01-01T00:00:00Z`), 'BadRequest', /operator 'gt'/);
    expectRefused(await get(`${AUDITS}?$select=id`), 'BadRequest', /'select' is not allowed/);
    expectRefused(await get(`${AUDITS}?$filter=loggedByService eq 'PIM' and`), 'BadRequest', /Invalid filter clause/);
    const documented = `${AUDITS}?$filter=loggedByService eq 'PIM' and activityDateTime ge 2026-01-01T00:00:00Z and activityDateTime le 2026-01-02T00:00:00Z&$top=50&$orderby=activityDateTime desc`;
    expect((await get(documented)).status).toBe(200);
  });
});

describe('where the documentation is silent, both behaviours', () => {
  const owners = `/groups/${GROUPS.owners}/owners/microsoft.graph.user`;

  test('the owners user cast: served without the advanced query parameters, or refused without them when switched', async () => {
    expect((await get(`${owners}?$select=id`)).status).toBe(200);
    graph.contract.ownersCastNeedsAdvancedQuery = true;
    try {
      expectRefused(await get(`${owners}?$select=id`), 'Request_UnsupportedQuery', /ConsistencyLevel/);
      const reply = await get(`${owners}?$count=true&$select=id`, ADVANCED);
      expect(reply.status).toBe(200);
      expect(reply.body['@odata.count']).toEqual((reply.body['value'] as unknown[]).length);
    } finally {
      graph.contract.ownersCastNeedsAdvancedQuery = false;
    }
  });
});

test('every rule names its page and the sentence behind it; an unlisted path is not judged by the table', () => {
  for (const rule of GRAPH_CONTRACT) {
    expect(rule.doc).toMatch(/\.md|^https:\/\/learn\.microsoft\.com\//);
    expect(rule.sentence.length).toBeGreaterThan(20);
  }
  expect(graphRefusal('/me/messages', new URLSearchParams('$top=5000'), {})).toBeUndefined();
});
