/**
 * A local Azure Resource Manager serving the `azureResources` of a directory snapshot
 * (docs/directory-snapshot.md) the ARM way: role assignments (2022-04-01), PIM schedule
 * instances and role management policies (2020-10-01, rules in ARM shape with `ruleType`),
 * subscriptions and resource groups; absolute `nextLink` paging, `$filter=atScope()`, bearer
 * token required, injectable 429/503 with Retry-After, request counts and latency.
 */
import { enclosingScopes } from '../../shared/directory/roleDirectory.js';
import { graphRuleToArm } from '../../shared/directory/arm/policyConversion.js';
import { FakeServer, inForce, type WorldOptions, type Reply } from './fakeServer.js';
import { armRefusal } from './armContract.js';
import type { TenantData } from './fakeGraph.js';

const AUTH = '/providers/microsoft.authorization/';

export class FakeArm extends FakeServer {
  constructor(
    readonly data: TenantData,
    options: WorldOptions,
  ) {
    super({ publicBaseUrl: 'https://management.azure.com', ...options });
  }

  protected errorBody(code: string, message: string): unknown {
    return { error: { code, message } };
  }

  /** ARM's answer to what it never serves: a write, a request without api-version, one outside the documented contract. */
  protected refused(method: string, url: URL): Reply | undefined {
    if (method !== 'GET') return { status: 405, body: this.errorBody('MethodNotAllowed', `${method} is not served here`) };
    if (!url.searchParams.get('api-version'))
      return {
        status: 400,
        body: this.errorBody('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
      };
    // Held to ARM's documented contract (armContract.ts): api-version, parameters, $filter forms.
    const refusal = armRefusal(decodeURIComponent(url.pathname), url.searchParams);
    return refusal && { status: 400, body: this.errorBody(refusal.code, refusal.message) };
  }

  protected handle(method: string, url: URL): Reply {
    const refused = this.refused(method, url);
    if (refused) return refused;
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '');
    const lower = path.toLowerCase();
    const at = lower.indexOf(AUTH);
    let m: RegExpMatchArray | null;
    if (at >= 0) {
      const scope = path.slice(0, at);
      const rest = lower.slice(at + AUTH.length);
      const filter = url.searchParams.get('$filter');
      const atScope = filter === 'atScope()';
      // Documented filters this local ARM does not implement are refused, never answered unfiltered.
      if (filter !== null && !atScope && /^role(assignments|assignmentscheduleinstances|eligibilityscheduleinstances)$/.test(rest))
        return { status: 400, body: this.errorBody('BadRequest', `The local ARM serves only $filter=atScope() here, not '${filter}'`) };
      if (rest === 'roleassignments')
        return this.page(
          url,
          this.holdings(scope, atScope, 'active').map((h) => this.assignment(h, 'roleAssignments')),
          'nextLink',
        );
      if (rest === 'roleassignmentscheduleinstances')
        return this.page(
          url,
          this.holdings(scope, atScope, 'active').map((h) => this.assignment(h, 'roleAssignmentScheduleInstances')),
          'nextLink',
        );
      if (rest === 'roleeligibilityscheduleinstances')
        return this.page(
          url,
          this.holdings(scope, atScope, 'eligible').map((h) => this.assignment(h, 'roleEligibilityScheduleInstances')),
          'nextLink',
        );
      if (rest === 'rolemanagementpolicyassignments') {
        // As 2020-10-01 lists them: the policy's rules already there as effectiveRules.
        const items = (this.resource(scope)?.roleManagementPolicies ?? []).map((p) => ({
          id: `${scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments/${p.roleDefinitionId}`,
          name: p.roleDefinitionId,
          type: 'Microsoft.Authorization/RoleManagementPolicyAssignment',
          properties: {
            scope,
            roleDefinitionId: roleDefinitionArmId(scope, p.roleDefinitionId),
            policyId: policyArmId(scope, p.roleDefinitionId),
            effectiveRules: p.rules.map(graphRuleToArm),
            policyAssignmentProperties: {
              scope: { id: scope, displayName: this.resource(scope)?.displayName ?? null, type: scopeType(scope) },
              roleDefinition: {
                id: roleDefinitionArmId(scope, p.roleDefinitionId),
                displayName: this.roleName(p.roleDefinitionId) ?? null,
                type: 'BuiltInRole',
              },
              policy: {
                id: policyArmId(scope, p.roleDefinitionId),
                lastModifiedBy: { id: null, displayName: 'Admin', type: null, email: null },
                lastModifiedDateTime: null,
              },
            },
          },
        }));
        return this.page(url, items, 'nextLink');
      }
      if ((m = /^rolemanagementpolicies\/([^/]+)-policy$/.exec(rest))) {
        const policy = this.resource(scope)?.roleManagementPolicies?.find((p) => p.roleDefinitionId.toLowerCase() === m![1]);
        if (!policy)
          return { status: 404, body: this.errorBody('RoleManagementPolicyNotFound', 'The role management policy does not exist.') };
        return {
          status: 200,
          body: {
            id: policyArmId(scope, policy.roleDefinitionId),
            name: `${policy.roleDefinitionId}-policy`,
            type: 'Microsoft.Authorization/RoleManagementPolicies',
            properties: { scope, rules: policy.rules.map(graphRuleToArm) },
          },
        };
      }
      if ((m = /^roledefinitions\/([^/]+)$/.exec(rest))) {
        const def = (this.data.azureResources ?? []).flatMap((r) => r.roleDefinitions ?? []).find((d) => d.id.toLowerCase() === m![1]);
        if (!def)
          return { status: 404, body: this.errorBody('RoleDefinitionDoesNotExist', 'The specified role definition does not exist.') };
        return {
          status: 200,
          body: {
            id: roleDefinitionArmId(scope, def.id),
            name: def.id,
            type: 'Microsoft.Authorization/roleDefinitions',
            properties: { roleName: def.displayName, type: 'BuiltInRole' },
          },
        };
      }
    }
    if ((m = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/.exec(lower))) {
      const mg = this.resource(path);
      return mg
        ? {
            status: 200,
            body: { id: mg.id, name: m[1], type: 'Microsoft.Management/managementGroups', properties: { displayName: mg.displayName } },
          }
        : { status: 404, body: this.errorBody('NotFound', `The management group '${m[1]}' could not be found.`) };
    }
    if ((m = /^\/subscriptions\/([^/]+)$/.exec(lower))) {
      const sub = this.resource(`/subscriptions/${m[1]}`);
      return sub
        ? { status: 200, body: { id: sub.id, subscriptionId: m[1], displayName: sub.displayName, state: 'Enabled' } }
        : { status: 404, body: this.errorBody('SubscriptionNotFound', `The subscription '${m[1]}' could not be found.`) };
    }
    if ((m = /^\/subscriptions\/([^/]+)\/resourcegroups$/.exec(lower))) {
      const prefix = `/subscriptions/${m[1]}/resourcegroups/`;
      const groups = (this.data.azureResources ?? []).filter(
        (r) => r.id.toLowerCase().startsWith(prefix) && !r.id.slice(prefix.length).includes('/'),
      );
      return this.page(
        url,
        groups.map((g) => ({
          id: g.id,
          name: g.id.slice(prefix.length),
          type: 'Microsoft.Resources/resourceGroups',
          location: 'westeurope',
        })),
        'nextLink',
      );
    }
    return { status: 404, body: this.errorBody('InvalidResourceType', `No route for ${path}`) };
  }

