/**
 * The Microsoft Graph calls the role lookup makes, each returning plain data: schedule
 * instances of directory roles, users and groups (looked up many at a time through $batch),
 * transitive group members, role policies, role definitions and the organization.
 */
import type { Log } from '../../log.js';
import type { PolicyRule } from '../roleDirectory.js';
import { GraphRequestError, refusedPermission, type BatchGet, type GraphApi } from './graphClient.js';
import { graphPermissionFor } from '../../permissions/graph.js';

export const USER_SELECT = 'id,displayName,mail,otherMails,userPrincipalName';
const GROUP_SELECT = 'id,displayName,mail';
/** Graph allows at most 15 values in an `in` clause of $filter. */
const IN_LIMIT = 15;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Filtering a directory-object list by type (the `microsoft.graph.user` cast) is an advanced
 * query: Graph documents it with `ConsistencyLevel: eventual` and `$count=true`, on every page
 * and inside $batch too (each batch item carries its own headers).
 */
export const ADVANCED_QUERY = { ConsistencyLevel: 'eventual' } as const;

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
  /** `log` hears about objects Graph returned without an id (skipped, never a crash). */
  constructor(
    readonly api: GraphApi,
    private readonly log: Log = (level, message) => console.warn(`[${level}] ${message}`),
  ) {}

  async organization(): Promise<{ id: string; displayName: string }> {
    const orgs = await this.api.list<{ id: string; displayName?: string }>('/organization?$select=id,displayName');
    const org = orgs[0];
    if (!org) throw new Error('Microsoft Graph returned no organization: check GRAPH_BASE_URL points at the tenant');
    return { id: org.id, displayName: org.displayName ?? org.id };
  }

  /**
   * Every directory role definition, whole: the List roleDefinitions page documents `$filter`
   * and `$expand` there, not `$select`, so none is sent (one list either way: the same budget).
   */
  async roleDefinitions(): Promise<{ id: string; displayName: string; templateId?: string }[]> {
    const path = '/roleManagement/directory/roleDefinitions';
    return this.withIds(await this.api.list<{ id: string; displayName: string; templateId?: string }>(path), path);
  }

  /** Active assignments (Assigned or Activated); all roles when no role is given. */
  async activeInstances(roleDefinitionId?: string): Promise<ScheduleInstance[]> {
    return this.instances('/roleManagement/directory/roleAssignmentScheduleInstances', roleDefinitionId);
  }

  /** Eligible assignments; all roles when no role is given. */
  async eligibleInstances(roleDefinitionId?: string): Promise<ScheduleInstance[]> {
    return this.instances('/roleManagement/directory/roleEligibilityScheduleInstances', roleDefinitionId);
  }

  /** Schedule instances that name a principal and a role; any other is skipped with a warning. */
  private async instances(path: string, roleDefinitionId: string | undefined): Promise<ScheduleInstance[]> {
    const items = await this.api.list<ScheduleInstance>(`${path}${roleFilter(roleDefinitionId)}`);
    const kept = items.filter(
      (i) =>
        typeof i?.principalId === 'string' && i.principalId !== '' && typeof i.roleDefinitionId === 'string' && i.roleDefinitionId !== '',
    );
    if (kept.length < items.length)
      this.log(
        'warn',
        `Microsoft Graph ${path} returned ${items.length - kept.length} instance(s) without principalId or roleDefinitionId; skipped`,
      );
    return kept;
  }

  /** Every user of the tenant, paged ($top=999 is Graph's largest page for /users). */
  async allUsers(): Promise<GraphUser[]> {
    return this.withIds(await this.api.list<GraphUser>(`/users?$select=${USER_SELECT}&$top=999`), '/users');
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
      const sp =
        result?.status === 200
          ? this.withIds([result.body as { id: string; displayName?: string | null }], '/servicePrincipals')[0]
          : undefined;
      if (sp) out.set(id, sp);
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
    const paths = groupIds.map(
      (id) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.user?$count=true&$select=${USER_SELECT}`,
    );
    const results = await this.batchList<GraphUser>(paths, ADVANCED_QUERY);
    const out = new Map<string, GraphUser[]>();
    groupIds.forEach((id, i) => {
      const result = results[i]!;
      if (result.status === 404) return out.set(id, []);
      if (!result.items) throw batchError(paths[i] ?? id, result.status, result.body);
      return out.set(id, this.withIds(result.items, `/groups/${id}/transitiveMembers`));
    });
    return out;
  }

  /**
   * A group's direct members, as `{ id, '@odata.type' }`. Graph's own example answers with
   * `{ id }` only (no `@odata.type` under `$select=id`), so a caller must not rely on the type.
   */
  async directMembers(groupId: string): Promise<{ id: string; '@odata.type'?: string }[]> {
    const path = `/groups/${encodeURIComponent(groupId)}/members?$select=id`;
    return this.withIds(await this.api.list<{ id: string; '@odata.type'?: string }>(path), path);
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
  private async byIds<T extends { id: string }>(
    collection: 'users' | 'groups',
    select: string,
    ids: readonly string[],
  ): Promise<Map<string, T>> {
    const unique = [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
    const guids = unique.filter((id) => GUID.test(id));
    const others = unique.filter((id) => !GUID.test(id));
    const paths: string[] = [];
    for (let i = 0; i < guids.length; i += IN_LIMIT) {
      const list = guids
        .slice(i, i + IN_LIMIT)
        .map((id) => `'${odataString(id)}'`)
        .join(',');
      paths.push(`/${collection}?$filter=id in (${list})&$select=${select}`);
    }
    paths.push(...others.map((id) => `/${collection}/${encodeURIComponent(id)}?$select=${select}`));
    const results = await this.batchList<T>(paths);
    const found = new Map<string, T>();
    results.forEach((result, i) => {
      if (result.status === 404) return;
      if (!result.items) throw batchError(paths[i]!, result.status, result.body);
      for (const item of this.withIds(result.items, `/${collection}`)) found.set(item.id.toLowerCase(), item);
    });
    // Keyed by the ids as asked (callers look them up as they have them); a UPN is matched by its GET.
    const out = new Map<string, T>();
    const byPath = new Map(others.map((id, i) => [id.toLowerCase(), results[paths.length - others.length + i]]));
    for (const id of ids) {
      const viaGet = byPath.get(id.toLowerCase());
      const item = viaGet ? this.withIds(viaGet.items ?? [], `/${collection}`)[0] : found.get(id.toLowerCase());
      if (item) out.set(id, item);
    }
    return out;
  }

  /**
   * GETs in $batch, each answered as a list: a collection's items across all its pages (the
   * first page from the $batch, the others by @odata.nextLink), a single entity as a list of one.
   * `items` is missing when the inner request failed (status and body say how).
   */
  async batchList<T>(
    paths: readonly BatchGet[],
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; items?: T[] }[]> {
    const results = await this.api.batchGet(paths, headers);
    return Promise.all(
      results.map(async (result, i) => {
        if (result.status !== 200) return result;
        const body = result.body as { value?: T[]; '@odata.nextLink'?: string } | undefined;
        if (!body || !Array.isArray(body.value)) return { ...result, items: body ? [body as T] : [] };
        // Next pages carry the headers of their first (an advanced query stays one).
        const own = paths[i];
        const pageHeaders = typeof own === 'object' ? { ...own.headers, ...headers } : headers;
        const rest = body['@odata.nextLink'] ? await this.api.list<T>(body['@odata.nextLink'], pageHeaders) : [];
        return { ...result, items: [...body.value, ...rest] };
      }),
    );
  }

  /** The items that have a string id; the others are skipped with one warning per list (an id-less object cannot be looked up or named). */
  private withIds<T extends { id: string }>(items: readonly T[], where: string): T[] {
    const kept = items.filter((item): item is T => typeof (item as { id?: unknown } | null)?.id === 'string' && item.id !== '');
    if (kept.length < items.length)
      this.log('warn', `Microsoft Graph ${where} returned ${items.length - kept.length} object(s) without an id; skipped`);
    return kept;
  }
}

function roleFilter(roleDefinitionId: string | undefined): string {
  return roleDefinitionId ? `?$filter=roleDefinitionId eq '${odataString(roleDefinitionId)}'` : '';
}

/** Quotes in OData string literals are doubled; ids never contain them, but an event might. */
export function odataString(value: string): string {
  return value.replace(/'/g, "''");
}

export function batchError(path: string, status: number, body: unknown): Error {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
  const advice =
    status === 403 || status === 401
      ? `: grant the app's managed identity (AZURE_CLIENT_ID) the Graph application permission ${graphPermissionFor(path) ?? '(see docs/deploy.md)'} and admin-consent it`
      : status === 429 || status === 503
        ? ': Graph kept throttling after retries; raise DIRECTORY_CACHE_TTL_SECONDS'
        : '';
  return new GraphRequestError(
    `Microsoft Graph GET ${path} (in $batch) failed with ${status} ${code}${advice}`.replace(/ +:/, ':'),
    status,
    code || undefined,
    refusedPermission(status, path),
  );
}
