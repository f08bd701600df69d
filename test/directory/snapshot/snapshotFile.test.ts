import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError, formatPath, loadSnapshot, parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';

const id = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
const TENANT = { id: id(999), displayName: 'Fabrikam', pimEnabled: true };
const user = (n: number, extra: Record<string, unknown> = {}) => ({
  id: id(n),
  displayName: `User ${n}`,
  mail: `user${n}@fabrikam.com`,
  userPrincipalName: `user${n}@fabrikam.com`,
  otherMails: [],
  ...extra,
});

function refusal(value: unknown): SnapshotError {
  try {
    parseSnapshot(value);
  } catch (e) {
    if (e instanceof SnapshotError) return e;
    throw e;
  }
  throw new Error('expected the snapshot to be refused');
}

describe('snapshot validation', () => {
  it('accepts a minimal snapshot, fills defaults and ignores unknown properties', () => {
    const { snapshot, warnings } = parseSnapshot({ tenant: TENANT, users: [user(1, { jobTitle: 'CISO' })], exportedBy: 'someone' });
    expect(warnings).toEqual([]);
    expect(snapshot.groups).toEqual([]);
    expect(snapshot.azureResources).toEqual([]);
    expect(snapshot.users[0]).not.toHaveProperty('jobTitle');
    expect(snapshot).not.toHaveProperty('exportedBy');
  });

  it('names the first bad value by its path, like users[3].id', () => {
    const users = [user(1), user(2), user(3), { ...user(4), id: 'not-a-guid' }];
    const error = refusal({ tenant: TENANT, users });
    expect(error.path).toBe('users[3].id');
    expect(error.message).toContain('users[3].id');
    expect(error.message).toContain('docs/directory-snapshot.md');
  });

  it('reports nested paths and odd keys in the contract style', () => {
    const error = refusal({
      tenant: TENANT,
      users: [user(1)],
      azureResources: [
        { id: '/subscriptions/x', roleAssignments: [{ principalId: id(1), roleDefinitionId: ROLE.owner, state: 'sleeping' }] },
      ],
    });
    expect(error.path).toBe('azureResources[0].roleAssignments[0].state');
    expect(formatPath(['roleManagementPolicies', 0, 'rules', 2, '@odata.type'])).toBe('roleManagementPolicies[0].rules[2]["@odata.type"]');
  });

  it('refuses missing required parts and wrong types as a whole', () => {
    expect(refusal({ users: [] }).path).toBe('tenant');
    expect(refusal({ tenant: { ...TENANT, pimEnabled: 'yes' }, users: [] }).path).toBe('tenant.pimEnabled');
    expect(
      refusal({
        tenant: TENANT,
        users: [user(1)],
        roleAssignments: [{ principalId: id(1), roleDefinitionId: ROLE.globalAdministrator, endDateTime: '2027-01-01' }],
      }).path,
    ).toBe('roleAssignments[0].endDateTime');
    expect(refusal([]).path).toBeUndefined();
  });

  it('accepts ARM role definition resource ids and keeps the GUID', () => {
    const armId = `/subscriptions/${id(50)}/providers/Microsoft.Authorization/roleDefinitions/${ROLE.owner}`;
    const { snapshot } = parseSnapshot({
      tenant: TENANT,
      users: [user(1)],
      azureResources: [
        { id: `/subscriptions/${id(50)}`, roleAssignments: [{ principalId: id(1), roleDefinitionId: armId, state: 'active' }] },
      ],
    });
    expect(snapshot.azureResources[0]?.roleAssignments[0]?.roleDefinitionId).toBe(ROLE.owner);
  });
});

