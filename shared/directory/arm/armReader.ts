/**
 * The ARM calls the role lookup makes, each returning plain, already-converted data:
 * role assignments and eligibilities at (and above) a scope, schedules across a subscription,
 * and a role's PIM policy at a scope in Graph rule shape.
 */
import { armScope } from '../../events/armScope.js';
import type { PolicyRule } from '../roleDirectory.js';
import type { ArmApi } from './armClient.js';
import { armRulesToGraph, type ArmPolicyRule } from './policyConversion.js';

const ROLE_ASSIGNMENTS_API = '2022-04-01';
const PIM_API = '2020-10-01';
const RESOURCES_API = '2021-04-01';
const SUBSCRIPTIONS_API = '2022-12-01';
const MANAGEMENT_GROUPS_API = '2023-04-01';

export type ArmPrincipalType = 'user' | 'group' | 'servicePrincipal';

/** One assignment or eligibility on an Azure scope, ARM ids reduced to what the app needs. */
export interface ArmRoleHolding {
  id: string;
  scope: string;
  /** The role definition's GUID (the last segment of ARM's full id). */
  roleDefinitionId: string;
  principalId: string;
  principalType: ArmPrincipalType;
  state: 'active' | 'eligible';
  assignmentType?: 'Assigned' | 'Activated';
  startDateTime: string | null;
  endDateTime: string | null;
  /**
   * The role's name from the instance's own `expandedProperties`, when they name the same role
   * as `roleDefinitionId` (Microsoft's eligibility example names another one there: the id in
   * `properties` is the one that counts, and a name is only trusted for its own id).
   */
  roleDefinitionName?: string;
}

interface ArmResource<P> {
  id: string;
  name?: string;
  properties: P;
}

interface HoldingProperties {
  scope?: string;
  roleDefinitionId?: string;
  principalId?: string;
  principalType?: string;
  assignmentType?: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  expandedProperties?: { roleDefinition?: { id?: string | null; displayName?: string | null } | null } | null;
}

interface PolicyAssignmentProperties {
  scope?: string;
  roleDefinitionId?: string;
  policyId?: string;
  /** The policy's rules, already in the list answer (2020-10-01); read instead of GETting each policy. */
  effectiveRules?: ArmPolicyRule[] | null;
}

export class ArmReader {
  /**
   * Policies' rules as the last policy-assignment list carried them (`effectiveRules`), by
   * lower-cased policy id, each handed out once by rolePolicyById: a later ask, with no fresh
   * list in between, reads the policy itself.
   */
  private readonly listedRules = new Map<string, PolicyRule[]>();

  constructor(private readonly api: ArmApi) {}

  /** Active role assignments on the scope and every scope above it (atScope()). */
  async roleAssignmentsAtScope(scope: string): Promise<ArmRoleHolding[]> {
    const items = await this.api.list<ArmResource<HoldingProperties>>(
      `${trim(scope)}/providers/Microsoft.Authorization/roleAssignments?api-version=${ROLE_ASSIGNMENTS_API}&$filter=${encodeURIComponent('atScope()')}`,
    );
    return items.map((i) => holding(i, 'active', scope));
  }

  /** Eligible assignments on the scope and every scope above it. */
  async eligibilitiesAtScope(scope: string): Promise<ArmRoleHolding[]> {
    const items = await this.api.list<ArmResource<HoldingProperties>>(
      `${trim(scope)}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=${PIM_API}&$filter=${encodeURIComponent('atScope()')}`,
    );
    return items.map((i) => holding(i, 'eligible', scope));
  }

  /**
   * Active assignments on the scope and above as PIM schedule instances: the same assignments as
   * roleAssignmentsAtScope, with their start and end dates and Assigned/Activated (the export needs them).
   */
  async activeSchedulesAtScope(scope: string): Promise<ArmRoleHolding[]> {
    const items = await this.api.list<ArmResource<HoldingProperties>>(
      `${trim(scope)}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=${PIM_API}&$filter=${encodeURIComponent('atScope()')}`,
    );
    return items.map((i) => holding(i, 'active', scope));
  }

  /**
   * The PIM policies of the given roles at exactly this scope, rules in Graph shape; roles
   * without a policy here are left out. One list of policy assignments, whose `effectiveRules`
   * are the policies' rules; a policy is fetched only when its assignment comes without them.
   */
  async rolePoliciesAtScope(scope: string, roleDefinitionIds: readonly string[]): Promise<Map<string, PolicyRule[]>> {
    const wanted = new Set(roleDefinitionIds.map((r) => r.toLowerCase()));
    const assignments = await this.api.list<ArmResource<PolicyAssignmentProperties>>(
      `${trim(scope)}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?api-version=${PIM_API}`,
    );
    const out = new Map<string, PolicyRule[]>();
    const first = new Map<string, PolicyAssignmentProperties>();
    for (const a of assignments) {
      const role = lastSegment(a.properties?.roleDefinitionId);
      if (wanted.has(role) && a.properties.policyId && !first.has(role)) first.set(role, a.properties);
    }
    await Promise.all(
      [...first].map(async ([role, p]) => {
        if (Array.isArray(p.effectiveRules)) return void out.set(role, armRulesToGraph(p.effectiveRules));
        out.set(role, await this.rolePolicyById(p.policyId!));
      }),
    );
    return out;
  }

