/**
 * The Microsoft Graph calls the role lookup makes, each returning plain data: schedule
 * instances of directory roles, users and groups (looked up many at a time through $batch),
 * transitive group members, role policies, role definitions and the organization.
 */
import type { PolicyRule } from '../roleDirectory.js';
import { GraphRequestError, type GraphApi } from './graphClient.js';
import { graphPermissionFor } from '../../permissions/graph.js';

export const USER_SELECT = 'id,displayName,mail,otherMails,userPrincipalName';
const GROUP_SELECT = 'id,displayName,mail';
/** Graph allows at most 15 values in an `in` clause of $filter. */
const IN_LIMIT = 15;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  otherMails?: string[] | null;
  userPrincipalName?: string | null;
}

export interface GraphGroup {
  id: string;
  displayName?: string | null;
  mail?: string | null;
}

/** unifiedRoleAssignmentScheduleInstance / unifiedRoleEligibilityScheduleInstance, the fields we read. */
export interface ScheduleInstance {
  id?: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  assignmentType?: 'Assigned' | 'Activated';
  memberType?: string;
  startDateTime: string | null;
  endDateTime: string | null;
}

export type DirectoryPrincipal = { kind: 'user'; user: GraphUser } | { kind: 'group'; group: GraphGroup };

export class GraphReader {
  constructor(readonly api: GraphApi) {}

  async organization(): Promise<{ id: string; displayName: string }> {
    const orgs = await this.api.list<{ id: string; displayName?: string }>('/organization?$select=id,displayName');
    const org = orgs[0];
    if (!org) throw new Error('Microsoft Graph returned no organization: check GRAPH_BASE_URL points at the tenant');
    return { id: org.id, displayName: org.displayName ?? org.id };
  }

  async roleDefinitions(): Promise<{ id: string; displayName: string; templateId?: string }[]> {
    return this.api.list('/roleManagement/directory/roleDefinitions?$select=id,displayName,templateId');
  }

  /** Active assignments (Assigned or Activated); all roles when no role is given. */
  async activeInstances(roleDefinitionId?: string): Promise<ScheduleInstance[]> {
    return this.api.list(`/roleManagement/directory/roleAssignmentScheduleInstances${roleFilter(roleDefinitionId)}`);
  }

  /** Eligible assignments; all roles when no role is given. */
  async eligibleInstances(roleDefinitionId?: string): Promise<ScheduleInstance[]> {
    return this.api.list(`/roleManagement/directory/roleEligibilityScheduleInstances${roleFilter(roleDefinitionId)}`);
  }

  /** Every user of the tenant, paged ($top=999 is Graph's largest page for /users). */
  async allUsers(): Promise<GraphUser[]> {
    return this.api.list(`/users?$select=${USER_SELECT}&$top=999`);
  }

  /**
   * Users by id (unknown ids are left out), keyed by the ids as asked. Ids are looked up 15 at a
   * time with `$filter=id in (...)` (Graph's limit of values in an `in` clause), up to 20 such
   * requests in one $batch: 300 users per HTTP request instead of 20 with one GET each. An id
   * that is not a GUID (a userPrincipalName, say) cannot go in the filter and gets its own GET.
   */
  async users(ids: readonly string[]): Promise<Map<string, GraphUser>> {
    return this.byIds<GraphUser>('users', USER_SELECT, ids);
  }

  async groups(ids: readonly string[]): Promise<Map<string, GraphGroup>> {
    return this.byIds<GraphGroup>('groups', GROUP_SELECT, ids);
  }

  /**
   * Service principals by id: names for role holders that are apps or managed identities. Best
   * effort: ids Graph does not answer for (unknown, or 403 without Application.Read.All) are left out.
   */
  async servicePrincipals(ids: readonly string[]): Promise<Map<string, { id: string; displayName?: string | null }>> {
    const results = await this.api.batchGet(ids.map((id) => `/servicePrincipals/${encodeURIComponent(id)}?$select=id,displayName`));
    const out = new Map<string, { id: string; displayName?: string | null }>();
    ids.forEach((id, i) => {
      const result = results[i];
      if (result?.status === 200) out.set(id, result.body as { id: string; displayName?: string | null });
    });
    return out;
  }

  /**
   * What each principal id is: a user, a group, or neither (a service principal or a deleted
   * object, left out). Users are asked first because most role holders are users.
   */
  async principals(ids: readonly string[]): Promise<Map<string, DirectoryPrincipal>> {
    const out = new Map<string, DirectoryPrincipal>();
    const users = await this.users(ids);
    for (const [id, user] of users) out.set(id, { kind: 'user', user });
    const rest = ids.filter((id) => !users.has(id));
    if (rest.length > 0) for (const [id, group] of await this.groups(rest)) out.set(id, { kind: 'group', group });
    return out;
  }

