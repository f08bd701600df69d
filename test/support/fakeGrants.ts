/**
 * Local Graph and ARM endpoints for the grants the postprovision hook makes, in the real wire
 * formats: Graph's Microsoft Graph service principal with its app roles, a principal's
 * appRoleAssignments (GET, POST → 201, 403 Authorization_RequestDenied without Privileged Role
 * Administrator), and ARM role assignments (PUT → 201, 409 RoleAssignmentExists, 403
 * AuthorizationFailed on a scope the caller may not write). Built on FakeServer (bearer token
 * checked, requests recorded).
 */
import { randomUUID } from 'node:crypto';
import { MICROSOFT_GRAPH_APP_ID, GRAPH_PERMISSIONS } from '../../shared/permissions/graph.js';
import { FakeServer, type WorldOptions, type Reply } from './fakeServer.js';

export interface AppRoleAssignment {
  id: string;
  principalId: string;
  resourceId: string;
  appRoleId: string;
}

export const GRAPH_SP_ID = '5f1c8c3e-0000-4000-8000-00000000a001';

/** Graph's app roles: the ones the app needs plus narrower and broader ones, each with its own id. */
export const GRAPH_APP_ROLES = [
  ...GRAPH_PERMISSIONS.map((p) => p.permission),
  'RoleAssignmentSchedule.Read.Directory',
  'Directory.Read.All',
  'User.ReadBasic.All',
].map((value, i) => ({
  id: `7ab1d382-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  value,
  allowedMemberTypes: ['Application'],
  displayName: value,
}));

export class FakeGraphGrants extends FakeServer {
  readonly assignments: AppRoleAssignment[] = [];
  /** Whether the caller holds Privileged Role Administrator (may assign app roles). */
  callerMayGrant = false;

  constructor(options: WorldOptions) {
    super({ publicBaseUrl: 'https://graph.microsoft.com', ...options });
  }

  protected errorBody(code: string, message: string): unknown {
    return { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'local' } } };
  }

  protected handle(method: string, url: URL, body: unknown): Reply {
    const path = decodeURIComponent(url.pathname);
    if (method === 'GET' && path === '/v1.0/servicePrincipals') {
      const filter = url.searchParams.get('$filter') ?? '';
      const match = /^appId eq '([^']+)'$/.exec(filter);
      if (!match) return { status: 400, body: this.errorBody('BadRequest', `Unsupported filter ${filter}`) };
      const value =
        match[1] === MICROSOFT_GRAPH_APP_ID
          ? [{ id: GRAPH_SP_ID, appId: MICROSOFT_GRAPH_APP_ID, displayName: 'Microsoft Graph', appRoles: GRAPH_APP_ROLES }]
          : [];
      return { status: 200, body: { '@odata.context': `${this.publicBaseUrl}/v1.0/$metadata#servicePrincipals`, value } };
    }
    const m = /^\/v1\.0\/servicePrincipals\/([^/]+)\/appRoleAssignments$/.exec(path);
    if (m && method === 'GET') return { status: 200, body: { value: this.assignments.filter((a) => a.principalId === m[1]) } };
    if (m && method === 'POST') {
      if (!this.callerMayGrant)
        return { status: 403, body: this.errorBody('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.') };
      const b = body as Partial<AppRoleAssignment>;
      if (b.principalId !== m[1] || b.resourceId !== GRAPH_SP_ID || !GRAPH_APP_ROLES.some((r) => r.id === b.appRoleId)) {
        return { status: 400, body: this.errorBody('Request_BadRequest', 'Invalid principalId, resourceId or appRoleId.') };
      }
      if (this.assignments.some((a) => a.principalId === b.principalId && a.appRoleId === b.appRoleId)) {
        return { status: 400, body: this.errorBody('Request_BadRequest', 'Permission being assigned already exists on the object') };
      }
      const created = { id: randomUUID(), principalId: m[1]!, resourceId: GRAPH_SP_ID, appRoleId: b.appRoleId! };
      this.assignments.push(created);
      return { status: 201, body: created };
    }
    return { status: 400, body: this.errorBody('BadRequest', `Resource not found for the segment '${path}'.`) };
  }
}

export interface RoleAssignment {
  scope: string;
  name: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
}

export class FakeArmGrants extends FakeServer {
  readonly assignments: RoleAssignment[] = [];
  /** Scopes (and everything under them) where the caller may write role assignments. */
  writableScopes: string[] = [];

  constructor(options: WorldOptions) {
    super({ publicBaseUrl: 'https://management.azure.com', ...options });
  }

  protected errorBody(code: string, message: string): unknown {
    return { error: { code, message } };
  }

  protected handle(method: string, url: URL, body: unknown): Reply {
    const m = /^(\/subscriptions\/[^/]+(?:\/.*)?)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i.exec(
      decodeURIComponent(url.pathname),
    );
    if (!m || method !== 'PUT')
      return { status: 404, body: this.errorBody('InvalidResourceType', `No route for ${method} ${url.pathname}`) };
    if (!url.searchParams.get('api-version'))
      return {
        status: 400,
        body: this.errorBody('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.'),
      };
    const [, scope, name] = m as unknown as [string, string, string];
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name))
      return { status: 400, body: this.errorBody('InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid.`) };
    const writable = this.writableScopes.some(
      (s) => scope.toLowerCase() === s.toLowerCase() || scope.toLowerCase().startsWith(`${s.toLowerCase()}/`),
    );
    if (!writable) {
      return {
        status: 403,
        body: this.errorBody(
          'AuthorizationFailed',
          `The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${scope}'.`,
        ),
      };
    }
    const p = (body as { properties?: Partial<RoleAssignment> } | undefined)?.properties ?? {};
    if (!p.roleDefinitionId || !p.principalId || !p.principalType)
      return {
        status: 400,
        body: this.errorBody('InvalidRequestContent', 'roleDefinitionId, principalId and principalType are required.'),
      };
    const same = this.assignments.find(
      (a) =>
        a.scope.toLowerCase() === scope.toLowerCase() &&
        a.principalId === p.principalId &&
        a.roleDefinitionId.toLowerCase() === p.roleDefinitionId!.toLowerCase(),
    );
    if (same) return { status: 409, body: this.errorBody('RoleAssignmentExists', 'The role assignment already exists.') };
    const created = { scope, name, roleDefinitionId: p.roleDefinitionId, principalId: p.principalId, principalType: p.principalType };
    this.assignments.push(created);
    return { status: 201, body: { id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, name, properties: created } };
  }
}
