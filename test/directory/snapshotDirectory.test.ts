/** SnapshotDirectory on small inline tenants, one edge case at a time. */
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { approvalSetting, notificationSetting } from '../../shared/rules/policy.js';

const id = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const NOW = new Date('2026-11-20T12:00:00Z');
const GA = ROLE.globalAdministrator;
const SUB = `/subscriptions/${id(500)}`;
const RG = `${SUB}/resourceGroups/rg-data`;

const user = (n: number, name: string, extra: Record<string, unknown> = {}) => ({
  id: id(n),
  displayName: name,
  mail: `${name.toLowerCase()}@fabrikam.com`,
  userPrincipalName: `${name.toLowerCase()}@fabrikam.com`,
  ...extra,
});
const group = (n: number, name: string, members: number[]) => ({ id: id(n), displayName: name, members: members.map(id) });

function directory(parts: Record<string, unknown>, now: Date = NOW): SnapshotDirectory {
  const { snapshot } = parseSnapshot({ tenant: { id: id(999), displayName: 'Fabrikam', pimEnabled: true }, ...parts });
  return new SnapshotDirectory(snapshot, { clock: { now: () => now } });
}

describe('directoryRoleHolders', () => {
  const people = [user(1, 'Ada'), user(2, 'Bo'), user(3, 'Cy'), user(4, 'Di'), user(5, 'Eve')];
  // Outer contains Middle contains Inner; Inner contains Outer again (a cycle).
  const groups = [group(10, 'Outer', [1, 11]), group(11, 'Middle', [2, 12]), group(12, 'Inner', [3, 10])];

  it('expands nested groups transitively and survives a membership cycle', async () => {
    const dir = directory({ users: people, groups, roleEligibilities: [{ principalId: id(10), roleDefinitionId: GA }] });
    const holders = await dir.directoryRoleHolders(GA);
    expect(holders.map((h) => [h.displayName, h.state, h.via])).toEqual([
      ['Ada', 'eligible', 'Outer'],
      ['Bo', 'eligible', 'Outer'],
      ['Cy', 'eligible', 'Outer'],
    ]);
    expect(await dir.groupMembers(id(12))).toEqual([
      { id: id(3), displayName: 'Cy', address: 'cy@fabrikam.com' },
      { id: id(1), displayName: 'Ada', address: 'ada@fabrikam.com' },
      { id: id(2), displayName: 'Bo', address: 'bo@fabrikam.com' },
    ]);
  });

  it('lists a user once with the strongest state, whichever order the grants come in', async () => {
    const grants = {
      roleEligibilities: [
        { principalId: id(2), roleDefinitionId: GA },
        { principalId: id(10), roleDefinitionId: GA },
      ],
      roleAssignments: [{ principalId: id(11), roleDefinitionId: GA, assignmentType: 'Activated', endDateTime: '2026-11-20T20:00:00Z' }],
    };
    for (const order of [grants, { roleAssignments: grants.roleAssignments, roleEligibilities: [...grants.roleEligibilities].reverse() }]) {
      // No cycle here: Outer contains Ada and Middle; Middle contains only Bo.
      const plain = [group(10, 'Outer', [1, 11]), group(11, 'Middle', [2])];
      const holders = await directory({ users: people, groups: plain, ...order }).directoryRoleHolders(GA);
      const bo = holders.filter((h) => h.id === id(2));
      expect(bo).toEqual([
        {
          id: id(2),
          displayName: 'Bo',
          address: 'bo@fabrikam.com',
          state: 'active',
          assignmentType: 'Activated',
          roleDefinitionId: GA,
          via: 'Middle',
          endDateTime: '2026-11-20T20:00:00Z',
        },
      ]);
      // Ada is only in Outer, which is eligible: eligible, and no assignmentType.
      expect(holders.find((h) => h.id === id(1))).toMatchObject({ state: 'eligible', via: 'Outer' });
      expect(holders.find((h) => h.id === id(1))).not.toHaveProperty('assignmentType');
    }
  });

  it('prefers a direct grant over the same grant through a group', async () => {
    const dir = directory({
      users: people,
      groups,
      roleAssignments: [
        { principalId: id(10), roleDefinitionId: GA },
        { principalId: id(1), roleDefinitionId: GA },
      ],
    });
    expect((await dir.directoryRoleHolders(GA)).find((h) => h.id === id(1))?.via).toBe('direct');
  });

  it('ignores schedules that have ended or not yet started, and only the tenant-wide scope', async () => {
    const dir = directory({
      users: people,
      roleAssignments: [
        { principalId: id(1), roleDefinitionId: GA, endDateTime: '2026-11-20T11:59:59Z' },
        { principalId: id(2), roleDefinitionId: GA, startDateTime: '2026-11-20T12:00:01Z' },
        { principalId: id(3), roleDefinitionId: GA, startDateTime: '2026-11-01T00:00:00Z', endDateTime: '2026-12-01T00:00:00Z' },
        { principalId: id(4), roleDefinitionId: GA, directoryScopeId: `/administrativeUnits/${id(70)}` },
        { principalId: id(5), roleDefinitionId: GA, assignmentType: 'SomethingElse' },
      ],
      roleEligibilities: [{ principalId: id(5), roleDefinitionId: GA, endDateTime: '2026-11-01T00:00:00+01:00' }],
    });
    const holders = await dir.directoryRoleHolders(GA);
    expect(holders.map((h) => [h.displayName, h.endDateTime])).toEqual([['Cy', '2026-12-01T00:00:00Z']]);
  });

  it('follows the injected clock on every call', async () => {
    let now = new Date('2026-11-20T00:00:00Z');
    const { snapshot } = parseSnapshot({
      tenant: { id: id(999), displayName: 'Fabrikam', pimEnabled: true },
      users: people,
      roleEligibilities: [{ principalId: id(1), roleDefinitionId: GA, endDateTime: '2026-12-01T00:00:00Z' }],
    });
    const dir = new SnapshotDirectory(snapshot, { clock: { now: () => now } });
    expect(await dir.directoryRoleHolders(GA)).toHaveLength(1);
    now = new Date('2026-12-01T00:00:00Z');
    expect(await dir.directoryRoleHolders(GA)).toHaveLength(0);
  });

  it('keeps users without an address (address null), uses the address fallbacks, skips service principals and unknown ids', async () => {
    const dir = directory({
      users: [
        {
          id: id(1),
          displayName: 'Mail',
          mail: 'mail@fabrikam.com',
          otherMails: ['other@fabrikam.com'],
          userPrincipalName: 'upn@fabrikam.com',
        },
        { id: id(2), displayName: 'Other', mail: null, otherMails: ['other2@fabrikam.com'], userPrincipalName: 'upn2@fabrikam.com' },
        { id: id(3), displayName: 'Upn', mail: null, otherMails: [], userPrincipalName: 'upn3@fabrikam.com' },
        { id: id(4), displayName: 'Nobody', mail: null },
      ],
      servicePrincipals: [{ id: id(20), displayName: 'Automation' }],
      roleAssignments: [1, 2, 3, 4, 20, 404].map((n) => ({ principalId: id(n), roleDefinitionId: GA })),
    });
    expect((await dir.directoryRoleHolders(GA)).map((h) => [h.displayName, h.address])).toEqual([
      ['Mail', 'mail@fabrikam.com'],
      ['Nobody', null],
      ['Other', 'other2@fabrikam.com'],
      ['Upn', 'upn3@fabrikam.com'],
    ]);
    expect(await dir.user(id(4).toUpperCase())).toEqual({ id: id(4), displayName: 'Nobody', address: null });
    expect(await dir.user(id(404))).toBeUndefined();
    expect(await dir.groupMembers(id(404))).toEqual([]);
  });
});