  /** The users in each group, transitively; the first page of each through $batch, further pages by nextLink. Unknown groups have none. */
  async transitiveUsers(groupIds: readonly string[]): Promise<Map<string, GraphUser[]>> {
    const paths = groupIds.map((id) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.user?$select=${USER_SELECT}`);
    const results = await this.batchList<GraphUser>(paths);
    const out = new Map<string, GraphUser[]>();
    groupIds.forEach((id, i) => {
      const result = results[i]!;
      if (result.status === 404) return out.set(id, []);
      if (!result.items) throw batchError(paths[i] ?? id, result.status, result.body);
      return out.set(id, result.items);
    });
    return out;
  }

  /** A group's direct members (users and groups), as `{ id, '@odata.type' }`. */
  async directMembers(groupId: string): Promise<{ id: string; '@odata.type'?: string }[]> {
    return this.api.list(`/groups/${encodeURIComponent(groupId)}/members?$select=id`);
  }

  /**
   * Every directory role's policy rules at "/", by lower-cased role definition id, in one paged
   * list (the same call as directoryRolePolicyRules without the role in the filter).
   */
  async directoryRolePolicies(): Promise<Map<string, PolicyRule[]>> {
    const filter = `scopeId eq '/' and scopeType eq 'DirectoryRole'`;
    const assignments = await this.api.list<{ roleDefinitionId?: string; policy?: { rules?: PolicyRule[] } }>(
      `/policies/roleManagementPolicyAssignments?$filter=${filter}&$expand=policy($expand=rules)`,
    );
    const out = new Map<string, PolicyRule[]>();
    for (const a of assignments) {
      const role = a.roleDefinitionId?.toLowerCase();
      if (role && a.policy && !out.has(role)) out.set(role, a.policy.rules ?? []);
    }
    return out;
  }

  /** A directory role's policy rules; undefined when the role has no policy assignment. */
  async directoryRolePolicyRules(roleDefinitionId: string): Promise<PolicyRule[] | undefined> {
    const filter = `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${odataString(roleDefinitionId)}'`;
    const assignments = await this.api.list<{ policy?: { rules?: PolicyRule[] } }>(
      `/policies/roleManagementPolicyAssignments?$filter=${filter}&$expand=policy($expand=rules)`,
    );
    const policy = assignments.find((a) => a.policy)?.policy;
    return policy ? (policy.rules ?? []) : undefined;
  }

  /** Objects of one collection by id: GUIDs through `id in (...)` filters, anything else one GET each; all in $batch. */
  private async byIds<T extends { id: string }>(collection: 'users' | 'groups', select: string, ids: readonly string[]): Promise<Map<string, T>> {
    const unique = [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
    const guids = unique.filter((id) => GUID.test(id));
    const others = unique.filter((id) => !GUID.test(id));
    const paths: string[] = [];
    for (let i = 0; i < guids.length; i += IN_LIMIT) {
      const list = guids.slice(i, i + IN_LIMIT).map((id) => `'${odataString(id)}'`).join(',');
      paths.push(`/${collection}?$filter=id in (${list})&$select=${select}`);
    }
    paths.push(...others.map((id) => `/${collection}/${encodeURIComponent(id)}?$select=${select}`));
    const results = await this.batchList<T>(paths);
    const found = new Map<string, T>();
    results.forEach((result, i) => {
      if (result.status === 404) return;
      if (!result.items) throw batchError(paths[i]!, result.status, result.body);
      for (const item of result.items) found.set(item.id.toLowerCase(), item);
    });
    // Keyed by the ids as asked (callers look them up as they have them); a UPN is matched by its GET.
    const out = new Map<string, T>();
    const byPath = new Map(others.map((id, i) => [id.toLowerCase(), results[paths.length - others.length + i]]));
    for (const id of ids) {
      const viaGet = byPath.get(id.toLowerCase());
      const item = viaGet ? (viaGet.items?.[0] as T | undefined) : found.get(id.toLowerCase());
      if (item) out.set(id, item);
    }
    return out;
  }

  /**
   * GETs in $batch, each answered as a list: a collection's items across all its pages (the
   * first page from the $batch, the others by @odata.nextLink), a single entity as a list of one.
   * `items` is missing when the inner request failed (status and body say how).
   */
  private async batchList<T>(paths: string[]): Promise<{ status: number; body: unknown; items?: T[] }[]> {
    const results = await this.api.batchGet(paths);
    return Promise.all(
      results.map(async (result) => {
        if (result.status !== 200) return result;
        const body = result.body as { value?: T[]; '@odata.nextLink'?: string } | undefined;
        if (!body || !Array.isArray(body.value)) return { ...result, items: body ? [body as T] : [] };
        const rest = body['@odata.nextLink'] ? await this.api.list<T>(body['@odata.nextLink']) : [];
        return { ...result, items: [...body.value, ...rest] };
      }),
    );
  }
}

function roleFilter(roleDefinitionId: string | undefined): string {
  return roleDefinitionId ? `?$filter=roleDefinitionId eq '${odataString(roleDefinitionId)}'` : '';
}

/** Quotes in OData string literals are doubled; ids never contain them, but an event might. */
function odataString(value: string): string {
  return value.replace(/'/g, "''");
}

function batchError(path: string, status: number, body: unknown): Error {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
  const advice =
    status === 403 || status === 401
      ? `: grant the app's managed identity (AZURE_CLIENT_ID) the Graph application permission ${graphPermissionFor(path) ?? '(see docs/deploy.md)'} and admin-consent it`
      : status === 429 || status === 503
        ? ': Graph kept throttling after retries; raise DIRECTORY_CACHE_TTL_SECONDS'
        : '';
  return new GraphRequestError(`Microsoft Graph GET ${path} (in $batch) failed with ${status} ${code}${advice}`.replace(/ +:/, ':'), status, code || undefined);
}
