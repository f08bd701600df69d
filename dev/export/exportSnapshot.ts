/**
 * Exports a tenant as a directory snapshot (docs/directory-snapshot.md) through the same
 * Graph/ARM readers the production directory uses, so that a SnapshotDirectory over the file
 * answers like the GraphDirectory over the tenant did at export time (`simulate` on the export
 * sends what the app would have sent). What goes in:
 *
 * - users: every user of the tenant (one paged `/users` list with the address properties),
 *   because an event can name any user as principal or actor, role or no role. With
 *   `allUsers: false` only the users that matter for role lookups are exported: holders
 *   (directory and Azure, direct or through groups) and approvers, with the members of their groups.
 * - servicePrincipals: the role holders that are neither users nor groups (apps, managed identities).
 * - groups: the groups that hold a role (directory or Azure) or are named as approvers, and
 *   every group nested in them, each with its direct members (users and groups).
 * - directory roles: all definitions, every active and eligible schedule instance (at any
 *   directory scope), and the PIM policy of every role that has one.
 * - Azure: each subscription of `subscriptionIds` and its resource groups, with the active
 *   (schedule instances: dates and Assigned/Activated) and eligible assignments made there,
 *   the names of the roles held there, and the policies of the roles that matter in the
 *   subscription (Owner, User Access Administrator and every role held in it).
 *
 * Schedule instances are what is in force now: expired and not-yet-started assignments are not
 * exported, so the export answers as the tenant does at export time.
 */
import { ROLE, type PolicyRule } from '../../shared/directory/roleDirectory.js';
import type { DirectoryPrincipal, GraphReader, GraphUser } from '../../shared/directory/graph/graphReader.js';
import type { ArmReader, ArmRoleHolding } from '../../shared/directory/arm/armReader.js';
import { exportPrivilegedAccessGroups } from './exportGroups.js';

export interface DirectorySource {
  graph: GraphReader;
  arm: ArmReader;
}

export interface ExportOptions {
  /** Subscriptions whose Azure resource roles are exported, with their resource groups. */
  subscriptionIds: readonly string[];
  /**
   * Export every user of the tenant (default). false: only role holders, members of their
   * groups and approvers, for a very large tenant; events about anyone else then find nobody.
   */
  allUsers?: boolean;
}

interface ExportedPolicy {
  roleDefinitionId: string;
  rules: PolicyRule[];
}

interface ExportedAzureResource {
  id: string;
  displayName: string;
  roleDefinitions: { id: string; displayName: string }[];
  roleAssignments: {
    principalId: string;
    roleDefinitionId: string;
    state: 'active' | 'eligible';
    assignmentType?: 'Assigned' | 'Activated';
    startDateTime: string | null;
    endDateTime: string | null;
  }[];
  roleManagementPolicies: ExportedPolicy[];
}

