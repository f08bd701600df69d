/**
 * The production RoleDirectory: Microsoft Graph for directory roles, people and groups, Azure
 * Resource Manager for Azure resource roles.
 *
 * Request budget (issue 6: ≤ 0.05 Graph+ARM requests per event). Rather than asking per role,
 * per scope and per user, the directory reads a few tenant-wide lists and answers every
 * question from them, all in one TTL cache (DIRECTORY_CACHE_TTL_SECONDS) with request
 * coalescing, so a burst of events costs about the requests of one event, whatever roles,
 * scopes and people the events name:
 *
 * - directory roles: every active and every eligible schedule instance (no role filter, paged),
 *   every role definition, every directory role policy (one paged, expanded list) and the
 *   organization, each once per TTL; holders, policies and names of any role come from them;
 * - people: the principals of all those instances are resolved together (users, then groups,
 *   15 ids per `id in (...)` filter, 20 filters per $batch), with the transitive members of
 *   the groups; every user any lookup returns (holders, group members, single lookups) goes
 *   into the cache by id, so the principal, actor and approvers of an event are usually
 *   known already; the rest are coalesced across concurrent events into shared $batch
 *   requests (BatchLoader) instead of one $batch each (graph/principalResolver.ts);
 * - Azure: per subscription, all active and eligible schedule instances in it (at, above and
 *   below the subscription: no atScope() filter) once, answering the subscription and each of
 *   its resource groups; policy assignments per scope (ARM lists them only at their own
 *   scope) and each policy once by id.
 *
 * Nothing changes in what the port answers (roleDirectory.ts): each answer is derived from the
 * same data the per-role requests returned, filtered the same way (the schedules and top roles
 * in graph/scheduledAssignments.ts). Failures are not cached.
 */
import type { Settings } from '../settings/settings.js';
import { armScopeKey } from '../events/armScope.js';
import {
  AZURE_ADMIN_ROLE_IDS,
  GROUP_ACCESS_NAMES,
  ROLE_NAMES,
  enclosingScopes,
  isManagementGroup,
  type PrivilegeScope,
  scopeNameFromId,
  type Person,
  type PolicyRule,
  type RoleDirectory,
  type RoleHolder,
  type RolePolicy,
  type ScheduledAssignment,
  type TenantInfo,
  type TopRole,
  type UnreadableScope,
} from './roleDirectory.js';
import { TtlCache } from './cache.js';
import { missingPermission } from '../permissions/missing.js';
import type { GraphApi } from './graph/graphClient.js';
import { GraphReader, type ScheduleInstance } from './graph/graphReader.js';
import { GroupReader, groupHoldings, permanentOwners, type GroupAccess } from './graph/groupReader.js';
import { mergeHolders, toPerson, type Holding, type ResolvedPrincipals } from './graph/holders.js';
import { PrincipalResolver } from './graph/principalResolver.js';
import {
  azureAssignment,
  directoryAssignments,
  groupAssignments,
  topRoles,
  type DirectoryInstances,
} from './graph/scheduledAssignments.js';
import type { ArmApi } from './arm/armClient.js';
import { ArmReader, type ArmRoleHolding } from './arm/armReader.js';
import { systemClock, type Clock } from '../time/clock.js';

type Scope = PrivilegeScope;

export interface GraphDirectoryOptions {
  /** The app's Graph and ARM clients (built by the composition root, shared with the sources). */
  graph: GraphApi;
  arm: ArmApi;
  /** The app's clock (the cache's ages); the system clock when left out. */
  clock?: Clock;
}

const AZURE_ADMIN_ROLES = new Set<string>(AZURE_ADMIN_ROLE_IDS);

export class GraphDirectory implements RoleDirectory {
  /** Graph and ARM answer with PIM's present state: there is no past to look at. */
  asOf(_instant: Date): RoleDirectory {
    return this;
  }

  private readonly cache: TtlCache;
  private readonly clock: Clock;
  /** The people behind principal ids, in the same cache as the lists that name them. */
  private readonly resolver: PrincipalResolver;
  private readonly groupReader: GroupReader;

  constructor(
    readonly graph: GraphReader,
    readonly arm: ArmReader,
    private readonly config: { subscriptionIds: readonly string[]; cacheTtlSeconds: number; clock?: Clock; batchWindowMs?: number },
  ) {
    this.groupReader = new GroupReader(graph);
    this.clock = config.clock ?? systemClock;
    this.cache = new TtlCache({ ttlSeconds: config.cacheTtlSeconds, clock: this.clock });
    this.resolver = new PrincipalResolver(graph, this.cache, config.batchWindowMs);
  }