  /** Every active and eligible schedule instance in a subscription (at, above and below it), with dates. */
  async schedulesInSubscription(subscriptionId: string): Promise<ArmRoleHolding[]> {
    const scope = `/subscriptions/${subscriptionId}`;
    const [active, eligible] = await Promise.all([
      this.api.list<ArmResource<HoldingProperties>>(
        `${scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version=${PIM_API}`,
      ),
      this.api.list<ArmResource<HoldingProperties>>(
        `${scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=${PIM_API}`,
      ),
    ]);
    return [...active.map((i) => holding(i, 'active', scope)), ...eligible.map((i) => holding(i, 'eligible', scope))];
  }

  /**
   * The policy assignments made exactly at a scope, as role definition GUID → policy id (the
   * first one per role). One list answers every role at that scope; the policies themselves
   * are read with rolePolicyById, which a caller can cache by policy id.
   */
  async policyAssignmentsAtScope(scope: string): Promise<Map<string, string>> {
    const assignments = await this.api.list<ArmResource<PolicyAssignmentProperties>>(
      `${trim(scope)}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?api-version=${PIM_API}`,
    );
    // Filtered here: not every api-version honours a roleDefinitionId $filter on this list.
    const out = new Map<string, string>();
    for (const a of assignments) {
      const role = lastSegment(a.properties.roleDefinitionId);
      if (role && !out.has(role)) out.set(role, a.properties.policyId ?? '');
      if (a.properties.policyId && Array.isArray(a.properties.effectiveRules))
        this.listedRules.set(a.properties.policyId.toLowerCase(), armRulesToGraph(a.properties.effectiveRules));
    }
    return out;
  }

  /** A role management policy by its ARM id, rules in Graph shape: from the list just read when it carried them, else one GET. */
  async rolePolicyById(policyId: string): Promise<PolicyRule[]> {
    const listed = this.listedRules.get(policyId.toLowerCase());
    if (listed) {
      this.listedRules.delete(policyId.toLowerCase());
      return listed;
    }
    const policy = await this.api.get<ArmResource<{ rules?: ArmPolicyRule[] }>>(`${policyId}?api-version=${PIM_API}`);
    return armRulesToGraph(policy.properties.rules);
  }

  /**
   * The PIM policy of a role at a scope, rules in Graph shape; undefined when ARM has none
   * (the caller then applies factory defaults).
   */
  async rolePolicyRules(scope: string, roleDefinitionId: string): Promise<PolicyRule[] | undefined> {
    const policyId = (await this.policyAssignmentsAtScope(scope)).get(roleDefinitionId.toLowerCase());
    return policyId ? this.rolePolicyById(policyId) : undefined;
  }

  /** A role definition's name (e.g. "Contributor"), or undefined when ARM does not know the id. */
  async roleDefinitionName(scope: string, roleDefinitionId: string): Promise<string | undefined> {
    try {
      const def = await this.api.get<ArmResource<{ roleName?: string }>>(
        `${trim(scope)}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionId}?api-version=${ROLE_ASSIGNMENTS_API}`,
      );
      return def.properties.roleName;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async subscription(subscriptionId: string): Promise<{ id: string; displayName: string }> {
    const sub = await this.api.get<{ id: string; displayName?: string }>(
      `/subscriptions/${subscriptionId}?api-version=${SUBSCRIPTIONS_API}`,
    );
    return { id: sub.id, displayName: sub.displayName ?? subscriptionId };
  }

  /** A management group's display name, or undefined when ARM does not show it to us. */
  async managementGroupName(scope: string): Promise<string | undefined> {
    try {
      const mg = await this.api.get<{ properties?: { displayName?: string } }>(`${trim(scope)}?api-version=${MANAGEMENT_GROUPS_API}`);
      return mg.properties?.displayName;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 403) return undefined;
      throw error;
    }
  }

  async resourceGroups(subscriptionId: string): Promise<{ id: string; name: string }[]> {
    const groups = await this.api.list<{ id: string; name: string }>(
      `/subscriptions/${subscriptionId}/resourcegroups?api-version=${RESOURCES_API}`,
    );
    return groups.map((g) => ({ id: g.id, name: g.name }));
  }
}

function holding(item: ArmResource<HoldingProperties>, state: 'active' | 'eligible', requestedScope: string): ArmRoleHolding {
  const p = item.properties;
  const type = String(p.principalType ?? '').toLowerCase();
  const assignmentType = p.assignmentType === 'Activated' ? 'Activated' : p.assignmentType === 'Assigned' ? 'Assigned' : undefined;
  const roleDefinitionId = lastSegment(p.roleDefinitionId);
  const expanded = p.expandedProperties?.roleDefinition;
  const name =
    expanded &&
    lastSegment(expanded.id ?? undefined) === roleDefinitionId &&
    typeof expanded.displayName === 'string' &&
    expanded.displayName.trim()
      ? expanded.displayName.trim()
      : undefined;
  return {
    // A subscription in one spelling, whichever ARM wrote (events/armScope.ts).
    id: armScope(item.id),
    scope: armScope(p.scope ?? requestedScope),
    roleDefinitionId,
    principalId: String(p.principalId ?? ''),
    principalType: type === 'group' ? 'group' : type === 'user' ? 'user' : 'servicePrincipal',
    state,
    ...(state === 'active' ? { assignmentType: assignmentType ?? 'Assigned' } : {}),
    startDateTime: p.startDateTime ?? null,
    endDateTime: p.endDateTime ?? null,
    ...(name ? { roleDefinitionName: name } : {}),
  };
}

function lastSegment(id: string | undefined): string {
  return (
    String(id ?? '')
      .split('/')
      .filter(Boolean)
      .pop()
      ?.toLowerCase() ?? ''
  );
}

function trim(scope: string): string {
  return '/' + scope.replace(/^\/+|\/+$/g, '');
}
