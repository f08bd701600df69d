/**
 * Issue 16: the readers, the export and the audit source over Microsoft's documented example
 * responses (test/fixtures/microsoft/, served by test/support/documented.ts): `{ id }`-only
 * group members, objects without an id, the advanced-query headers of the user cast (also in
 * $batch), ARM's expandedProperties (with the eligibility example's mismatching id) and
 * effectiveRules, and directoryAudit records spelled as the Graph reference spells them.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../dev/export/exportSnapshot.js';
import { createGraphDirectory } from '../../../shared/composition/services.js';
import type { GraphDirectory } from '../../../shared/directory/graphDirectory.js';
import { GraphReader } from '../../../shared/directory/graph/graphReader.js';
import { ROLE, type RoleHolder } from '../../../shared/directory/roleDirectory.js';
import { parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import { loadSettings } from '../../../shared/settings/settings.js';
import { mapAuditRecord } from '../../../shared/sources/auditRecord.js';
import { GraphAuditSource } from '../../../shared/sources/graphAuditSource.js';
import { DOCUMENTED, DocumentedArm, DocumentedGraph } from '../../support/documented.js';
import { fakeCredential, routedFetch } from '../../support/fakeServer.js';
import { FakeGraph } from '../../support/fakeGraph.js';
import { EMPTY_TENANT } from '../../support/fakeAudit.js';
import { GraphApi } from '../../../shared/directory/graph/graphClient.js';
import { sampleWorld } from '../../support/clock.js';

const D = DOCUMENTED;
const SUB_SCOPE = `/subscriptions/${D.subscription}`;
let graph: DocumentedGraph;
let arm: DocumentedArm;
let directory: GraphDirectory;
const warnings: string[] = [];
let reader: GraphReader;

beforeAll(async () => {
  graph = await new DocumentedGraph(sampleWorld).start();
  arm = await new DocumentedArm(sampleWorld).start();
  const settings = loadSettings({
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    ARM_BASE_URL: 'https://management.azure.com',
    AZURE_SUBSCRIPTION_IDS: D.subscription,
  });
  directory = await createGraphDirectory(settings, {
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
  });
  reader = new GraphReader(directory.graph.api, (_level, message) => warnings.push(message));
});
afterAll(async () => {
  await Promise.all([graph?.stop(), arm?.stop()]);
});

test('Graph readers read the documented answers: organization, role definitions, schedule instances with null end dates, expanded policies', async () => {
  expect(await reader.organization()).toEqual({ id: D.tenant, displayName: 'Contoso' });
  expect((await reader.roleDefinitions()).map((d) => d.templateId)).toEqual([ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator]);
  const active = await reader.activeInstances();
  expect(active.map((i) => [i.principalId, i.assignmentType, i.endDateTime])).toEqual([
    [D.adele, 'Assigned', null],
    [D.servicePrincipal, 'Assigned', null],
  ]);
  expect((await reader.eligibleInstances()).map((i) => i.principalId)).toEqual([D.alex, D.group]);
  const rules = (await reader.directoryRolePolicies()).get(ROLE.globalAdministrator) ?? [];
  expect(rules.map((r) => r.id)).toContain('Approval_EndUser_Assignment');
  expect((await reader.servicePrincipals([D.servicePrincipal])).get(D.servicePrincipal)?.displayName).toBe('Contoso Automation');
});

test('a user or member without an id is skipped with a warning, not a crash', async () => {
  warnings.length = 0;
  const users = await reader.allUsers();
  expect(users.map((u) => u.id)).toEqual([D.adele, D.alex, D.userAccount, D.joseph]);
  const members = await reader.transitiveUsers([D.group]);
  expect(members.get(D.group)?.map((u) => u.id)).toEqual([D.joseph]);
  expect(warnings).toEqual([expect.stringContaining('without an id'), expect.stringContaining('without an id')]);
  expect(warnings.join('\n')).not.toMatch(/AADContoso|@contoso/);
});

test('the user cast goes as an advanced query (ConsistencyLevel: eventual, $count=true), inside $batch too; without them the local Graph refuses it as Graph does', async () => {
  const path = `/groups/${D.group}/transitiveMembers/microsoft.graph.user`;
  const [bare] = await directory.graph.api.batchGet([`${path}?$select=id`]);
  expect(bare).toMatchObject({ status: 400, body: { error: { code: 'Request_UnsupportedQuery' } } });
  await expect(directory.graph.api.get(`${path}?$count=true`)).rejects.toThrow(/400/);
  const [advanced] = await directory.graph.api.batchGet([`${path}?$count=true&$select=id`], { ConsistencyLevel: 'eventual' });
  expect(advanced).toMatchObject({ status: 200, body: { '@odata.count': 2 } });
  // What the directory itself sends passes the check.
  expect((await directory.groupMembers(D.group)).map((p) => p.id)).toEqual([D.joseph]);
});

test('the export over the documented answers: untyped members resolved by id, answers the same as the live directory, ARM read once', async () => {
  graph.resetCounts();
  arm.resetCounts();
  const exported = (await exportDirectorySnapshot(directory, { subscriptionIds: [D.subscription] })) as {
    groups: { id: string; members: string[] }[];
    azureResources: {
      id: string;
      roleDefinitions: { id: string; displayName: string }[];
      roleAssignments: { principalId: string; roleDefinitionId: string; state: string }[];
    }[];
  };
  // Names only for the roles no instance names for its own id (b24988ac, UAA), once each; no policy GETs.
  expect(arm.count(/\/roleDefinitions\//i)).toBe(2);
  expect(arm.count(/\/roleManagementPolicies\//i)).toBe(0);
  expect(exported.groups).toContainEqual(expect.objectContaining({ id: D.group, members: [D.joseph] }));
  const { snapshot, warnings: snapshotWarnings } = parseSnapshot(JSON.parse(JSON.stringify(exported)));
  expect(snapshotWarnings).toEqual([]);
  const offline = new SnapshotDirectory(snapshot);
  const people = (list: readonly { id: string; address: string | null }[]) => list.map((p) => `${p.id} ${p.address}`).sort();
  const holders = (list: readonly RoleHolder[]) => list.map((h) => `${h.id} ${h.state} ${h.address} ${h.roleDefinitionId}`).sort();
  expect(people(await offline.groupMembers(D.group))).toEqual(people(await directory.groupMembers(D.group)));
  expect(people(await offline.groupMembers(D.group))).toEqual([`${D.joseph} JosephP@contoso.com`]);
  expect(holders(await offline.directoryRoleHolders(ROLE.globalAdministrator))).toEqual(
    holders(await directory.directoryRoleHolders(ROLE.globalAdministrator)),
  );
  expect(holders(await offline.azureScopeAdmins(SUB_SCOPE))).toEqual(holders(await directory.azureScopeAdmins(SUB_SCOPE)));
  const where = { kind: 'azureResource' as const, id: SUB_SCOPE };
  expect(await offline.rolePolicy(where, ROLE.owner)).toEqual(await directory.rolePolicy(where, ROLE.owner));
  // The live directory too takes the policy from the assignment list's effectiveRules.
  expect(arm.count(/\/roleManagementPolicies\//i)).toBe(0);

  const sub = exported.azureResources.find((r) => r.id === SUB_SCOPE)!;
  // properties.roleDefinitionId is the id; the eligibility example's expandedProperties name another role.
  expect(sub.roleAssignments.find((a) => a.state === 'eligible')?.roleDefinitionId).toBe('b24988ac-6180-42a0-ab88-20f7382dd24c');
  expect(sub.roleDefinitions).toEqual(
    expect.arrayContaining([
      { id: 'c8d4ff99-41c3-41a8-9f60-21dfdad59608', displayName: 'Contributor' },
      { id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', displayName: 'Contributor' },
      { id: ROLE.owner, displayName: 'Owner' },
      { id: ROLE.userAccessAdministrator, displayName: 'User Access Administrator' },
    ]),
  );
});

test('the audit source reads the documented directoryAudits: capitalised Type, targetResource, "(time bound)", a renewal', async () => {
  const source = new GraphAuditSource(directory.graph.api);
  const records = [];
  for await (const page of source.pages('2026-11-25T00:00:00Z', '2026-11-26T00:00:00Z')) records.push(...page);
  const mapped = records.map((r) => mapAuditRecord(r, D.tenant));
  expect(mapped.map((m) => m.kind)).toEqual(['event', 'event', 'event']);
  const events = mapped.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
  expect(events[0]).toMatchObject({
    type: 'activationCompleted',
    role: { id: ROLE.globalAdministrator, displayName: 'Global Administrator' },
    principal: { id: D.alex, type: 'user' },
    actor: { id: D.alex },
  });
  expect(events[1]).toMatchObject({
    type: 'roleAssigned',
    role: { id: ROLE.privilegedRoleAdministrator },
    principal: { id: D.joseph },
    assignment: { state: 'eligible', permanent: false, endDateTime: '2027-05-25T08:00:00.000Z' },
  });
  expect(events[2]).toMatchObject({
    type: 'roleRenewed',
    principal: { id: D.alex },
    assignment: { endDateTime: '2027-11-25T07:00:00.000Z' },
  });
});

test('schedule instances and role definitions without their ids are skipped with a warning', async () => {
  const tenant = EMPTY_TENANT(D.tenant);
  tenant.roleDefinitions.push({ id: ROLE.globalAdministrator, displayName: 'Global Administrator' });
  tenant.roleAssignments.push(
    { principalId: D.adele, roleDefinitionId: ROLE.globalAdministrator, directoryScopeId: '/', assignmentType: 'Assigned' },
    {
      principalId: undefined as unknown as string,
      roleDefinitionId: ROLE.globalAdministrator,
      directoryScopeId: '/',
      assignmentType: 'Assigned',
    },
  );
  const local = await new FakeGraph(tenant, sampleWorld).start();
  try {
    const seen: string[] = [];
    const api = new GraphApi({
      baseUrl: 'https://graph.microsoft.com',
      credential: fakeCredential(),
      fetch: routedFetch({ 'https://graph.microsoft.com': local }),
    });
    const localReader = new GraphReader(api, (_level, message) => seen.push(message));
    expect((await localReader.activeInstances()).map((i) => i.principalId)).toEqual([D.adele]);
    expect(seen).toEqual([expect.stringContaining('without principalId or roleDefinitionId')]);
  } finally {
    await local.stop();
  }
});