  tenant(): Promise<TenantInfo> {
    // Graph has no "PIM enabled" flag; the PIM schedule APIs this directory reads exist only
    // where PIM is available, so a tenant served by them is treated as having it.
    return this.cache.get('tenant', async () => ({ ...(await this.graph.organization()), pimEnabled: true }));
  }

  async directoryRoleHolders(roleDefinitionId: string): Promise<RoleHolder[]> {
    const roleId = roleDefinitionId.toLowerCase();
    const { instances, principals } = await this.directoryHoldings();
    const forRole = (i: ScheduleInstance) => i.directoryScopeId === '/' && i.roleDefinitionId.toLowerCase() === roleId;
    const holdings: Holding[] = [
      ...instances.active.filter(forRole).map((i) => ({ ...i, state: 'active' as const })),
      ...instances.eligible.filter(forRole).map((i) => ({ ...i, state: 'eligible' as const, assignmentType: undefined })),
    ];
    return mergeHolders(holdings, principals);
  }

  async azureScopeAdmins(scopeId: string): Promise<RoleHolder[]> {
    const scope = scopeKey(scopeId);
    const subscription = /^\/subscriptions\/([^/]+)/.exec(scope)?.[1];
    // Only what is made on the scope or on a scope enclosing it (for a resource group: itself
    // and its subscription), as atScope() answers; the subscription-wide list also holds the
    // resource groups' own assignments, which do not count upwards or sideways.
    // ARM lists a scope's management-group ancestors with it (never other management groups),
    // so every management-group holding in these lists is inherited from above.
    const enclosing = new Set(enclosingScopes(scope));
    const admins = (h: ArmRoleHolding) =>
      AZURE_ADMIN_ROLES.has(h.roleDefinitionId) && (enclosing.has(scopeKey(h.scope)) || isManagementGroup(h.scope));
    if (subscription) {
      const { holdings, principals } = await this.azureSubscription(subscription);
      return mergeHolders(holdings.filter(admins), principals);
    }
    // Above any subscription (a management group): ask that scope itself.
    return this.cache.get(`azureAdmins:${scope}`, async () => {
      const [active, eligible] = await Promise.all([this.arm.roleAssignmentsAtScope(scopeId), this.arm.eligibilitiesAtScope(scopeId)]);
      const holdings = [...active, ...eligible].filter(admins);
      return mergeHolders(
        holdings,
        await this.resolver.resolve(holdings.filter((h) => h.principalType !== 'servicePrincipal').map((h) => h.principalId)),
      );
    });
  }

  async rolePolicy(scope: Scope, roleDefinitionId: string): Promise<RolePolicy> {
    const roleId = roleDefinitionId.toLowerCase();
    if (scope.kind === 'group') return { rules: (await this.groupAccess(scope.id)).access.policies.get(roleId) ?? [] };
    if (scope.kind === 'directory') {
      const policies = await this.cache.get('directoryPolicies', () => this.graph.directoryRolePolicies());
      return { rules: policies.get(roleId) ?? [] };
    }
    const assignments = await this.cache.get(`armPolicyAssignments:${scopeKey(scope.id)}`, () =>
      this.arm.policyAssignmentsAtScope(scope.id),
    );
    const policyId = assignments.get(roleId);
    if (!policyId) return { rules: [] };
    // Several roles and scopes can share a policy; each is read once.
    const rules = await this.cache.get<PolicyRule[]>(`armPolicy:${policyId.toLowerCase()}`, () => this.arm.rolePolicyById(policyId));
    return { rules };
  }

  async groupOwners(groupId: string): Promise<RoleHolder[]> {
    return permanentOwners((await this.groupAccess(groupId)).access);
  }

  async groupAccessHolders(groupId: string, accessId: 'member' | 'owner'): Promise<RoleHolder[]> {
    const { access, principals } = await this.groupAccess(groupId);
    return mergeHolders(
      groupHoldings(access).filter((h) => h.roleDefinitionId === accessId),
      principals,
    );
  }

  async user(id: string): Promise<Person | undefined> {
    const user = await this.resolver.user(id);
    return user ? toPerson(user) : undefined;
  }

  async groupMembers(groupId: string): Promise<Person[]> {
    return (await this.resolver.transitiveUsers(groupId)).map(toPerson);
  }

