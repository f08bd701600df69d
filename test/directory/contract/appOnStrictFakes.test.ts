/**
 * Issue 23: the app's readers against the strict local Graph and ARM. Every call the directory,
 * the export and the audit collector make has a row in the documented contract (so none goes
 * unjudged) and none is refused; the two shapes the app sent before and Microsoft does not
 * document are refused now (roleDefinitions with `$select`; the owners user cast without the
 * advanced query parameters, where Graph needs them), and the app reads the owners whichever
 * way Graph treats that cast.
 */
import { afterEach, expect, test } from 'vitest';
import { exportDirectorySnapshot } from '../../../dev/export/exportSnapshot.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import { GraphReader } from '../../../shared/directory/graph/graphReader.js';
import { GraphApi } from '../../../shared/directory/graph/graphClient.js';
import { GraphAuditSource } from '../../../shared/sources/graphAuditSource.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { sampleTenant, RG, SUB, USERS, GROUPS } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';
import { FakeAuditGraph } from '../../support/fakeAudit.js';
import { fakeCredential, routedFetch } from '../../support/fakeServer.js';
import { GRAPH_CONTRACT } from '../../support/graphContract.js';
import { ARM_CONTRACT } from '../../support/armContract.js';
import { groupTenant, NOW, SOC, U } from '../groupTenant.js';

let h: Harness | undefined;
let audit: FakeAuditGraph | undefined;
afterEach(async () => {
  await Promise.all([h?.stop(), audit?.stop()]);
  h = audit = undefined;
});

/** The recorded requests' paths that no row of the contract judges (outer $batch envelopes aside). */
function unjudged(harness: Harness): string[] {
  const graph = harness.graph.requests
    .filter((r) => !r.url.startsWith('/v1.0/$batch'))
    .map((r) => r.url.split('?')[0]!.slice('/v1.0'.length))
    .filter((path) => !GRAPH_CONTRACT.some((rule) => rule.path.test(path)));
  const arm = harness.arm.requests
    .map((r) => r.url.split('?')[0]!.toLowerCase().replace(/\/+$/, ''))
    .filter((path) => !ARM_CONTRACT.some((rule) => rule.path.test(path)));
  return [...new Set([...graph, ...arm])];
}

test('every Graph and ARM call of the directory and the export has a contract row, and the strict services serve them all', async () => {
  h = await startHarness(sampleTenant(), { server: { ...sampleWorld, pageSize: 2 } });
  const snapshot = (await exportDirectorySnapshot(h.directory, { subscriptionIds: [SUB] })) as { users: unknown[] };
  expect(snapshot.users.length).toBeGreaterThan(0);
  // The event path's own reads: holders at a resource group (atScope()), policies, names, people.
  expect((await h.directory.azureScopeAdmins(RG)).length).toBeGreaterThan(0);
  await h.directory.rolePolicy({ kind: 'azureResource', id: RG }, ROLE.owner);
  await h.directory.rolePolicy({ kind: 'directory', id: '/' }, ROLE.globalAdministrator);
  await h.directory.directoryRoleHolders(ROLE.globalAdministrator);
  await h.directory.roleDisplayName({ kind: 'azureResource', id: RG }, ROLE.owner);
  await h.directory.azureScopeDisplayName('/providers/Microsoft.Management/managementGroups/mg-root');
  await h.directory.groupMembers(GROUPS.approvers);
  await h.directory.user(USERS.alain);
  await h.directory.groupOwners(GROUPS.owners);
  expect(h.graph.requests.length).toBeGreaterThan(5);
  expect(h.arm.requests.length).toBeGreaterThan(3);
  expect(unjudged(h)).toEqual([]);
});

test('the audit collector reads directoryAudits with the documented filter only', async () => {
  audit = await new FakeAuditGraph(sampleTenant(), sampleWorld).start();
  const api = new GraphApi({
    baseUrl: 'https://graph.microsoft.com',
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': audit }),
  });
  const pages = [];
  for await (const page of new GraphAuditSource(api).pages('2026-11-23T05:00:00Z', '2026-11-23T06:00:00Z')) pages.push(page);
  expect(pages).toEqual([[]]);
  expect(audit.count(/directoryAudits\?\$filter=loggedByService eq 'PIM' and activityDateTime ge /)).toBe(1);
});

test('role definitions are listed without $select, which their page does not document; the old query is refused', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  const reader = new GraphReader(h.directory.graph.api);
  expect((await reader.roleDefinitions()).length).toBeGreaterThan(0);
  expect(h.graph.count(/roleDefinitions\?/)).toBe(0);
  await expect(reader.api.get('/roleManagement/directory/roleDefinitions?$select=id,displayName,templateId')).rejects.toMatchObject({
    statusCode: 400,
    code: 'BadRequest',
  });
});

for (const needsAdvanced of [false, true]) {
  test(`a group's owners are read whether or not Graph needs the advanced query parameters for the user cast (${needsAdvanced ? 'needs' : 'does not need'})`, async () => {
    // One owner per page: the next pages, read by nextLink outside the $batch, carry the advanced query's header too.
    h = await startHarness(groupTenant(), { server: { now: () => NOW, pageSize: 1 } });
    h.graph.contract.ownersCastNeedsAdvancedQuery = needsAdvanced;
    expect((await h.directory.groupOwners(SOC)).map((o) => o.id).sort()).toEqual([U.olga, U.pete].sort());
    expect(h.graph.count(/\/owners\/microsoft\.graph\.user\?\$count=true&.*skiptoken/, false)).toBeGreaterThan(0);
    // The shape sent before: served only where the cast needs nothing more.
    const [old] = await h.directory.graph.api.batchGet([`/groups/${SOC}/owners/microsoft.graph.user?$select=id`]);
    expect(old!.status).toBe(needsAdvanced ? 400 : 200);
  });
}