export async function exportDirectorySnapshot(source: DirectorySource, options: ExportOptions): Promise<object> {
  const { graph } = source;
  const [org, definitions, active, eligible, directoryPolicies, listedUsers] = await Promise.all([
    graph.organization(),
    graph.roleDefinitions(),
    graph.activeInstances(),
    graph.eligibleInstances(),
    graph.directoryRolePolicies(),
    options.allUsers === false ? Promise.resolve([] as GraphUser[]) : graph.allUsers(),
  ]);
  const roleManagementPolicies: ExportedPolicy[] = [...directoryPolicies].map(([roleDefinitionId, rules]) => ({ roleDefinitionId, rules }));

  const azure = await exportAzure(source.arm, options.subscriptionIds);
  const pim = await exportPrivilegedAccessGroups(graph);
  const pimGroupIds = pim.privilegedAccessGroups.map((g) => g.groupId);

  // Everyone who matters for role lookups: principals, approvers, and the members of their groups.
  const approvers = [
    ...roleManagementPolicies,
    ...azure.resources.flatMap((r) => r.roleManagementPolicies),
    ...pim.privilegedAccessGroups.flatMap((g) => g.roleManagementPolicies),
  ]
    .flatMap((p) => p.rules)
    .flatMap(approverIds);
  const candidates = [
    ...new Set([
      ...[...active, ...eligible].map((i) => i.principalId),
      ...azure.holdings.filter((h) => h.principalType !== 'servicePrincipal').map((h) => h.principalId),
      ...approvers,
      ...pim.principalIds,
      ...pimGroupIds,
    ]),
  ];
  const users = new Map<string, GraphUser>(listedUsers.map((u) => [u.id.toLowerCase(), u]));
  const kinds = await graph.principals(candidates.filter((id) => !users.has(id.toLowerCase())));
  const neededUsers = new Set<string>();
  for (const [id, p] of kinds) if (p.kind === 'user') users.set(id.toLowerCase(), p.user);

  const groups: { id: string; displayName: string; mail: string | null; members: string[]; owners?: string[] }[] = [];
  const queue = [...kinds].filter(([, p]) => p.kind === 'group').map(([id]) => id);
  const seenGroups = new Set(queue.map((id) => id.toLowerCase()));
  while (queue.length > 0) {
    const id = queue.shift()!;
    const members = await graph.directMembers(id);
    // Graph's documented answer to /members?$select=id is `{ id }` without `@odata.type`:
    // such members are looked up by id (users first), as the live directory would find them.
    const untyped = members.filter((m) => !m['@odata.type']).map((m) => m.id);
    const resolved = untyped.length > 0 ? await graph.principals(untyped) : new Map<string, DirectoryPrincipal>();
    const kept: string[] = [];
    for (const m of members) {
      const kind = memberKind(m, resolved.get(m.id));
      if (kind === 'user') {
        const p = resolved.get(m.id);
        if (p?.kind === 'user' && !users.has(m.id.toLowerCase())) users.set(m.id.toLowerCase(), p.user);
        neededUsers.add(m.id);
      } else if (kind === 'group' && !seenGroups.has(m.id.toLowerCase())) {
        seenGroups.add(m.id.toLowerCase());
        queue.push(m.id);
      }
      if (kind) kept.push(m.id);
    }
    const owners = pim.owners.get(id.toLowerCase()) ?? [];
    for (const o of owners) neededUsers.add(o);
    groups.push({ id, displayName: '', mail: null, members: kept, ...(owners.length > 0 ? { owners } : {}) });
  }
  const groupInfo = await graph.groups(groups.map((g) => g.id));
  for (const g of groups) {
    const info = groupInfo.get(g.id);
    g.displayName = info?.displayName ?? g.id;
    g.mail = info?.mail ?? null;
  }
  // Principals that are neither users nor groups: service principals (apps, managed identities)
  // are named so that their assignments read as such rather than as unknown ids.
  const others = candidates.filter((id) => !users.has(id.toLowerCase()) && !kinds.has(id));
  const azureApps = azure.holdings.filter((h) => h.principalType === 'servicePrincipal').map((h) => h.principalId);
  const servicePrincipals = [...(await graph.servicePrincipals([...new Set([...others, ...azureApps])])).values()].map((sp) => ({
    id: sp.id,
    displayName: sp.displayName ?? sp.id,
  }));
  const missing = [...neededUsers].filter((id) => !users.has(id.toLowerCase()));
  for (const u of (await graph.users(missing)).values()) users.set(u.id.toLowerCase(), u);

  return {
    tenant: { id: org.id, displayName: org.displayName, pimEnabled: true },
    users: [...users.values()].map((u) => ({
      id: u.id,
      displayName: u.displayName ?? u.userPrincipalName ?? u.id,
      mail: u.mail ?? null,
      userPrincipalName: u.userPrincipalName ?? null,
      otherMails: u.otherMails ?? [],
    })),
    groups,
    servicePrincipals,
    roleDefinitions: definitions.map((d) => ({ id: d.templateId ?? d.id, displayName: d.displayName })),
    roleAssignments: active.map((a) => ({
      principalId: a.principalId,
      roleDefinitionId: a.roleDefinitionId,
      directoryScopeId: a.directoryScopeId,
      assignmentType: a.assignmentType ?? 'Assigned',
      startDateTime: a.startDateTime ?? null,
      endDateTime: a.endDateTime ?? null,
    })),
    roleEligibilities: eligible.map((e) => ({
      principalId: e.principalId,
      roleDefinitionId: e.roleDefinitionId,
      directoryScopeId: e.directoryScopeId,
      startDateTime: e.startDateTime ?? null,
      endDateTime: e.endDateTime ?? null,
    })),
    roleManagementPolicies,
    azureResources: azure.resources,
    privilegedAccessGroups: pim.privilegedAccessGroups,
  };
}

/**
 * The subscriptions and their resource groups. Each holding is listed once, on the scope it is
 * made on; one made above a subscription (a management group, the tenant root) is listed on the
 * subscription, the highest scope a snapshot knows, where it counts for the same scopes.
 */
