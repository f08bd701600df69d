/**
 * The production RoleDirectory: Microsoft Graph for directory roles, people and groups, Azure
 * Resource Manager for Azure resource roles. Every lookup goes through one TTL cache with
 * request coalescing, so a burst of events about one role asks Graph about once.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Settings } from '../settings/settings.js';
import {
  ROLE,
  ROLE_NAMES,
  enclosingScopes,
  type Person,
  type RoleDirectory,
  type RoleHolder,
  type RolePolicy,
  type ScheduledAssignment,
  type TenantInfo,
  type TopRole,
} from './roleDirectory.js';
import { TtlCache } from './cache.js';
import { GraphApi, type FetchLike } from './graph/graphClient.js';
import { GraphReader, type GraphUser } from './graph/graphReader.js';
import { mergeHolders, toPerson, type Holding, type ResolvedPrincipals } from './graph/holders.js';
import { ArmApi } from './arm/armClient.js';
import { ArmReader } from './arm/armReader.js';

type Scope = { kind: 'directory' | 'azureResource'; id: string };

export interface GraphDirectoryOptions {
  /** Defaults: ManagedIdentityCredential(AZURE_CLIENT_ID) when set, else DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Transport for Graph and ARM (see graph/graphClient.ts); tests route it to local endpoints. */
  fetch?: FetchLike;
  /** Clock for the cache (milliseconds). */
  now?: () => number;
}

const AZURE_ADMIN_ROLES = new Set<string>([ROLE.owner, ROLE.userAccessAdministrator]);

export class GraphDirectory implements RoleDirectory {
  private readonly cache: TtlCache;

  constructor(
    readonly graph: GraphReader,
    readonly arm: ArmReader,
    private readonly config: { subscriptionIds: readonly string[]; cacheTtlSeconds: number; now?: () => number },
  ) {
    this.cache = new TtlCache({ ttlSeconds: config.cacheTtlSeconds, ...(config.now ? { now: config.now } : {}) });
  }

  tenant(): Promise<TenantInfo> {
    // Graph has no "PIM enabled" flag; the PIM schedule APIs this directory reads exist only
    // where PIM is available, so a tenant served by them is treated as having it.
    return this.cache.get('tenant', async () => ({ ...(await this.graph.organization()), pimEnabled: true }));
  }

  directoryRoleHolders(roleDefinitionId: string): Promise<RoleHolder[]> {
    const roleId = roleDefinitionId.toLowerCase();
    return this.cache.get(`holders:${roleId}`, async () => {
      const [active, eligible] = await Promise.all([this.graph.activeInstances(roleId), this.graph.eligibleInstances(roleId)]);
      const holdings: Holding[] = [
        ...active.filter((i) => i.directoryScopeId === '/').map((i) => ({ ...i, state: 'active' as const })),
        ...eligible.filter((i) => i.directoryScopeId === '/').map((i) => ({ ...i, state: 'eligible' as const, assignmentType: undefined })),
      ];
      return mergeHolders(holdings, await this.resolve(holdings.map((h) => h.principalId)));
    });
  }

  azureScopeAdmins(scopeId: string): Promise<RoleHolder[]> {
    const scope = scopeId.toLowerCase().replace(/\/+$/, '');
    return this.cache.get(`azureAdmins:${scope}`, async () => {
      const [active, eligible] = await Promise.all([this.arm.roleAssignmentsAtScope(scopeId), this.arm.eligibilitiesAtScope(scopeId)]);
      // atScope() already means "here and above"; checking again keeps a lax endpoint honest.
      const enclosing = new Set(enclosingScopes(scopeId));
      const holdings = [...active, ...eligible].filter((h) => AZURE_ADMIN_ROLES.has(h.roleDefinitionId) && enclosing.has(h.scope.toLowerCase().replace(/\/+$/, '')));
      return mergeHolders(holdings, await this.resolve(holdings.filter((h) => h.principalType !== 'servicePrincipal').map((h) => h.principalId)));
    });
  }

  rolePolicy(scope: Scope, roleDefinitionId: string): Promise<RolePolicy> {
    const roleId = roleDefinitionId.toLowerCase();
    if (scope.kind === 'directory') {
      return this.cache.get(`policy:/:${roleId}`, async () => ({ rules: (await this.graph.directoryRolePolicyRules(roleId)) ?? [] }));
    }
    return this.cache.get(`policy:${scope.id.toLowerCase()}:${roleId}`, async () => ({ rules: (await this.arm.rolePolicyRules(scope.id, roleId)) ?? [] }));
  }

  user(id: string): Promise<Person | undefined> {
    return this.cache.get(`user:${id.toLowerCase()}`, async () => {
      const user = (await this.graph.users([id])).get(id);
      return user ? toPerson(user) : undefined;
    });
  }

  async groupMembers(groupId: string): Promise<Person[]> {
    return (await this.transitiveUsers(groupId)).map(toPerson);
  }

  async roleDisplayName(scope: Scope, roleDefinitionId: string): Promise<string | undefined> {
    const roleId = roleDefinitionId.toLowerCase();
    if (scope.kind === 'directory') return (await this.directoryRoleNames()).get(roleId);
    if (ROLE_NAMES[roleId]) return ROLE_NAMES[roleId];
    return this.cache.get(`armRoleName:${roleId}`, () => this.arm.roleDefinitionName(scope.id, roleId));
  }