  private roleName(roleId: string): string | undefined {
    return (this.data.azureResources ?? []).flatMap((r) => r.roleDefinitions ?? []).find((d) => d.id.toLowerCase() === roleId.toLowerCase())
      ?.displayName;
  }

  private resource(scope: string) {
    return (this.data.azureResources ?? []).find((r) => r.id.toLowerCase() === scope.toLowerCase().replace(/\/+$/, ''));
  }

  /** Holdings visible from a scope: with atScope(), at it and above; without, also below it. */
  private holdings(scope: string, atScope: boolean, state: 'active' | 'eligible') {
    // ARM knows the management group hierarchy: assignments on a subscription's management groups count on it.
    const parents = new Map(
      (this.data.azureResources ?? []).filter((r) => r.parentId).map((r) => [r.id.toLowerCase(), r.parentId!.toLowerCase()]),
    );
    const above = new Set(enclosingScopes(scope, (s) => parents.get(s)));
    const below = scope.toLowerCase().replace(/\/+$/, '') + '/';
    return (this.data.azureResources ?? [])
      .filter((r) => above.has(r.id.toLowerCase()) || (!atScope && r.id.toLowerCase().startsWith(below)))
      .flatMap((r) => r.roleAssignments.map((a, i) => ({ ...a, scope: r.id, index: i })))
      .filter((a) => a.state === state && inForce(a, this.now()));
  }

  private assignment(h: ReturnType<FakeArm['holdings']>[number], collection: string): Record<string, unknown> {
    const name = `${h.state}-${h.index}-${h.principalId}`.slice(0, 64);
    const principalType = this.data.users.some((u) => u.id === h.principalId)
      ? 'User'
      : this.data.groups.some((g) => g.id === h.principalId)
        ? 'Group'
        : 'ServicePrincipal';
    const properties: Record<string, unknown> = {
      scope: h.scope,
      roleDefinitionId: roleDefinitionArmId(h.scope, h.roleDefinitionId),
      principalId: h.principalId,
      principalType,
    };
    if (collection !== 'roleAssignments') {
      Object.assign(properties, {
        startDateTime: h.startDateTime ?? null,
        endDateTime: h.endDateTime ?? null,
        memberType: 'Direct',
        status: 'Provisioned',
      });
      if (collection === 'roleAssignmentScheduleInstances') properties['assignmentType'] = h.assignmentType ?? 'Assigned';
      // PIM instances name their scope, role and principal (the 2020-10-01 examples); the role's name only when it is known.
      const user = this.data.users.find((u) => u.id === h.principalId);
      const name = this.roleName(h.roleDefinitionId);
      properties['expandedProperties'] = {
        scope: { id: h.scope, displayName: this.resource(h.scope)?.displayName ?? null, type: scopeType(h.scope) },
        roleDefinition: {
          id: roleDefinitionArmId(h.scope, h.roleDefinitionId),
          ...(name ? { displayName: name } : {}),
          type: 'BuiltInRole',
        },
        principal: { id: h.principalId, displayName: user?.displayName ?? null, email: user?.mail ?? null, type: principalType },
      };
    }
    return {
      id: `${h.scope}/providers/Microsoft.Authorization/${collection}/${name}`,
      name,
      type: `Microsoft.Authorization/${collection}`,
      properties,
    };
  }
}

function roleDefinitionArmId(scope: string, roleId: string): string {
  const sub = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
  return `${sub}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

function scopeType(scope: string): string {
  return /\/resourcegroups\/[^/]+$/i.test(scope) ? 'resourcegroup' : /^\/subscriptions\/[^/]+$/i.test(scope) ? 'subscription' : 'resource';
}

function policyArmId(scope: string, roleId: string): string {
  return `${scope}/providers/Microsoft.Authorization/roleManagementPolicies/${roleId}-policy`;
}

export async function startFakeArm(data: TenantData, options: WorldOptions): Promise<FakeArm> {
  return new FakeArm(data, options).start();
}
