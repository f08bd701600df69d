/**
 * RoleDirectory over a directory snapshot: the embedded default directory, and what
 * `pim-notify simulate` / `digest` read. Every index is built once in the constructor
 * (a snapshot never changes) so that each call costs about the size of its answer; only
 * the schedule check depends on the clock, which is injectable for tests.
 */
import {
  AZURE_ADMIN_ROLE_IDS,
  ROLE_NAMES,
  GROUP_ACCESS_NAMES,
  addressOf,
  enclosingScopes,
  type PrivilegeScope,
  scopeNameFromId,
  type Person,
  type RoleDirectory,
  type RoleHolder,
  type RolePolicy,
  type PolicyRule,
  type ScheduledAssignment,
  type TenantInfo,
  type TopRole,
} from './roleDirectory.js';
import type { DirectorySnapshot } from './snapshot/snapshotFile.js';
import { GroupIndex } from './snapshot/groups.js';
import { byName, compareNames, holdersOf, inForce, toGrant, type Grant, type HolderLookup } from './snapshot/grants.js';
import { isAssignmentType } from './snapshot/references.js';
import { GroupAccessIndex } from './snapshot/groupAccess.js';
import { pinnedClock, systemClock, type Clock } from '../time/clock.js';

export interface SnapshotDirectoryOptions {
  /** The app's clock: which schedules are in force when no event's time is given (asOf). */
  clock?: Clock;
}

type Scope = PrivilegeScope;

const ADMIN_ROLES = new Set<string>(AZURE_ADMIN_ROLE_IDS);

export class SnapshotDirectory implements RoleDirectory {
  private readonly clock: Clock;
  private readonly tenantInfo: TenantInfo;
  private readonly lookup: HolderLookup;
  private readonly principalTypes = new Map<string, 'user' | 'group' | 'servicePrincipal'>();
  /** Directory grants at "/" by lower-cased role id. */
  private readonly directoryGrants = new Map<string, Grant[]>();
  /** Owner and User Access Administrator grants by lower-cased ARM scope. */
  private readonly scopeAdminGrants = new Map<string, Grant[]>();
  private readonly directoryPolicies = new Map<string, PolicyRule[]>();
  /** Lower-cased ARM scope → lower-cased role id → rules. */
  private readonly resourcePolicies = new Map<string, Map<string, PolicyRule[]>>();
  private readonly directoryRoleNames = new Map<string, string>();
  /** Lower-cased ARM scope → lower-cased role id → name. */
  private readonly resourceRoleNames = new Map<string, Map<string, string>>();
  /** Built-in Azure role ids are the same everywhere, so a name seen on any scope will do. */
  private readonly anyResourceRoleNames = new Map<string, string>();
  private readonly scheduled: ScheduledAssignment[] = [];
  /** Lower-cased ARM scope → its display name, and → the management group above it. */
  private readonly scopeNames = new Map<string, string>();
  private readonly scopeParents = new Map<string, string>();
  private readonly parentOf = (scope: string) => this.scopeParents.get(scope);
  private readonly groupAccess: GroupAccessIndex;

  constructor(snapshot: DirectorySnapshot, options: SnapshotDirectoryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.tenantInfo = { ...snapshot.tenant };

    const users = new Map<string, Person>();
    for (const u of snapshot.users) {
      const key = u.id.toLowerCase();
      if (!users.has(key)) users.set(key, { id: u.id, displayName: u.displayName, address: addressOf(u) });
    }
    const groupNames = new Map<string, string>();
    for (const g of snapshot.groups) {
      const key = g.id.toLowerCase();
      if (!groupNames.has(key) && !users.has(key)) groupNames.set(key, g.displayName);
    }
    const nameRank = new Map([...users.entries()].sort(([, a], [, b]) => byName(a, b)).map(([key], i) => [key, i]));
    this.lookup = { users, nameRank, groupNames, groups: new GroupIndex(snapshot.groups, (key) => users.has(key)) };
    for (const sp of snapshot.servicePrincipals) this.principalTypes.set(sp.id.toLowerCase(), 'servicePrincipal');
    for (const key of groupNames.keys()) this.principalTypes.set(key, 'group');
    for (const key of users.keys()) this.principalTypes.set(key, 'user');

    this.indexDirectory(snapshot);
    this.indexAzure(snapshot);
    this.groupAccess = new GroupAccessIndex(snapshot.privilegedAccessGroups, snapshot.groups, this.lookup);
    this.scheduled.push(...this.groupAccess.scheduled((key) => this.principalTypes.get(key) ?? 'servicePrincipal'));
    // Expanding role-holding groups now keeps the first lookup as cheap as the later ones.
    for (const grants of [...this.directoryGrants.values(), ...this.scopeAdminGrants.values()]) {
      for (const g of grants) if (groupNames.has(g.principalKey)) this.lookup.groups.usersOf(g.principalKey);
    }
  }