describe('snapshot warnings', () => {
  it('warns about unknown members, principals and approvers without refusing the file', () => {
    const ghost = id(404);
    const { snapshot, warnings } = parseSnapshot({
      tenant: TENANT,
      users: [user(1)],
      groups: [{ id: id(10), displayName: 'Admins', members: [id(1), ghost] }],
      servicePrincipals: [{ id: id(20), displayName: 'Automation' }],
      roleAssignments: [
        { principalId: ghost, roleDefinitionId: ROLE.globalAdministrator },
        { principalId: id(20), roleDefinitionId: ROLE.globalAdministrator },
        { principalId: id(1), roleDefinitionId: ROLE.globalAdministrator, assignmentType: 'Inherited' },
      ],
      roleEligibilities: [{ principalId: ghost, roleDefinitionId: ROLE.securityAdministrator }],
      roleManagementPolicies: [
        {
          roleDefinitionId: ROLE.globalAdministrator,
          rules: [
            {
              id: 'Approval_EndUser_Assignment',
              setting: {
                isApprovalRequired: true,
                approvalStages: [
                  {
                    primaryApprovers: [
                      { '@odata.type': '#microsoft.graph.singleUser', userId: ghost },
                      { '@odata.type': '#microsoft.graph.groupMembers', groupId: id(11) },
                    ],
                  },
                ],
              },
            },
          ],
        },
      ],
      azureResources: [
        { id: `/subscriptions/${id(50)}`, roleAssignments: [{ principalId: ghost, roleDefinitionId: ROLE.owner, state: 'eligible' }] },
      ],
    });
    expect(snapshot.users).toHaveLength(1);
    expect(warnings).toEqual([
      expect.stringMatching(/^groups\[0\]\.members\[1\]: .*00000000-0000-4000-8000-000000000404/),
      expect.stringMatching(/^roleAssignments\[0\]\.principalId: /),
      expect.stringMatching(/^roleAssignments\[2\]\.assignmentType: "Inherited"/),
      expect.stringMatching(/^roleEligibilities\[0\]\.principalId: /),
      expect.stringMatching(/^roleManagementPolicies\[0\]\.rules\[0\]\.setting\.approvalStages\[0\]\.primaryApprovers\[0\]\.userId: /),
      expect.stringMatching(/^roleManagementPolicies\[0\]\.rules\[0\]\.setting\.approvalStages\[0\]\.primaryApprovers\[1\]\.groupId: /),
      expect.stringMatching(/^azureResources\[0\]\.roleAssignments\[0\]\.principalId: /),
    ]);
  });

  it('warns about a user nobody can email, without naming any address', () => {
    const { warnings } = parseSnapshot({
      tenant: TENANT,
      users: [user(1), { id: id(2), displayName: 'No Mail', mail: null, userPrincipalName: null, otherMails: ['not-an-address'] }],
    });
    expect(warnings).toEqual([expect.stringContaining(`users[1]: user ${id(2)} has no usable address`)]);
  });
});

describe('loadSnapshot', () => {
  async function tempFile(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'snapshot-'));
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it('loads a file, byte-order mark and all', async () => {
    const file = await tempFile('ok.json', '\uFEFF' + JSON.stringify({ tenant: TENANT, users: [user(1)] }));
    const { snapshot } = await loadSnapshot(file);
    expect(snapshot.tenant.displayName).toBe('Fabrikam');
  });

  it('names the file when the JSON is broken', async () => {
    const file = await tempFile('broken.json', '{"tenant": ');
    await expect(loadSnapshot(file)).rejects.toThrow(SnapshotError);
    await expect(loadSnapshot(file)).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('names the file and the value path when a value is wrong', async () => {
    const file = await tempFile('bad.json', JSON.stringify({ tenant: TENANT, users: [user(1), { ...user(2), displayName: 7 }] }));
    const error = await loadSnapshot(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).file).toBe(file);
    expect((error as SnapshotError).message).toMatch(/bad\.json is refused: users\[1\]\.displayName/);
  });

  it('says what to check when the file does not exist', async () => {
    await expect(loadSnapshot('/nonexistent/contoso.json')).rejects.toThrow(/file not found.*DIRECTORY_SNAPSHOT_PATH/);
  });
});
