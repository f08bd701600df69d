/**
 * PIM for Groups in an export: every role-assignable group (the ones the production directory's
 * expiry scan asks about, see shared/directory/graph/groupReader.ts) with its eligible and
 * active members and owners, its owners and its two role settings, through the same GroupReader.
 * Written as the snapshot's `privilegedAccessGroups` and `groups[].owners`.
 */
import type { GraphReader } from '../../shared/directory/graph/graphReader.js';
import { GroupReader, groupAssignmentType } from '../../shared/directory/graph/groupReader.js';
import type { PolicyRule } from '../../shared/directory/roleDirectory.js';

export interface ExportedGroups {
  privilegedAccessGroups: {
    groupId: string;
    assignments: {
      principalId: string;
      accessId: 'member' | 'owner';
      state: 'active' | 'eligible';
      assignmentType?: 'assigned' | 'activated';
      startDateTime: string | null;
      endDateTime: string | null;
    }[];
    roleManagementPolicies: { accessId: string; rules: PolicyRule[] }[];
  }[];
  /** Lower-cased group id → its owners' user ids. */
  owners: Map<string, string[]>;
  /** Principals of the access and owners: users or groups the snapshot must contain. */
  principalIds: string[];
}

export async function exportPrivilegedAccessGroups(graph: GraphReader): Promise<ExportedGroups> {
  const reader = new GroupReader(graph);
  const groups = await reader.roleAssignableGroups();
  const all = await Promise.all(groups.map(async (g) => ({ id: g.id, access: await reader.groupAccess(g.id) })));
  const owners = new Map<string, string[]>();
  const principalIds = new Set<string>();
  const privilegedAccessGroups: ExportedGroups['privilegedAccessGroups'] = [];
  for (const { id, access } of all) {
    owners.set(
      id.toLowerCase(),
      access.owners.map((u) => u.id),
    );
    for (const u of access.owners) principalIds.add(u.id);
    const assignments = [
      ...access.active.map((i) => ({ i, state: 'active' as const })),
      ...access.eligible.map((i) => ({ i, state: 'eligible' as const })),
    ].map(({ i, state }) => {
      principalIds.add(i.principalId);
      return {
        principalId: i.principalId,
        accessId: i.accessId,
        state,
        ...(state === 'active'
          ? { assignmentType: groupAssignmentType(i.assignmentType) === 'Activated' ? ('activated' as const) : ('assigned' as const) }
          : {}),
        startDateTime: i.startDateTime ?? null,
        endDateTime: i.endDateTime ?? null,
      };
    });
    const roleManagementPolicies = [...access.policies].map(([accessId, rules]) => ({ accessId, rules }));
    if (assignments.length > 0 || roleManagementPolicies.length > 0)
      privilegedAccessGroups.push({ groupId: id, assignments, roleManagementPolicies });
  }
  return { privilegedAccessGroups, owners, principalIds: [...principalIds] };
}