describe('azureScopeAdmins', () => {
  const people = [user(1, 'Ada'), user(2, 'Bo'), user(3, 'Cy'), user(4, 'Di'), user(5, 'Eve'), user(6, 'Fay')];
  const dir = directory({
    users: people,
    groups: [group(10, 'Cloud Owners', [4])],
    azureResources: [
      {
        id: SUB,
        roleAssignments: [
          { principalId: id(1), roleDefinitionId: ROLE.owner, state: 'active' },
          { principalId: id(10), roleDefinitionId: ROLE.owner, state: 'eligible' },
          { principalId: id(6), roleDefinitionId: ROLE.owner, state: 'eligible', endDateTime: '2026-10-31T00:00:00Z' },
        ],
      },
      {
        id: RG,
        roleAssignments: [
          { principalId: id(2), roleDefinitionId: ROLE.userAccessAdministrator, state: 'eligible' },
          // Contributors are not administrators of the scope.
          { principalId: id(3), roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c', state: 'active' },
        ],
      },
      { id: `${SUB}/resourceGroups/rg-other`, roleAssignments: [{ principalId: id(5), roleDefinitionId: ROLE.owner, state: 'active' }] },
    ],
  });

  it('includes Owners and User Access Administrators of enclosing scopes, not of siblings', async () => {
    const admins = await dir.azureScopeAdmins(`${RG}/providers/Microsoft.Storage/storageAccounts/stdata`);
    expect(admins.map((a) => [a.displayName, a.roleDefinitionId, a.state, a.via])).toEqual([
      ['Ada', ROLE.owner, 'active', 'direct'],
      ['Bo', ROLE.userAccessAdministrator, 'eligible', 'direct'],
      ['Di', ROLE.owner, 'eligible', 'Cloud Owners'],
    ]);
    expect(admins.find((a) => a.displayName === 'Ada')?.assignmentType).toBe('Assigned');
  });

  it('compares scopes case-insensitively', async () => {
    expect((await dir.azureScopeAdmins(RG.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/'))).map((a) => a.displayName)).toEqual([
      'Ada',
      'Bo',
      'Di',
    ]);
    expect((await dir.azureScopeAdmins(SUB.toUpperCase())).map((a) => a.displayName)).toEqual(['Ada', 'Di']);
  });
});

describe('rolePolicy and roleDisplayName', () => {
  const approver = {
    id: 'Approval_EndUser_Assignment',
    setting: {
      isApprovalRequired: true,
      approvalStages: [{ primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: id(1) }] }],
    },
  };
  const silent = {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
    id: 'Notification_Admin_EndUser_Assignment',
    notificationLevel: 'None',
  };
  const dir = directory({
    users: [user(1, 'Ada')],
    roleDefinitions: [{ id: ROLE.securityAdministrator, displayName: 'Security Admin (custom name)' }],
    roleManagementPolicies: [{ roleDefinitionId: GA, rules: [silent] }],
    azureResources: [
      {
        id: SUB,
        roleDefinitions: [{ id: 'a795c7a0-d4a2-40c1-ae25-d81f01202912', displayName: 'Backup Reader' }],
        roleManagementPolicies: [{ roleDefinitionId: ROLE.owner, rules: [silent] }],
      },
      { id: RG, roleManagementPolicies: [{ roleDefinitionId: ROLE.owner, rules: [approver] }] },
      { id: `/subscriptions/${id(501)}`, roleDefinitions: [{ id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', displayName: 'Contributor' }] },
    ],
  });

  it('returns the directory policy of the role, or no rules so policy.ts applies factory defaults', async () => {
    const ga = await dir.rolePolicy({ kind: 'directory', id: '/' }, GA.toUpperCase());
    expect(notificationSetting(ga, 'Notification_Admin_EndUser_Assignment').level).toBe('None');
    const pra = await dir.rolePolicy({ kind: 'directory', id: '/' }, ROLE.privilegedRoleAdministrator);
    expect(pra).toEqual({ rules: [] });
    expect(notificationSetting(pra, 'Notification_Admin_EndUser_Assignment')).toMatchObject({ level: 'All', configured: false });
  });

  it('uses the nearest Azure scope that has a policy for the role', async () => {
    const own = await dir.rolePolicy({ kind: 'azureResource', id: `${RG}/providers/Microsoft.Sql/servers/sql1` }, ROLE.owner);
    expect(approvalSetting(own).approvers).toEqual([{ kind: 'user', id: id(1) }]);
    const inherited = await dir.rolePolicy({ kind: 'azureResource', id: `${SUB}/resourceGroups/rg-web` }, ROLE.owner);
    expect(inherited.rules.map((r) => r.id)).toEqual(['Notification_Admin_EndUser_Assignment']);
    expect(await dir.rolePolicy({ kind: 'azureResource', id: RG }, ROLE.userAccessAdministrator)).toEqual({ rules: [] });
  });

  it('names roles from the snapshot, enclosing scopes, any scope, then the well-known names', async () => {
    const directoryScope = { kind: 'directory', id: '/' } as const;
    expect(await dir.roleDisplayName(directoryScope, ROLE.securityAdministrator)).toBe('Security Admin (custom name)');
    expect(await dir.roleDisplayName(directoryScope, GA)).toBe('Global Administrator');
    expect(await dir.roleDisplayName(directoryScope, id(77))).toBeUndefined();
    const rg = { kind: 'azureResource', id: RG } as const;
    expect(await dir.roleDisplayName(rg, 'a795c7a0-d4a2-40c1-ae25-d81f01202912')).toBe('Backup Reader');
    expect(await dir.roleDisplayName(rg, 'b24988ac-6180-42a0-ab88-20f7382dd24c')).toBe('Contributor');
    expect(await dir.roleDisplayName(rg, ROLE.userAccessAdministrator)).toBe('User Access Administrator');
  });
});

describe('topDirectoryRoles and scheduledAssignments', () => {
  const A = 'fe930be7-5e62-47db-91af-98c3a49a38b1'; // User Administrator
  const B = '29232cdf-9323-42fd-ade2-1d097af3e4de'; // Exchange Administrator
  const dir = directory({
    users: [user(1, 'Ada'), user(2, 'Bo'), user(3, 'Cy')],
    groups: [group(10, 'Team', [1, 2, 3])],
    servicePrincipals: [{ id: id(20), displayName: 'Automation' }],
    roleDefinitions: [
      { id: A, displayName: 'User Administrator' },
      { id: B, displayName: 'Exchange Administrator' },
    ],
    roleAssignments: [
      { principalId: id(1), roleDefinitionId: GA },
      { principalId: id(1), roleDefinitionId: GA }, // the same principal twice counts once
      { principalId: id(2), roleDefinitionId: GA, endDateTime: '2026-12-31T00:00:00Z' }, // time-bound: not permanent
      { principalId: id(3), roleDefinitionId: GA, assignmentType: 'Activated' }, // activation: not permanent
      { principalId: id(10), roleDefinitionId: A }, // a group is one principal
      { principalId: id(20), roleDefinitionId: B },
      { principalId: id(2), roleDefinitionId: ROLE.securityAdministrator, endDateTime: '2026-01-01T00:00:00Z' },
    ],
    roleEligibilities: [
      { principalId: id(1), roleDefinitionId: GA },
      { principalId: id(2), roleDefinitionId: B },
      { principalId: id(3), roleDefinitionId: A, endDateTime: '2026-11-01T00:00:00Z' }, // expired
      { principalId: id(3), roleDefinitionId: ROLE.privilegedRoleAdministrator, startDateTime: '2026-12-01T00:00:00Z' }, // future
    ],
  });

  it('counts distinct principals, orders by total then name, and leaves empty roles out', async () => {
    expect(await dir.topDirectoryRoles(5)).toEqual([
      { roleDefinitionId: B, displayName: 'Exchange Administrator', permanent: 1, eligible: 1, total: 2 },
      { roleDefinitionId: GA, displayName: 'Global Administrator', permanent: 1, eligible: 1, total: 2 },
      { roleDefinitionId: A, displayName: 'User Administrator', permanent: 1, eligible: 0, total: 1 },
    ]);
    expect((await dir.topDirectoryRoles(1)).map((r) => r.displayName)).toEqual(['Exchange Administrator']);
    expect(await dir.topDirectoryRoles(0)).toEqual([]);
  });

  it('lists every assignment and eligibility with its schedule and principal type', async () => {
    const all = await dir.scheduledAssignments();
    expect(all).toHaveLength(11);
    expect(all.filter((a) => a.principalType === 'group').map((a) => a.roleDefinitionId)).toEqual([A]);
    expect(all.find((a) => a.principalId === id(20))).toMatchObject({
      principalType: 'servicePrincipal',
      state: 'active',
      assignmentType: 'Assigned',
    });
    expect(all.find((a) => a.roleDefinitionId === ROLE.privilegedRoleAdministrator)).toEqual({
      scope: { kind: 'directory', id: '/' },
      roleDefinitionId: ROLE.privilegedRoleAdministrator,
      principalId: id(3),
      principalType: 'user',
      state: 'eligible',
      startDateTime: '2026-12-01T00:00:00Z',
      endDateTime: null,
    });
  });
});
