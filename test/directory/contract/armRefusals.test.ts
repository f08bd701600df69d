/**
 * Issue 23: the local ARM answers as the REST specs say, one case per rule of
 * test/support/armContract.ts: an api-version the operation's spec does not publish, a query
 * parameter it does not declare, a `$filter` its description does not give, are 400 with ARM's
 * error body ({ error: { code, message } }); the documented shapes are served.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakeArm } from '../../support/fakeArm.js';
import { sampleTenant, SUB, USERS } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';
import { ARM_CONTRACT, armRefusal } from '../../support/armContract.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';

let arm: FakeArm;
beforeAll(async () => {
  arm = await new FakeArm(sampleTenant(), sampleWorld).start();
});
afterAll(async () => {
  await arm?.stop();
});

const SCOPE = `/subscriptions/${SUB}`;
const AUTH = `${SCOPE}/providers/Microsoft.Authorization`;
const OWNER = ROLE.owner;

async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${arm.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${arm.expectedToken}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function expectRefused(reply: { status: number; body: Record<string, unknown> }, code: string, message: RegExp): void {
  expect(reply.status).toBe(400);
  expect(reply.body).toEqual({ error: { code, message: expect.stringMatching(message) } });
}

test('roleAssignments: atScope() or principalId eq only, at an api-version the spec publishes', async () => {
  expectRefused(await get(`${AUTH}/roleAssignments?api-version=2099-01-01&$filter=atScope()`), 'NoRegisteredProviderFound', /2099-01-01/);
  expectRefused(
    await get(`${AUTH}/roleAssignments?api-version=2022-04-01&$filter=roleDefinitionId eq '${OWNER}'`),
    'UnsupportedQuery',
    /roleDefinitionId/,
  );
  expectRefused(await get(`${AUTH}/roleAssignments?api-version=2022-04-01&$top=5`), 'BadRequest', /'\$top' is not supported/);
  expect((await get(`${AUTH}/roleAssignments?api-version=2022-04-01&$filter=atScope()`)).status).toBe(200);
});

test('schedule instances: the described filters only, one at a time', async () => {
  for (const list of ['roleAssignmentScheduleInstances', 'roleEligibilityScheduleInstances']) {
    const base = `${AUTH}/${list}?api-version=2020-10-01`;
    expectRefused(await get(`${base}&$filter=scope eq '${SCOPE}'`), 'UnsupportedQuery', /scope eq/);
    expectRefused(await get(`${base}&$filter=atScope() and principalId eq '${USERS.alain}'`), 'UnsupportedQuery', /atScope\(\) and/);
    expectRefused(await get(`${base}&$filter=createdOn ge 2026-01-01`), 'UnsupportedQuery', /createdOn/);
    expectRefused(await get(`${AUTH}/${list}?api-version=2022-04-01`), 'NoRegisteredProviderFound', /2022-04-01/);
    expect((await get(`${base}&$filter=atScope()`)).status).toBe(200);
    expect((await get(base)).status).toBe(200);
  }
});

test('roleManagementPolicyAssignments (2020-10-01) takes no $filter at all', async () => {
  expectRefused(
    await get(`${AUTH}/roleManagementPolicyAssignments?api-version=2020-10-01&$filter=roleDefinitionId eq '${OWNER}'`),
    'BadRequest',
    /'\$filter' is not supported by RoleManagementPolicyAssignments_ListForScope/,
  );
  expect((await get(`${AUTH}/roleManagementPolicyAssignments?api-version=2020-10-01`)).status).toBe(200);
});

test('single resources: a policy, a role definition, a subscription, a management group at their published api-versions, no other parameters', async () => {
  expectRefused(
    await get(`${AUTH}/roleManagementPolicies/${OWNER}-policy?api-version=2022-04-01`),
    'NoRegisteredProviderFound',
    /2022-04-01/,
  );
  expectRefused(await get(`${AUTH}/roleDefinitions/${OWNER}?api-version=2022-04-01&$filter=x`), 'BadRequest', /'\$filter'/);
  expectRefused(await get(`${SCOPE}?api-version=2099-01-01`), 'NoRegisteredProviderFound', /Subscriptions_Get/);
  expectRefused(await get(`${SCOPE}/resourcegroups?api-version=2021-04-01&$expand=tags`), 'BadRequest', /'\$expand'/);
  expectRefused(
    await get('/providers/Microsoft.Management/managementGroups/mg-root?api-version=2020-01-01'),
    'NoRegisteredProviderFound',
    /ManagementGroups_Get/,
  );
  expect((await get(`${SCOPE}?api-version=2022-12-01`)).status).toBe(200);
  expect((await get(`${SCOPE}/resourcegroups?api-version=2021-04-01`)).status).toBe(200);
});

test('every rule names its spec and the sentence behind it; an unlisted path is not judged by the table', () => {
  for (const rule of ARM_CONTRACT) {
    expect(rule.doc).toMatch(/^specification\/.+\.json/);
    expect(rule.apiVersions.length).toBeGreaterThan(0);
    expect(rule.sentence.length).toBeGreaterThan(20);
  }
  expect(armRefusal(`${SCOPE}/providers/Microsoft.Storage/storageAccounts`, new URLSearchParams('api-version=1999-01-01'))).toBeUndefined();
});
