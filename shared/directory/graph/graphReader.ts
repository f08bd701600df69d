/**
 * The Microsoft Graph calls the role lookup makes, each returning plain data: schedule
 * instances of directory roles, users and groups (looked up many at a time through $batch),
 * transitive group members, role policies, role definitions and the organization.
 */
import type { PolicyRule } from '../roleDirectory.js';
import type { GraphApi } from './graphClient.js';

export const USER_SELECT = 'id,displayName,mail,otherMails,userPrincipalName';

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

  /** Users by id (unknown ids are left out). */
  async users(ids: readonly string[]): Promise<Map<string, GraphUser>> {
    const results = await this.api.batchGet(ids.map((id) => `/users/${encodeURIComponent(id)}?$select=${USER_SELECT}`));
    return collect(ids, results, 'users');
  }

  async groups(ids: readonly string[]): Promise<Map<string, GraphGroup>> {
    const results = await this.api.batchGet(ids.map((id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName,mail`));
    return collect(ids, results, 'groups');
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

  /** The users in each group, transitively; the first page of each through $batch, further pages by nextLink. */
  async transitiveUsers(groupIds: readonly string[]): Promise<Map<string, GraphUser[]>> {
    const paths = groupIds.map((id) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.user?$select=${USER_SELECT}`);
    const results = await this.api.batchGet(paths);
    const out = new Map<string, GraphUser[]>();
    await Promise.all(
      groupIds.map(async (id, i) => {
        const result = results[i];
        if (!result || result.status === 404) return out.set(id, []);
        if (result.status !== 200) throw batchError(paths[i] ?? id, result.status, result.body);
        const page = result.body as { value?: GraphUser[]; '@odata.nextLink'?: string };
        const rest = page['@odata.nextLink'] ? await this.api.list<GraphUser>(page['@odata.nextLink']) : [];
        return out.set(id, [...(page.value ?? []), ...rest]);
      }),
    );
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
}

function roleFilter(roleDefinitionId: string | undefined): string {
  return roleDefinitionId ? `?$filter=roleDefinitionId eq '${odataString(roleDefinitionId)}'` : '';
}

/** Quotes in OData string literals are doubled; ids never contain them, but an event might. */
function odataString(value: string): string {
  return value.replace(/'/g, "''");
}

function collect<T>(ids: readonly string[], results: { status: number; body: unknown }[], what: string): Map<string, T> {
  const out = new Map<string, T>();
  ids.forEach((id, i) => {
    const result = results[i];
    if (!result || result.status === 404) return;
    if (result.status !== 200) throw batchError(`/${what}/${id}`, result.status, result.body);
    out.set(id, result.body as T);
  });
  return out;
}

function batchError(path: string, status: number, body: unknown): Error {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? '';
  const advice =
    status === 403 || status === 401
      ? ": grant the app's managed identity (AZURE_CLIENT_ID) the Graph application permissions User.Read.All and GroupMember.Read.All"
      : status === 429 || status === 503
        ? ': Graph kept throttling after retries; raise DIRECTORY_CACHE_TTL_SECONDS'
        : '';
  return new Error(`Microsoft Graph GET ${path} (in $batch) failed with ${status} ${code}${advice}`.replace(/ +:/, ':'));
}
