/**
 * The azd postprovision hook against local Graph and ARM endpoints: it grants what the
 * deploying identity may grant, leaves what exists, and prints ready-to-run commands for the
 * rest, with who must run them.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GRAPH_PERMISSIONS } from '../../shared/permissions/graph.js';
import { READER, QUEUE_MESSAGE_SENDER } from '../../scripts/postprovision/grants.js';
import { runHook } from '../../scripts/postprovision.js';
import { FakeArmGrants, FakeGraphGrants, GRAPH_APP_ROLES, GRAPH_SP_ID } from '../support/fakeGrants.js';
import { fakeCredential, routedFetch } from '../support/fakeServer.js';
import { sampleWorld } from '../support/clock.js';

const APP = '11111111-2222-4333-8444-555555555555';
const ME = '99999999-8888-4777-8666-555555555555';
const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';
const QUEUE_SCOPE = `/subscriptions/${SUB_A}/resourceGroups/rg-pim/providers/Microsoft.Storage/storageAccounts/stpim/queueServices/default/queues/pim-events`;

/** What azd passes the hook: its environment, with infra/main.bicep's outputs. */
const AZD_ENV = {
  AZURE_MANAGED_IDENTITY_PRINCIPAL_ID: APP,
  AZURE_SUBSCRIPTION_ID: SUB_A,
  AZURE_SUBSCRIPTION_IDS: `${SUB_A};${SUB_B}`,
  AZURE_RESOURCE_GROUP: 'rg-pim',
  AZURE_STORAGE_ACCOUNT_NAME: 'stpim',
  AZURE_QUEUE_NAME: 'pim-events',
  AZURE_PRINCIPAL_ID: ME,
};

let graph: FakeGraphGrants;
let arm: FakeArmGrants;
beforeAll(async () => {
  graph = await new FakeGraphGrants(sampleWorld).start();
  arm = await new FakeArmGrants(sampleWorld).start();
});
afterAll(async () => Promise.all([graph?.stop(), arm?.stop()]));
beforeEach(() => {
  graph.assignments.length = 0;
  arm.assignments.length = 0;
});

async function run(env: Record<string, string> = AZD_ENV) {
  let out = '';
  const deps = {
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
  };
  const report = await runHook(env, deps, (t) => (out += t));
  return { report, out };
}

const roleId = (permission: string) => GRAPH_APP_ROLES.find((r) => r.value === permission)!.id;