  private indexDirectory(snapshot: DirectorySnapshot): void {
    for (const a of snapshot.roleAssignments) {
      if (!isAssignmentType(a.assignmentType)) continue; // warned about by parseSnapshot
      const grant = toGrant({ ...a, state: 'active', assignmentType: a.assignmentType });
      this.addScheduled({ kind: 'directory', id: a.directoryScopeId }, grant);
      if (a.directoryScopeId === '/') push(this.directoryGrants, a.roleDefinitionId.toLowerCase(), grant);
    }
    for (const e of snapshot.roleEligibilities) {
      const grant = toGrant({ ...e, state: 'eligible' });
      this.addScheduled({ kind: 'directory', id: e.directoryScopeId }, grant);
      if (e.directoryScopeId === '/') push(this.directoryGrants, e.roleDefinitionId.toLowerCase(), grant);
    }
    for (const p of snapshot.roleManagementPolicies) {
      const key = p.roleDefinitionId.toLowerCase();
      if (!this.directoryPolicies.has(key)) this.directoryPolicies.set(key, p.rules as PolicyRule[]);
    }
    for (const d of snapshot.roleDefinitions) {
      const key = d.id.toLowerCase();
      if (!this.directoryRoleNames.has(key)) this.directoryRoleNames.set(key, d.displayName);
    }
  }

  private indexAzure(snapshot: DirectorySnapshot): void {
    for (const resource of snapshot.azureResources) {
      const scopeKey = normaliseScope(resource.id);
      if (resource.displayName && !this.scopeNames.has(scopeKey)) this.scopeNames.set(scopeKey, resource.displayName);
      if (resource.parentId && !this.scopeParents.has(scopeKey)) this.scopeParents.set(scopeKey, normaliseScope(resource.parentId));
      for (const a of resource.roleAssignments) {
        const grant = toGrant({ ...a, assignmentType: a.assignmentType ?? undefined });
        this.addScheduled({ kind: 'azureResource', id: resource.id }, grant);
        if (ADMIN_ROLES.has(a.roleDefinitionId.toLowerCase())) push(this.scopeAdminGrants, scopeKey, grant);
      }
      const policies = getOrAdd(this.resourcePolicies, scopeKey);
      for (const p of resource.roleManagementPolicies) {
        const key = p.roleDefinitionId.toLowerCase();
        if (!policies.has(key)) policies.set(key, p.rules as PolicyRule[]);
      }
      const names = getOrAdd(this.resourceRoleNames, scopeKey);
      for (const d of resource.roleDefinitions) {
        const key = d.id.toLowerCase();
        if (!names.has(key)) names.set(key, d.displayName);
        if (!this.anyResourceRoleNames.has(key)) this.anyResourceRoleNames.set(key, d.displayName);
      }
    }
  }

  private addScheduled(scope: Scope, grant: Grant): void {
    this.scheduled.push({
      scope,
      roleDefinitionId: grant.roleDefinitionId,
      principalId: grant.principalId,
      // Entra and ARM roles are held by users, groups or service principals; the snapshot
      // lists the first two, so anything else is taken to be a service principal.
      principalType: this.principalTypes.get(grant.principalKey) ?? 'servicePrincipal',
      state: grant.state,
      ...(grant.assignmentType ? { assignmentType: grant.assignmentType } : {}),
      startDateTime: grant.startDateTime,
      endDateTime: grant.endDateTime,
    });
  }

  /**
   * The same snapshot seen at `instant`. The view shares every index built in the constructor
   * (it has this directory as its prototype) and only its clock differs, so an event's view
   * costs nothing to make.
   */
  asOf(instant: Date): RoleDirectory {
    const view = Object.create(this) as { clock: Clock };
    view.clock = pinnedClock(instant);
    return view as unknown as RoleDirectory;
  }

  async tenant(): Promise<TenantInfo> {
    return { ...this.tenantInfo };
  }

  async directoryRoleHolders(roleDefinitionId: string): Promise<RoleHolder[]> {
    return holdersOf(this.directoryGrants.get(roleDefinitionId.toLowerCase()) ?? [], this.clock.now().getTime(), this.lookup);
  }

