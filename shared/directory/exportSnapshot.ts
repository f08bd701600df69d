/**
 * Exports a tenant as a directory snapshot (contracts/directory-snapshot.md) through the same
 * Graph/ARM readers the production directory uses. Only what the role lookup needs is exported:
 * role holders, the members of their groups (nested groups included), and policy approvers.
 */
import { ROLE } from './roleDirectory.js';
import type { PolicyRule } from './roleDirectory.js';
import type { GraphReader, GraphUser } from './graph/graphReader.js';
import type { ArmReader, ArmRoleHolding } from './arm/armReader.js';

export interface DirectorySource {
  graph: GraphReader;
  arm: ArmReader;
}

export interface ExportOptions {
  /** Subscriptions whose Azure resource roles are exported, with their resource groups. */
  subscriptionIds: readonly string[];
}

const ADMIN_ROLES = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator];

export async function exportDirectorySnapshot(source: DirectorySource, options: ExportOptions): Promise<object> {
  const { graph, arm } = source;
  const [org, definitions, active, eligible] = await Promise.all([graph.organization(), graph.roleDefinitions(), graph.activeInstances(), graph.eligibleInstances()]);

  const roles = [...new Set([...ADMIN_ROLES, ...active.map((a) => a.roleDefinitionId), ...eligible.map((e) => e.roleDefinitionId)].map((r) => r.toLowerCase()))];
  const policies = await Promise.all(roles.map(async (roleDefinitionId) => ({ roleDefinitionId, rules: await graph.directoryRolePolicyRules(roleDefinitionId) })));
  const roleManagementPolicies = policies.filter((p) => p.rules !== undefined);

  const azureResources = [];
  const azureHoldings: ArmRoleHolding[] = [];
  const azureRules: PolicyRule[][] = [];
  for (const subscriptionId of options.subscriptionIds) {
    const [sub, groups] = await Promise.all([arm.subscription(subscriptionId), arm.resourceGroups(subscriptionId)]);
    for (const scope of [{ id: sub.id, displayName: sub.displayName }, ...groups.map((g) => ({ id: g.id, displayName: g.name }))]) {
      const key = scope.id.toLowerCase();
      const [assigned, eligibleHere] = await Promise.all([arm.roleAssignmentsAtScope(scope.id), arm.eligibilitiesAtScope(scope.id)]);
      // atScope() includes enclosing scopes; the snapshot lists each holding once, where it is made.
      const here = [...assigned, ...eligibleHere].filter((h) => h.scope.toLowerCase() === key);
      azureHoldings.push(...here);
      const roleIds = [...new Set([ROLE.owner, ROLE.userAccessAdministrator, ...here.map((h) => h.roleDefinitionId)])];
      const names = await Promise.all(roleIds.map(async (id) => ({ id, displayName: (await arm.roleDefinitionName(scope.id, id)) ?? id })));
      const scopePolicies = (await Promise.all(roleIds.map(async (roleDefinitionId) => ({ roleDefinitionId, rules: await arm.rolePolicyRules(scope.id, roleDefinitionId) })))).filter(
        (p): p is { roleDefinitionId: string; rules: PolicyRule[] } => p.rules !== undefined,
      );
      azureRules.push(...scopePolicies.map((p) => p.rules));
      azureResources.push({
        id: scope.id,
        displayName: scope.displayName,
        roleDefinitions: names,
        roleAssignments: here.map((h) => ({ principalId: h.principalId, roleDefinitionId: h.roleDefinitionId, state: h.state, startDateTime: h.startDateTime, endDateTime: h.endDateTime })),
        roleManagementPolicies: scopePolicies,
      });
    }
  }

  // Everyone who matters: principals, approvers, and (below) the members of every group among them.
  const approvers = [...roleManagementPolicies.flatMap((p) => p.rules ?? []), ...azureRules.flat()].flatMap(approverIds);
  const principalIds = [...active, ...eligible].map((i) => i.principalId);
  const kinds = await graph.principals([...new Set([...principalIds, ...azureHoldings.filter((h) => h.principalType !== 'servicePrincipal').map((h) => h.principalId), ...approvers])]);
  const userIds = new Set([...kinds].filter(([, p]) => p.kind === 'user').map(([id]) => id));
  const groups: { id: string; displayName: string; mail: string | null; members: string[] }[] = [];
  const queue = [...kinds].filter(([, p]) => p.kind === 'group').map(([id]) => id);
  const seenGroups = new Set(queue);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const members = await graph.directMembers(id);
    for (const m of members) {
      const type = String(m['@odata.type'] ?? '').toLowerCase();
      if (type.endsWith('.user')) userIds.add(m.id);
      else if (type.endsWith('.group') && !seenGroups.has(m.id)) {
        seenGroups.add(m.id);
        queue.push(m.id);
      }
    }
    groups.push({ id, displayName: '', mail: null, members: members.filter((m) => /\.(user|group)$/i.test(String(m['@odata.type'] ?? ''))).map((m) => m.id) });
  }
  const groupInfo = await graph.groups(groups.map((g) => g.id));
  for (const g of groups) {
    const info = groupInfo.get(g.id);
    g.displayName = info?.displayName ?? g.id;
    g.mail = info?.mail ?? null;
  }
  const users = await graph.users([...userIds]);

  return {
    tenant: { id: org.id, displayName: org.displayName, pimEnabled: true },
    users: [...users.values()].map((u: GraphUser) => ({ id: u.id, displayName: u.displayName ?? u.id, mail: u.mail ?? null, userPrincipalName: u.userPrincipalName ?? null, otherMails: u.otherMails ?? [] })),
    groups,
    roleDefinitions: definitions.map((d) => ({ id: d.templateId ?? d.id, displayName: d.displayName })),
    roleAssignments: active.map((a) => ({ principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId, assignmentType: a.assignmentType ?? 'Assigned', startDateTime: a.startDateTime ?? null, endDateTime: a.endDateTime ?? null })),
    roleEligibilities: eligible.map((e) => ({ principalId: e.principalId, roleDefinitionId: e.roleDefinitionId, directoryScopeId: e.directoryScopeId, startDateTime: e.startDateTime ?? null, endDateTime: e.endDateTime ?? null })),
    roleManagementPolicies,
    azureResources,
  };
}

function approverIds(rule: PolicyRule): string[] {
  const stages = ((rule['setting'] as { approvalStages?: { primaryApprovers?: Record<string, unknown>[]; escalationApprovers?: Record<string, unknown>[] }[] } | undefined)?.approvalStages) ?? [];
  return stages.flatMap((s) => [...(s.primaryApprovers ?? []), ...(s.escalationApprovers ?? [])]).flatMap((a) => [a['userId'], a['groupId']].filter((x): x is string => typeof x === 'string'));
}