  async groupDisplayName(groupId: string): Promise<string | undefined> {
    const groups = await this.resolver.cachedOr(`group:${groupId.toLowerCase()}`, () => this.graph.groups([groupId]));
    return [...groups.values()][0]?.displayName ?? undefined;
  }

  async roleDisplayName(scope: Scope, roleDefinitionId: string): Promise<string | undefined> {
    const roleId = roleDefinitionId.toLowerCase();
    if (scope.kind === 'group') return GROUP_ACCESS_NAMES[roleId];
    if (scope.kind === 'directory') return (await this.directoryRoleNames()).get(roleId);
    if (ROLE_NAMES[roleId]) return ROLE_NAMES[roleId];
    return this.cache.get(`armRoleName:${roleId}`, () => this.arm.roleDefinitionName(scope.id, roleId));
  }

  async azureScopeDisplayName(scopeId: string): Promise<string | undefined> {
    const scope = scopeKey(scopeId);
    if (isManagementGroup(scope)) return this.cache.get(`mgName:${scope}`, () => this.arm.managementGroupName(scopeId));
    const subscription = /^\/subscriptions\/([^/]+)$/.exec(scope)?.[1];
    if (subscription) return this.cache.get(`subName:${subscription}`, async () => (await this.arm.subscription(subscription)).displayName);
    return scopeNameFromId(scopeId);
  }

  // Derived answers (here and below) are computed from the cached lists on every call rather
  // than cached themselves: cheap, and never older than the lists' one TTL.
  async topDirectoryRoles(limit: number): Promise<TopRole[]> {
    const [{ instances }, names] = await Promise.all([this.directoryHoldings(), this.directoryRoleNames()]);
    return topRoles(instances, names, limit);
  }

  async scheduledAssignments(unreadable?: (problem: UnreadableScope) => void): Promise<ScheduledAssignment[]> {
    // Without `unreadable` any failure fails the list; with it, a missing permission on one
    // part is handed over and that part left out.
    const part = async <T>(scope: UnreadableScope['scope'], read: () => Promise<T>, empty: T): Promise<T> => {
      try {
        return await read();
      } catch (e) {
        const missing = unreadable && missingPermission(e);
        if (!missing) throw e;
        unreadable({ scope, error: missing });
        return empty;
      }
    };
    const none: ResolvedPrincipals = { users: new Map(), groups: new Map() };
    const [{ instances, principals }, groups, ...subscriptions] = await Promise.all([
      part({ kind: 'directory', id: '/' }, () => this.directoryHoldings(), { instances: { active: [], eligible: [] }, principals: none }),
      part({ kind: 'group', id: '*' }, () => this.groupSchedules(), [] as ScheduledAssignment[]),
      ...this.config.subscriptionIds.map((s) =>
        part(
          { kind: 'azureResource', id: `/subscriptions/${s}` },
          async () => (await this.azureSubscription(s)).holdings,
          [] as ArmRoleHolding[],
        ),
      ),
    ]);
    const out = directoryAssignments(instances, principals);
    // A management-group assignment shows in every subscription under it: list it once.
    const seen = new Set<string>();
    for (const h of subscriptions.flat()) {
      if (seen.has(h.id.toLowerCase())) continue;
      seen.add(h.id.toLowerCase());
      out.push(azureAssignment(h));
    }
    return [...out, ...groups];
  }

  /**
   * The schedules behind one scope, from the same cached lists the other answers use (free
   * after the event's own lookups): every directory scope's for `directory`, the whole
   * subscription's (or a management group's) for an Azure scope, the group's for a group.
   * `readAfter` (ms): a list read before then, and at least REREAD_AFTER_MS ago, is read again,
   * so that what happened after the read can be seen, at most once per REREAD_AFTER_MS per list.
   */
  async schedulesAt(scope: Scope, readAfter?: number): Promise<ScheduledAssignment[]> {
    if (scope.kind === 'directory') {
      this.rereadIfOlder('directoryHoldings', readAfter);
      const { instances, principals } = await this.directoryHoldings();
      return directoryAssignments(instances, principals);
    }
    if (scope.kind === 'group') {
      this.rereadIfOlder(`groupAccess:${scope.id.toLowerCase()}`, readAfter);
      const { access, principals } = await this.groupAccess(scope.id);
      return groupAssignments(scope.id, access, principals);
    }
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(scope.id)?.[1];
    if (subscription) {
      this.rereadIfOlder(`azureSubscription:${subscription.toLowerCase()}`, readAfter);
      return (await this.azureSubscription(subscription)).holdings.map(azureAssignment);
    }
    const key = `azureSchedules:${scopeKey(scope.id)}`;
    this.rereadIfOlder(key, readAfter);
    return this.cache.get(key, async () => {
      const [active, eligible] = await Promise.all([this.arm.activeSchedulesAtScope(scope.id), this.arm.eligibilitiesAtScope(scope.id)]);
      return [...active, ...eligible].map(azureAssignment);
    });
  }