  async azureScopeAdmins(scopeId: string): Promise<RoleHolder[]> {
    const grants = enclosingScopes(scopeId, this.parentOf).flatMap((scope) => this.scopeAdminGrants.get(scope) ?? []);
    return holdersOf(grants, this.clock.now().getTime(), this.lookup);
  }

  async rolePolicy(scope: Scope, roleDefinitionId: string): Promise<RolePolicy> {
    const role = roleDefinitionId.toLowerCase();
    if (scope.kind === 'group') return { rules: this.groupAccess.policy(scope.id, role) };
    if (scope.kind === 'directory') return { rules: [...(this.directoryPolicies.get(role) ?? [])] };
    // Nearest scope first: a resource group's own policy overrides its subscription's.
    for (const s of enclosingScopes(scope.id, this.parentOf)) {
      const rules = this.resourcePolicies.get(s)?.get(role);
      if (rules) return { rules: [...rules] };
    }
    return { rules: [] };
  }

  async groupOwners(groupId: string): Promise<RoleHolder[]> {
    return this.groupAccess.permanentOwners(groupId, this.clock.now().getTime());
  }

  async groupAccessHolders(groupId: string, accessId: 'member' | 'owner'): Promise<RoleHolder[]> {
    return this.groupAccess.accessHolders(groupId, accessId, this.clock.now().getTime());
  }

  async user(id: string): Promise<Person | undefined> {
    const person = this.lookup.users.get(id.toLowerCase());
    return person ? { ...person } : undefined;
  }

  async groupMembers(groupId: string): Promise<Person[]> {
    const key = groupId.toLowerCase();
    if (!this.lookup.groups.has(key)) return [];
    return this.lookup.groups.usersOf(key).flatMap((u) => {
      const person = this.lookup.users.get(u);
      return person ? [{ ...person }] : [];
    });
  }

  async groupDisplayName(groupId: string): Promise<string | undefined> {
    return this.lookup.groupNames.get(groupId.toLowerCase());
  }

  async roleDisplayName(scope: Scope, roleDefinitionId: string): Promise<string | undefined> {
    const role = roleDefinitionId.toLowerCase();
    if (scope.kind === 'group') return GROUP_ACCESS_NAMES[role];
    if (scope.kind === 'directory') return this.directoryRoleNames.get(role) ?? ROLE_NAMES[role];
    for (const s of enclosingScopes(scope.id, this.parentOf)) {
      const name = this.resourceRoleNames.get(s)?.get(role);
      if (name !== undefined) return name;
    }
    return this.anyResourceRoleNames.get(role) ?? ROLE_NAMES[role];
  }

  async azureScopeDisplayName(scopeId: string): Promise<string | undefined> {
    return this.scopeNames.get(normaliseScope(scopeId)) ?? scopeNameFromId(scopeId);
  }

  /**
   * cli.md topRoles: per directory role, distinct principals (a group counts once) with a
   * permanent standing assignment, and distinct principals with an eligibility in force.
   */
  async topDirectoryRoles(limit: number): Promise<TopRole[]> {
    const now = this.clock.now().getTime();
    const roles: TopRole[] = [];
    for (const [role, grants] of this.directoryGrants) {
      const permanent = new Set<string>();
      const eligible = new Set<string>();
      for (const g of grants) {
        if (!inForce(g, now)) continue;
        if (g.state === 'eligible') eligible.add(g.principalKey);
        else if (g.assignmentType === 'Assigned' && g.endDateTime === null) permanent.add(g.principalKey);
      }
      const total = permanent.size + eligible.size;
      if (total === 0) continue;
      const roleDefinitionId = grants[0]?.roleDefinitionId ?? role;
      const displayName = this.directoryRoleNames.get(role) ?? ROLE_NAMES[role] ?? roleDefinitionId;
      roles.push({ roleDefinitionId, displayName, permanent: permanent.size, eligible: eligible.size, total });
    }
    roles.sort((a, b) => b.total - a.total || compareNames(a.displayName, b.displayName));
    return roles.slice(0, Math.max(0, limit));
  }

  async scheduledAssignments(): Promise<ScheduledAssignment[]> {
    return this.scheduled.map((a) => ({ ...a, scope: { ...a.scope } }));
  }
}

/** The same lower-cased form enclosingScopes produces, so both index and lookup agree. */
function normaliseScope(scopeId: string): string {
  return enclosingScopes(scopeId)[0] ?? scopeId.toLowerCase();
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function getOrAdd<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}
