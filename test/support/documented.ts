/**
 * Local Graph and ARM endpoints that answer with the documented-shape fixtures of
 * test/fixtures/microsoft/ (Microsoft's example responses, field for field): the readers are
 * tested on what Microsoft says it sends, beside fakeGraph.ts / fakeArm.ts, which keep testing
 * paging, throttling and faults. Routing only: a fixture is served as it is, a collection
 * filtered by `id in (…)` when asked, 404 in the service's own error shape for anything else.
 * The Graph one inherits $batch and the advanced-query check (ConsistencyLevel, $count) from FakeGraph.
 */
import { readFileSync } from 'node:fs';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { FakeGraph } from './fakeGraph.js';
import { FakeArm } from './fakeArm.js';
import type { WorldOptions, Reply } from './fakeServer.js';
import { EMPTY_TENANT } from './fakeAudit.js';

type Json = Record<string, unknown> & { value?: Record<string, unknown>[] };

export function fixture(path: string): Json {
  return JSON.parse(readFileSync(fromPackageRoot(`test/fixtures/microsoft/${path}`), 'utf8')) as Json;
}

/** The ids the fixtures share (a tenant whose answers link up). */
export const DOCUMENTED = {
  tenant: '84841066-274d-4ec0-a5c1-276be684bdd3',
  adele: '071cc716-8147-4397-a5ba-b2105951cc0b',
  alex: '3fbd929d-8c56-4462-851e-0eb9a7b3a2a5',
  userAccount: 'a3bb8764-cb92-4276-9d2a-ca1e895e55ea',
  joseph: '11111111-2222-3333-4444-555555555555',
  group: '2385b0f3-5fa9-43cf-8ca4-b01dc97298cd',
  servicePrincipal: '6a6b3a1d-8a2c-4a7e-9f0e-2b1c5d4e3f21',
  subscription: 'dfa2a084-766f-4003-8ae1-c4aeb893a99f',
  resourceGroup: '/subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/resourceGroups/my-resource-group',
} as const;

export class DocumentedGraph extends FakeGraph {
  constructor(options: WorldOptions) {
    super(EMPTY_TENANT(DOCUMENTED.tenant), options);
  }

  protected override get(url: URL): Reply {
    const path = url.pathname.slice('/v1.0'.length);
    const group = `/groups/${DOCUMENTED.group}`;
    const routes: Record<string, string> = {
      '/organization': 'graph/organization.json',
      '/roleManagement/directory/roleDefinitions': 'graph/roleDefinitions.json',
      '/roleManagement/directory/roleAssignmentScheduleInstances': 'graph/roleAssignmentScheduleInstances.json',
      '/roleManagement/directory/roleEligibilityScheduleInstances': 'graph/roleEligibilityScheduleInstances.json',
      '/policies/roleManagementPolicyAssignments': 'graph/roleManagementPolicyAssignments.json',
      '/auditLogs/directoryAudits': 'graph/directoryAudits.json',
      '/users': 'graph/users.json',
      '/groups': 'graph/groups.json',
      [`${group}/members`]: 'graph/groupMembers.json',
      [`${group}/transitiveMembers/microsoft.graph.user`]: 'graph/transitiveMemberUsers.json',
      [`/servicePrincipals/${DOCUMENTED.servicePrincipal}`]: 'graph/servicePrincipal.json',
    };
    const file = routes[path];
    if (!file)
      return {
        status: 404,
        body: this.errorBody(
          'Request_ResourceNotFound',
          `Resource '${path.split('/').pop()}' does not exist or one of its queried reference-property objects are not present.`,
        ),
      };
    return { status: 200, body: filteredById(fixture(file), url.searchParams.get('$filter')) };
  }
}

/** `$filter=id in ('…', …)` / `id eq '…'` on a fixture collection; anything else is served whole. */
function filteredById(body: Json, filter: string | null): Json {
  if (!filter || !/^id (in|eq) /.test(filter) || !Array.isArray(body.value)) return body;
  const wanted = new Set([...filter.matchAll(/'([^']*)'/g)].map((m) => m[1]!.toLowerCase()));
  return { ...body, value: body.value.filter((item) => typeof item['id'] === 'string' && wanted.has(item['id'].toLowerCase())) };
}

const ROLE_NAMES: Record<string, string> = {
  [ROLE.owner]: 'Owner',
  [ROLE.userAccessAdministrator]: 'User Access Administrator',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
};

export class DocumentedArm extends FakeArm {
  constructor(options: WorldOptions) {
    super(EMPTY_TENANT(DOCUMENTED.tenant), options);
  }

  protected override handle(method: string, url: URL): Reply {
    const refused = this.refused(method, url);
    if (refused) return refused;
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '').toLowerCase();
    const sub = `/subscriptions/${DOCUMENTED.subscription}`;
    const scopes = [sub, DOCUMENTED.resourceGroup.toLowerCase()];
    if (path === sub) return { status: 200, body: fixture('arm/subscription.json') };
    if (path === `${sub}/resourcegroups`) return { status: 200, body: fixture('arm/resourceGroups.json') };
    const at = path.indexOf('/providers/microsoft.authorization/');
    const scope = at >= 0 ? path.slice(0, at) : '';
    const rest = at >= 0 ? path.slice(at + '/providers/microsoft.authorization/'.length) : '';
    if (scopes.includes(scope)) {
      // Every holding of the fixtures is on the subscription: atScope() from the resource group lists them too (they are above it).
      if (rest === 'roleassignmentscheduleinstances') return { status: 200, body: fixture('arm/roleAssignmentScheduleInstances.json') };
      if (rest === 'roleeligibilityscheduleinstances') return { status: 200, body: fixture('arm/roleEligibilityScheduleInstances.json') };
      if (rest === 'roleassignments') return { status: 200, body: fixture('arm/roleAssignments.json') };
      if (rest === 'rolemanagementpolicyassignments')
        return { status: 200, body: scope === sub ? fixture('arm/roleManagementPolicyAssignments.json') : { value: [] } };
      const policy = fixture('arm/roleManagementPolicy.json');
      if (path === String(policy['id']).toLowerCase()) return { status: 200, body: policy };
      const role = /^roledefinitions\/([^/]+)$/.exec(rest)?.[1];
      const name = role ? ROLE_NAMES[role] : undefined;
      if (role && name) {
        const def = fixture('arm/roleDefinition.json');
        const properties = def['properties'] as Record<string, unknown>;
        return {
          status: 200,
          body: {
            ...def,
            properties: { ...properties, roleName: name },
            id: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
            name: role,
          },
        };
      }
      if (role) return { status: 404, body: this.errorBody('RoleDefinitionDoesNotExist', 'The specified role definition does not exist.') };
    }
    return { status: 404, body: this.errorBody('InvalidResourceType', `No route for ${path}`) };
  }
}