describe('postprovision hook', () => {
  it('as a subscription Owner without an Entra role: grants Reader and the queue role, prints the Graph grants', async () => {
    graph.callerMayGrant = false;
    arm.writableScopes = [`/subscriptions/${SUB_A}`];
    const { out } = await run();

    expect(arm.assignments).toEqual([
      expect.objectContaining({
        scope: `/subscriptions/${SUB_A}`,
        principalId: APP,
        principalType: 'ServicePrincipal',
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
      }),
      expect.objectContaining({
        scope: QUEUE_SCOPE,
        principalId: ME,
        principalType: 'User',
        roleDefinitionId: `/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleDefinitions/${QUEUE_MESSAGE_SENDER}`,
      }),
    ]);
    expect(graph.assignments).toEqual([]);

    // One ready-to-run command per Graph permission, with the real ids filled in...
    expect(out).toContain('# To be run by a Privileged Role Administrator (or Global Administrator) in Microsoft Entra ID:');
    for (const { permission } of GRAPH_PERMISSIONS) {
      const body = JSON.stringify({ principalId: APP, resourceId: GRAPH_SP_ID, appRoleId: roleId(permission) });
      expect(out).toContain(
        `# Graph application permission ${permission}\naz rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/${APP}/appRoleAssignments" --headers "Content-Type=application/json" --body '${body}'`,
      );
    }
    // ...and for the subscription it could not write to.
    expect(out).toContain(
      `# To be run by an Owner, User Access Administrator or Role Based Access Control Administrator of /subscriptions/${SUB_B}:`,
    );
    expect(out).toContain(
      `az role assignment create --assignee-object-id ${APP} --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/${SUB_B}`,
    );
    expect(out).toContain(`granted: Reader on /subscriptions/${SUB_A} for the app's identity`);
    // Exactly the permissions the code calls: none of the redundant or broader ones.
    expect(out).not.toMatch(/RoleAssignmentSchedule\.Read\.Directory|Directory\.Read\.All|User\.ReadBasic\.All/);
  });

  it('the printed Graph command, run as is, makes the grant', async () => {
    graph.callerMayGrant = false;
    arm.writableScopes = [];
    const { out } = await run();
    const line = out.split('\n').find((l) => l.startsWith('az rest') && l.includes(roleId('AuditLog.Read.All')))!;
    const body = JSON.parse(/--body '(.*)'$/.exec(line)![1]!) as Record<string, string>;
    // What `az rest` sends: the body as written, to the URI as written.
    const uri = /--uri "([^"]+)"/.exec(line)![1]!;
    graph.callerMayGrant = true;
    const response = await routedFetch({ 'https://graph.microsoft.com': graph })(uri, {
      method: 'POST',
      headers: { authorization: `Bearer ${graph.expectedToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    expect(graph.assignments).toEqual([
      expect.objectContaining({ principalId: APP, resourceId: GRAPH_SP_ID, appRoleId: roleId('AuditLog.Read.All') }),
    ]);
    expect(() => execFileSync('bash', ['-n', '-c', line])).not.toThrow();
  });

  it('as a Privileged Role Administrator and Owner: grants everything, and a re-run changes nothing', async () => {
    graph.callerMayGrant = true;
    arm.writableScopes = [`/subscriptions/${SUB_A}`, `/subscriptions/${SUB_B}`];
    // One permission granted earlier by hand.
    graph.assignments.push({ id: 'earlier', principalId: APP, resourceId: GRAPH_SP_ID, appRoleId: roleId('User.Read.All') });

    const first = await run();
    expect(new Set(graph.assignments.map((a) => a.appRoleId))).toEqual(new Set(GRAPH_PERMISSIONS.map((p) => roleId(p.permission))));
    expect(graph.assignments).toHaveLength(GRAPH_PERMISSIONS.length);
    expect(first.report.manual).toEqual([]);
    expect(first.report.already).toEqual(['Graph application permission User.Read.All']);
    expect(arm.assignments.map((a) => a.scope)).toEqual([`/subscriptions/${SUB_A}`, `/subscriptions/${SUB_B}`, QUEUE_SCOPE]);
    expect(first.out).toContain('Every grant is in place');

    const again = await run();
    expect(again.report.granted).toEqual([]);
    expect(again.report.already).toHaveLength(GRAPH_PERMISSIONS.length + 3);
    expect(graph.assignments).toHaveLength(GRAPH_PERMISSIONS.length);
    expect(arm.assignments).toHaveLength(3);
  });

  it('stops with a clear message outside azd, and falls back to the deployment subscription', async () => {
    await expect(run({ AZURE_SUBSCRIPTION_ID: SUB_A })).rejects.toThrow(
      /AZURE_MANAGED_IDENTITY_PRINCIPAL_ID is not set: run this hook through azd/,
    );
    graph.callerMayGrant = false;
    arm.writableScopes = [`/subscriptions/${SUB_A}`];
    const { report } = await run({ AZURE_MANAGED_IDENTITY_PRINCIPAL_ID: APP, AZURE_SUBSCRIPTION_ID: SUB_A });
    expect(arm.assignments.map((a) => a.scope)).toEqual([`/subscriptions/${SUB_A}`]);
    expect(report.manual.map((m) => m.what)).toEqual(GRAPH_PERMISSIONS.map((p) => `Graph application permission ${p.permission}`));
  });
});
