/**
 * The Microsoft Graph calls behind PIM for Groups: for one group, its eligible and active
 * members and owners (privilegedAccessGroup eligibility and assignment schedule instances,
 * which Graph lists only with a groupId or principalId filter), its owners, and its two
 * role settings (roleManagementPolicyAssignments with scopeType Group, roleDefinitionId
 * `member` or `owner`), all four in one $batch, further pages by nextLink.
 *
 * Graph has no list of the groups PIM manages, so the expiry scanner asks about the
 * role-assignable groups (isAssignableToRole), the ones through which admin roles are granted.
 */
import type { PolicyRule, RoleHolder } from '../roleDirectory.js';
import { toPerson, type Holding } from './holders.js';
import { ADVANCED_QUERY, USER_SELECT, batchError, odataString, type GraphReader, type GraphUser } from './graphReader.js';
import type { BatchGet } from './graphClient.js';

const BASE = '/identityGovernance/privilegedAccess/group';
/** The role-assignable groups (the expiry scanner's and the requests collector's PIM for Groups). */
export const ROLE_ASSIGNABLE_GROUPS = `/groups?$filter=isAssignableToRole eq true&$select=id,displayName&$top=999`;

/** privilegedAccessGroupAssignmentScheduleInstance / EligibilityScheduleInstance, the fields read. */
export interface GroupAccessInstance {
  groupId?: string;
  principalId: string;
  accessId: 'member' | 'owner';
  /** Assignments only; Graph spells them in lower case: `assigned`, `activated`. */
  assignmentType?: string | null;
  memberType?: string | null;
  startDateTime?: string | null;
  endDateTime?: string | null;
}

export interface GroupAccess {
  active: GroupAccessInstance[];
  eligible: GroupAccessInstance[];
  /** The users among the group's owners (/groups/{id}/owners). */
  owners: GraphUser[];
  /** Policy rules by access id (`member`, `owner`). */
  policies: Map<string, PolicyRule[]>;
}

export class GroupReader {
  constructor(private readonly graph: GraphReader) {}

  async groupAccess(groupId: string): Promise<GroupAccess> {
    const id = odataString(groupId);
    const paths: BatchGet[] = [
      `${BASE}/assignmentScheduleInstances?$filter=groupId eq '${id}'`,
      `${BASE}/eligibilityScheduleInstances?$filter=groupId eq '${id}'`,
      // The owners page enables the user cast without saying whether it needs the advanced query
      // parameters (the transitive members cast does): sent as one, which Graph serves either way
      // ("Queries that are supported by default will also work with advanced query parameters").
      {
        path: `/groups/${encodeURIComponent(groupId)}/owners/microsoft.graph.user?$count=true&$select=${USER_SELECT}`,
        headers: ADVANCED_QUERY,
      },
      `/policies/roleManagementPolicyAssignments?$filter=scopeId eq '${id}' and scopeType eq 'Group'&$expand=policy($expand=rules)`,
    ];
    const results = await this.graph.batchList<unknown>(paths);
    const items = (i: number): unknown[] => {
      const r = results[i]!;
      // An unknown group (deleted since the event) has no owners and nothing managed by PIM.
      if (r.status === 404) return [];
      if (!r.items) throw batchError(pathOf(paths[i]!), r.status, r.body);
      return r.items;
    };
    const policies = new Map<string, PolicyRule[]>();
    for (const a of items(3) as { roleDefinitionId?: string; policy?: { rules?: PolicyRule[] } }[]) {
      // A group's policy assignments name the access as roleDefinitionId; anything else is not one.
      const access = a.roleDefinitionId?.toLowerCase();
      if ((access === 'member' || access === 'owner') && a.policy && !policies.has(access)) policies.set(access, a.policy.rules ?? []);
    }
    return {
      active: (items(0) as GroupAccessInstance[]).filter(isAccess),
      eligible: (items(1) as GroupAccessInstance[]).filter(isAccess),
      owners: items(2) as GraphUser[],
      policies,
    };
  }

  /** Role-assignable groups: those the expiry scanner asks PIM for Groups about. */
  async roleAssignableGroups(): Promise<{ id: string; displayName?: string | null }[]> {
    return this.graph.api.list(ROLE_ASSIGNABLE_GROUPS);
  }
}

function pathOf(get: BatchGet): string {
  return typeof get === 'string' ? get : get.path;
}

function isAccess(i: GroupAccessInstance): boolean {
  return (i.accessId === 'member' || i.accessId === 'owner') && typeof i.principalId === 'string';
}

/** Graph's lower-case privilegedAccessGroupAssignmentType as the port's `Assigned` / `Activated`. */
export function groupAssignmentType(value: string | null | undefined): 'Assigned' | 'Activated' {
  return value?.toLowerCase() === 'activated' ? 'Activated' : 'Assigned';
}

/** The access instances as holdings (roleDefinitionId = the access), for mergeHolders. */
export function groupHoldings(access: GroupAccess): Holding[] {
  return [
    ...access.active.map((i) => ({
      principalId: i.principalId,
      roleDefinitionId: i.accessId,
      state: 'active' as const,
      assignmentType: groupAssignmentType(i.assignmentType),
      endDateTime: i.endDateTime ?? null,
    })),
    ...access.eligible.map((i) => ({
      principalId: i.principalId,
      roleDefinitionId: i.accessId,
      state: 'eligible' as const,
      endDateTime: i.endDateTime ?? null,
    })),
  ];
}

/**
 * The group's permanent owners: the users /owners lists, less those who own it only through
 * an activation (eligible owners, active for a few hours). Sorted by name.
 */
export function permanentOwners(access: GroupAccess): RoleHolder[] {
  const owner = access.active.filter((i) => i.accessId === 'owner');
  const activated = new Set(
    owner.filter((i) => groupAssignmentType(i.assignmentType) === 'Activated').map((i) => i.principalId.toLowerCase()),
  );
  for (const i of owner) if (groupAssignmentType(i.assignmentType) === 'Assigned') activated.delete(i.principalId.toLowerCase());
  const seen = new Set<string>();
  return access.owners
    .filter((u) => !activated.has(u.id.toLowerCase()) && !seen.has(u.id.toLowerCase()) && seen.add(u.id.toLowerCase()))
    .map((u) => ({
      ...toPerson(u),
      state: 'active' as const,
      assignmentType: 'Assigned' as const,
      roleDefinitionId: 'owner',
      via: 'direct',
      endDateTime: null,
    }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
}