  topDirectoryRoles(limit: number): Promise<TopRole[]> {
    return this.cache.get(`topRoles:${limit}`, async () => {
      const [active, eligible, names] = await Promise.all([this.graph.activeInstances(), this.graph.eligibleInstances(), this.directoryRoleNames()]);
      const permanent = new Map<string, Set<string>>();
      const eligibleBy = new Map<string, Set<string>>();
      const add = (m: Map<string, Set<string>>, role: string, principal: string) => m.set(role, (m.get(role) ?? new Set()).add(principal));
      for (const a of active) if (a.assignmentType === 'Assigned' && !a.endDateTime) add(permanent, a.roleDefinitionId.toLowerCase(), a.principalId);
      for (const e of eligible) add(eligibleBy, e.roleDefinitionId.toLowerCase(), e.principalId);
      const roles = new Set([...permanent.keys(), ...eligibleBy.keys()]);
      return [...roles]
        .map((roleDefinitionId) => {
          const p = permanent.get(roleDefinitionId)?.size ?? 0;
          const e = eligibleBy.get(roleDefinitionId)?.size ?? 0;
          return { roleDefinitionId, displayName: names.get(roleDefinitionId) ?? ROLE_NAMES[roleDefinitionId] ?? roleDefinitionId, permanent: p, eligible: e, total: p + e };
        })
        .filter((r) => r.total > 0)
        .sort((a, b) => b.total - a.total || a.displayName.localeCompare(b.displayName))
        .slice(0, limit);
    });
  }

  scheduledAssignments(): Promise<ScheduledAssignment[]> {
    return this.cache.get('scheduled', async () => {
      const [active, eligible, ...subscriptions] = await Promise.all([
        this.graph.activeInstances(),
        this.graph.eligibleInstances(),
        ...this.config.subscriptionIds.map((s) => this.arm.schedulesInSubscription(s)),
      ]);
      const kinds = await this.graph.principals([...new Set([...active, ...eligible].map((i) => i.principalId))]);
      const out: ScheduledAssignment[] = [];
      for (const [state, list] of [['active', active], ['eligible', eligible]] as const) {
        for (const i of list) {
          out.push({
            scope: { kind: 'directory', id: i.directoryScopeId },
            roleDefinitionId: i.roleDefinitionId,
            principalId: i.principalId,
            principalType: kinds.get(i.principalId)?.kind ?? 'servicePrincipal',
            state,
            ...(state === 'active' ? { assignmentType: i.assignmentType ?? 'Assigned' } : {}),
            startDateTime: i.startDateTime ?? null,
            endDateTime: i.endDateTime ?? null,
          });
        }
      }
      // A management-group assignment shows in every subscription under it: list it once.
      const seen = new Set<string>();
      for (const h of subscriptions.flat()) {
        if (seen.has(h.id.toLowerCase())) continue;
        seen.add(h.id.toLowerCase());
        const { id: _id, scope, principalType, ...rest } = h;
        out.push({ ...rest, scope: { kind: 'azureResource', id: scope }, principalType });
      }
      return out;
    });
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

  private transitiveUsers(groupId: string): Promise<GraphUser[]> {
    return this.cache.get(`members:${groupId.toLowerCase()}`, async () => (await this.graph.transitiveUsers([groupId])).get(groupId) ?? []);
  }

  /** Users and groups behind principal ids, groups with their users; each id asked once per TTL. */
  private async resolve(principalIds: readonly string[]): Promise<ResolvedPrincipals> {
    const ids = [...new Set(principalIds)];
    const kinds = await this.cache.get(`principals:${ids.slice().sort().join(',')}`, () => this.graph.principals(ids));
    const users = new Map<string, GraphUser>();
    const groups: ResolvedPrincipals['groups'] = new Map();
    await Promise.all(
      [...kinds].map(async ([id, p]) => {
        if (p.kind === 'user') users.set(id, p.user);
        else groups.set(id, { displayName: p.group.displayName ?? id, users: await this.transitiveUsers(id) });
      }),
    );
    return { users, groups };
  }
}

/** The production directory from settings; `options` inject a credential and a transport (tests, benchmark). */
export function createGraphDirectory(settings: Settings, options: GraphDirectoryOptions = {}): GraphDirectory {
  const credential =
    options.credential ??
    (settings.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: settings.AZURE_CLIENT_ID }) : new DefaultAzureCredential());
  const transport = options.fetch ? { fetch: options.fetch } : {};
  const graph = new GraphReader(new GraphApi({ baseUrl: settings.GRAPH_BASE_URL, credential, ...transport }));
  const arm = new ArmReader(new ArmApi({ baseUrl: settings.ARM_BASE_URL, credential, ...transport }));
  return new GraphDirectory(graph, arm, {
    subscriptionIds: settings.AZURE_SUBSCRIPTION_IDS,
    cacheTtlSeconds: settings.DIRECTORY_CACHE_TTL_SECONDS,
    ...(options.now ? { now: options.now } : {}),
  });
}
