/**
 * The schedules GraphDirectory reads (Graph's directory and PIM for Groups instances, ARM's
 * holdings), in the port's shapes: ScheduledAssignment (what `scheduledAssignments`,
 * `schedulesAt` and the export answer) and TopRole. Pure: the directory hands over its cached
 * lists, so these answers come from the very data its holders do, never from a read of their own.
 */
import { ROLE_NAMES, type ScheduledAssignment, type TopRole } from '../roleDirectory.js';
import type { ArmRoleHolding } from '../arm/armReader.js';
import type { ScheduleInstance } from './graphReader.js';
import { groupAssignmentType, type GroupAccess } from './groupReader.js';
import type { ResolvedPrincipals } from './holders.js';

/** Every directory role's active and eligible schedule instances, tenant-wide. */
export interface DirectoryInstances {
  active: ScheduleInstance[];
  eligible: ScheduleInstance[];
}

/** A principal the lists name but neither users nor groups resolved is a service principal. */
function principalTypeIn(principals: ResolvedPrincipals): (id: string) => ScheduledAssignment['principalType'] {
  return (id) => (principals.users.has(id.toLowerCase()) ? 'user' : principals.groups.has(id.toLowerCase()) ? 'group' : 'servicePrincipal');
}

export function directoryAssignments(instances: DirectoryInstances, principals: ResolvedPrincipals): ScheduledAssignment[] {
  const kind = principalTypeIn(principals);
  return [
    ['active', instances.active],
    ['eligible', instances.eligible],
  ].flatMap(([state, list]) =>
    (list as ScheduleInstance[]).map((i): ScheduledAssignment => ({
      scope: { kind: 'directory', id: i.directoryScopeId },
      roleDefinitionId: i.roleDefinitionId,
      principalId: i.principalId,
      principalType: kind(i.principalId),
      state: state as 'active' | 'eligible',
      ...(state === 'active' ? { assignmentType: i.assignmentType ?? 'Assigned' } : {}),
      startDateTime: i.startDateTime ?? null,
      endDateTime: i.endDateTime ?? null,
    })),
  );
}

/** One group's PIM for Groups schedules; the access (member/owner) stands where a role id would. */
export function groupAssignments(groupId: string, access: GroupAccess, principals: ResolvedPrincipals): ScheduledAssignment[] {
  const kind = principalTypeIn(principals);
  return [
    ...access.active.map((i) => ({ i, state: 'active' as const })),
    ...access.eligible.map((i) => ({ i, state: 'eligible' as const })),
  ].map(({ i, state }): ScheduledAssignment => ({
    scope: { kind: 'group', id: groupId },
    roleDefinitionId: i.accessId,
    principalId: i.principalId,
    principalType: kind(i.principalId),
    state,
    ...(state === 'active' ? { assignmentType: groupAssignmentType(i.assignmentType) } : {}),
    startDateTime: i.startDateTime ?? null,
    endDateTime: i.endDateTime ?? null,
  }));
}

export function azureAssignment(h: ArmRoleHolding): ScheduledAssignment {
  const { id: _id, scope, principalType, ...rest } = h;
  return { ...rest, scope: { kind: 'azureResource', id: scope }, principalType };
}

/**
 * The directory roles with the most holders: permanent active assignments and eligibilities,
 * each principal counted once per role. `names` are the tenant's role definitions (custom roles
 * included); ROLE_NAMES covers a built-in role the definitions list missed.
 */
export function topRoles(instances: DirectoryInstances, names: ReadonlyMap<string, string>, limit: number): TopRole[] {
  const permanent = new Map<string, Set<string>>();
  const eligibleBy = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, role: string, principal: string) => m.set(role, (m.get(role) ?? new Set()).add(principal));
  for (const a of instances.active)
    if (a.assignmentType === 'Assigned' && !a.endDateTime) add(permanent, a.roleDefinitionId.toLowerCase(), a.principalId);
  for (const e of instances.eligible) add(eligibleBy, e.roleDefinitionId.toLowerCase(), e.principalId);
  const roles = new Set([...permanent.keys(), ...eligibleBy.keys()]);
  return [...roles]
    .map((roleDefinitionId) => {
      const p = permanent.get(roleDefinitionId)?.size ?? 0;
      const e = eligibleBy.get(roleDefinitionId)?.size ?? 0;
      return {
        roleDefinitionId,
        displayName: names.get(roleDefinitionId) ?? ROLE_NAMES[roleDefinitionId] ?? roleDefinitionId,
        permanent: p,
        eligible: e,
        total: p + e,
      };
    })
    .filter((r) => r.total > 0)
    .sort((a, b) => b.total - a.total || a.displayName.localeCompare(b.displayName))
    .slice(0, limit);
}