async function exportAzure(
  arm: ArmReader,
  subscriptionIds: readonly string[],
): Promise<{ resources: ExportedAzureResource[]; holdings: ArmRoleHolding[] }> {
  const resources: ExportedAzureResource[] = [];
  const holdings: ArmRoleHolding[] = [];
  for (const subscriptionId of subscriptionIds) {
    const [sub, resourceGroups] = await Promise.all([arm.subscription(subscriptionId), arm.resourceGroups(subscriptionId)]);
    const subKey = scopeKey(sub.id);
    const scopes = [{ id: sub.id, displayName: sub.displayName }, ...resourceGroups.map((g) => ({ id: g.id, displayName: g.name }))];
    // Role names from the schedule instances' own expandedProperties: a role definition is the
    // same object at every scope, so a name read anywhere in the subscription names it everywhere.
    const roleNames = new Map<string, string>();
    const held = await Promise.all(
      scopes.map(async (scope) => {
        const key = scopeKey(scope.id);
        const [assigned, eligibleHere] = await Promise.all([arm.activeSchedulesAtScope(scope.id), arm.eligibilitiesAtScope(scope.id)]);
        for (const h of [...assigned, ...eligibleHere])
          if (h.roleDefinitionName && !roleNames.has(h.roleDefinitionId)) roleNames.set(h.roleDefinitionId, h.roleDefinitionName);
        // atScope() is "here and above": keep what is made here and, on the subscription, what is
        // made above it (anything atScope() returns there that is not the subscription itself).
        const own = (h: ArmRoleHolding) => scopeKey(h.scope) === key || key === subKey;
        const byId = new Map<string, ArmRoleHolding>();
        for (const h of [...assigned, ...eligibleHere]) if (own(h) && !byId.has(h.id.toLowerCase())) byId.set(h.id.toLowerCase(), h);
        return [...byId.values()];
      }),
    );
    // Policies of the roles that matter anywhere in the subscription, at every scope of it: the
    // snapshot falls back to an enclosing scope's policy, ARM does not, so a resource group
    // without a policy of its own gets an explicit empty one (factory defaults) when its
    // subscription has one.
    const roleIds = [...new Set([ROLE.owner, ROLE.userAccessAdministrator, ...held.flat().map((h) => h.roleDefinitionId.toLowerCase())])];
    const policies = await Promise.all(scopes.map((scope) => arm.rolePoliciesAtScope(scope.id, roleIds)));
    const subPolicies = policies[0] ?? new Map<string, PolicyRule[]>();
    // Only roles no instance named are asked for, once each, at the subscription.
    const named = [...new Set([ROLE.owner, ROLE.userAccessAdministrator, ...held.flat().map((h) => h.roleDefinitionId.toLowerCase())])];
    await Promise.all(
      named.filter((id) => !roleNames.has(id)).map(async (id) => roleNames.set(id, (await arm.roleDefinitionName(sub.id, id)) ?? id)),
    );
    for (const [i, scope] of scopes.entries()) {
      const here = held[i] ?? [];
      holdings.push(...here);
      const own = policies[i] ?? new Map<string, PolicyRule[]>();
      const scopePolicies: ExportedPolicy[] = roleIds.flatMap((roleDefinitionId) => {
        const rules = own.get(roleDefinitionId) ?? (i > 0 && subPolicies.has(roleDefinitionId) ? [] : undefined);
        return rules ? [{ roleDefinitionId, rules }] : [];
      });
      const namedHere = [...new Set([ROLE.owner, ROLE.userAccessAdministrator, ...here.map((h) => h.roleDefinitionId.toLowerCase())])];
      const roleDefinitions = namedHere.map((id) => ({ id, displayName: roleNames.get(id) ?? id }));
      resources.push({
        id: scope.id,
        displayName: scope.displayName,
        roleDefinitions,
        roleAssignments: here.map((h) => ({
          principalId: h.principalId,
          roleDefinitionId: h.roleDefinitionId,
          state: h.state,
          ...(h.state === 'active' ? { assignmentType: h.assignmentType ?? 'Assigned' } : {}),
          startDateTime: h.startDateTime,
          endDateTime: h.endDateTime,
        })),
        roleManagementPolicies: scopePolicies,
      });
    }
  }
  return { resources, holdings };
}

/** A member's kind by its `@odata.type`, else by what its id resolved to; undefined for anything else (devices, apps). */
function memberKind(member: { '@odata.type'?: string }, resolved: DirectoryPrincipal | undefined): 'user' | 'group' | undefined {
  const type = String(member['@odata.type'] ?? '').toLowerCase();
  if (!type) return resolved?.kind;
  return type.endsWith('.user') ? 'user' : type.endsWith('.group') ? 'group' : undefined;
}

function scopeKey(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, '');
}

function approverIds(rule: PolicyRule): string[] {
  const stages =
    (
      rule['setting'] as
        { approvalStages?: { primaryApprovers?: Record<string, unknown>[]; escalationApprovers?: Record<string, unknown>[] }[] } | undefined
    )?.approvalStages ?? [];
  return stages
    .flatMap((s) => [...(s.primaryApprovers ?? []), ...(s.escalationApprovers ?? [])])
    .flatMap((a) => [a['userId'], a['groupId']].filter((x): x is string => typeof x === 'string'));
}