  private rereadIfOlder(key: string, readAfter: number | undefined): void {
    const loadedAt = this.cache.loadedAt(key);
    const now = this.clock.now().getTime();
    if (readAfter !== undefined && loadedAt !== undefined && loadedAt < readAfter && now - loadedAt >= REREAD_AFTER_MS)
      this.cache.forget(key);
  }

  /** PIM for Groups' schedules of every role-assignable group (see groupReader.ts for why those). */
  private async groupSchedules(): Promise<ScheduledAssignment[]> {
    const groups = await this.cache.get('roleAssignableGroups', () => this.groupReader.roleAssignableGroups());
    const perGroup = await Promise.all(
      groups.map(async (g) => {
        const { access, principals } = await this.groupAccess(g.id);
        return groupAssignments(g.id, access, principals);
      }),
    );
    return perGroup.flat();
  }

  /** One group's PIM access, owners and policies (one $batch), with the principals resolved. */
  private groupAccess(groupId: string): Promise<{ access: GroupAccess; principals: ResolvedPrincipals }> {
    return this.cache.get(`groupAccess:${groupId.toLowerCase()}`, () =>
      this.resolver.bulk(async () => {
        const access = await this.groupReader.groupAccess(groupId);
        this.resolver.primeUsers(access.owners);
        const principals = await this.resolver.resolve([...access.active, ...access.eligible].map((i) => i.principalId));
        return { access, principals };
      }),
    );
  }

  /**
   * Every directory role's active and eligible schedule instances, tenant-wide (all roles, all
   * directory scopes: no filter, paged), with all their principals resolved (users, groups and
   * the groups' users). One cache entry for both, so that holders are never older than one TTL.
   */
  private directoryHoldings(): Promise<{ instances: DirectoryInstances; principals: ResolvedPrincipals }> {
    return this.cache.get('directoryHoldings', () =>
      this.resolver.bulk(async () => {
        const [active, eligible] = await Promise.all([this.graph.activeInstances(), this.graph.eligibleInstances()]);
        const instances = { active, eligible };
        const principals = await this.resolver.resolve([...instances.active, ...instances.eligible].map((i) => i.principalId));
        return { instances, principals };
      }),
    );
  }

  /**
   * Every active and eligible schedule instance in a subscription, at, above and below it (one
   * list each, no atScope() filter), with the users and groups behind them resolved: this
   * answers the subscription and every resource group in it.
   */
  private azureSubscription(subscriptionId: string): Promise<{ holdings: ArmRoleHolding[]; principals: ResolvedPrincipals }> {
    return this.cache.get(`azureSubscription:${subscriptionId.toLowerCase()}`, () =>
      this.resolver.bulk(async () => {
        const holdings = await this.arm.schedulesInSubscription(subscriptionId);
        const principals = await this.resolver.resolve(
          holdings.filter((h) => h.principalType !== 'servicePrincipal').map((h) => h.principalId),
        );
        return { holdings, principals };
      }),
    );
  }

  private directoryRoleNames(): Promise<Map<string, string>> {
    return this.cache.get('roleDefinitions', async () => {
      const names = new Map<string, string>();
      for (const d of await this.graph.roleDefinitions()) {
        names.set(d.id.toLowerCase(), d.displayName);
        if (d.templateId) names.set(d.templateId.toLowerCase(), d.displayName);
      }
      return names;
    });
  }
}

/** A list older than this may be read again for an event that happened after it was read. */
export const REREAD_AFTER_MS = 30_000;

/** As ARM compares scopes: any case, a subscription's alias as the subscription (events/armScope.ts). */
function scopeKey(scope: string): string {
  return armScopeKey(scope);
}

/** The production directory from settings, on the app's Graph and ARM clients. */
export function createGraphDirectory(settings: Settings, options: GraphDirectoryOptions): GraphDirectory {
  return new GraphDirectory(new GraphReader(options.graph), new ArmReader(options.arm), {
    subscriptionIds: settings.AZURE_SUBSCRIPTION_IDS,
    cacheTtlSeconds: settings.DIRECTORY_CACHE_TTL_SECONDS,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
