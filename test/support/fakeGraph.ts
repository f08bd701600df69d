/**
 * A local Microsoft Graph (v1.0) serving a tenant given as a directory snapshot
 * (docs/directory-snapshot.md): OData JSON, absolute @odata.nextLink, $batch with inner
 * responses, $filter/$select as far as the role lookup uses them, bearer token required,
 * injectable 429/503 (top level and inside $batch), request counts and latency. Every query
 * is held to Graph's documented contract first (graphContract.ts): 400 as Graph answers it.
 */
import { FakeServer, inForce, type WorldOptions, type Reply } from './fakeServer.js';
import { groupAccessRoute, type GroupAccessData } from './fakeGraphGroups.js';
import { DEFAULT_GRAPH_CONTRACT, graphRefusal, type GraphContractOptions } from './graphContract.js';

export { fakeCredential, routedFetch, type Fault } from './fakeServer.js';

/** The snapshot format's tenant data (only what the fakes serve). */
export interface TenantData {
  tenant: { id: string; displayName: string; pimEnabled?: boolean };
  users: { id: string; displayName: string; mail?: string | null; otherMails?: string[]; userPrincipalName?: string | null }[];
  groups: { id: string; displayName: string; mail?: string | null; members: string[]; owners?: string[]; isAssignableToRole?: boolean }[];
  servicePrincipals?: { id: string; displayName: string }[];
  roleDefinitions: { id: string; displayName: string }[];
  roleAssignments: {
    principalId: string;
    roleDefinitionId: string;
    directoryScopeId: string;
    assignmentType: 'Assigned' | 'Activated';
    startDateTime?: string | null;
    endDateTime?: string | null;
  }[];
  roleEligibilities: {
    principalId: string;
    roleDefinitionId: string;
    directoryScopeId: string;
    startDateTime?: string | null;
    endDateTime?: string | null;
  }[];
  roleManagementPolicies: { roleDefinitionId: string; rules: { id: string; [k: string]: unknown }[] }[];
  azureResources?: {
    id: string;
    displayName: string;
    /** A subscription's or management group's parent management group. */
    parentId?: string;
    roleDefinitions?: { id: string; displayName: string }[];
    roleAssignments: {
      principalId: string;
      roleDefinitionId: string;
      state: 'active' | 'eligible';
      assignmentType?: 'Assigned' | 'Activated' | null;
      startDateTime?: string | null;
      endDateTime?: string | null;
    }[];
    roleManagementPolicies?: { roleDefinitionId: string; rules: { id: string; [k: string]: unknown }[] }[];
  }[];
  /** PIM for Groups (served by fakeGraphGroups.ts). */
  privilegedAccessGroups?: GroupAccessData[];
}

export class FakeGraph extends FakeServer {
  constructor(
    readonly data: TenantData,
    options: WorldOptions,
  ) {
    super({ publicBaseUrl: 'https://graph.microsoft.com', ...options });
  }

  protected errorBody(code: string, message: string): unknown {
    return { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': 'local' } } };
  }

  protected handle(method: string, url: URL, body: unknown, headers: Record<string, string> = {}): Reply {
    if (method === 'POST' && url.pathname === '/v1.0/$batch') return this.batch(body);
    if (method !== 'GET') return { status: 405, body: this.errorBody('BadRequest', `${method} is not served here`) };
    if (!url.pathname.startsWith('/v1.0/')) return { status: 400, body: this.errorBody('BadRequest', 'Invalid version: use /v1.0') };
    return this.safeGet(url, headers);
  }

  /** Where Microsoft's documentation is silent, which way this Graph behaves (graphContract.ts). */
  readonly contract: GraphContractOptions = { ...DEFAULT_GRAPH_CONTRACT };

  /**
   * A query outside Graph's documented contract (graphContract.ts) is refused with Graph's 400
   * body, on every page and inside $batch alike; one this local Graph cannot serve is a 400 too,
   * never a crash of the local endpoint.
   */
  private safeGet(url: URL, headers: Record<string, string>): Reply {
    const refused = this.contractRefusal(url, headers);
    if (refused) return refused;
    try {
      return this.get(url);
    } catch (error) {
      return { status: 400, body: this.errorBody('BadRequest', (error as Error).message) };
    }
  }

  /** Graph's 400 for a call its reference page does not document (graphContract.ts). */
  protected contractRefusal(url: URL, headers: Record<string, string>): Reply | undefined {
    const refusal = graphRefusal(url.pathname.slice('/v1.0'.length), url.searchParams, headers, this.contract);
    return refusal && { status: 400, body: this.errorBody(refusal.code, refusal.message) };
  }

  private batch(body: unknown): Reply {
    const requests = (body as { requests?: { id: string; method: string; url: string; headers?: Record<string, string> }[] } | undefined)
      ?.requests;
    if (!Array.isArray(requests)) return { status: 400, body: this.errorBody('BadRequest', 'Invalid batch payload') };
    if (requests.length > 20) return { status: 400, body: this.errorBody('BadRequest', 'Number of batch requests exceeds 20') };
    if (new Set(requests.map((r) => r.id)).size !== requests.length)
      return { status: 400, body: this.errorBody('BadRequest', 'Duplicate request id') };
    const responses = requests.map((r) => {
      const relative = r.url.startsWith('/') ? r.url : `/${r.url}`;
      const url = new URL(`/v1.0${relative}`, 'http://local');
      this.requests.push({ method: r.method, url: decodeURIComponent(url.pathname + url.search), inBatch: true });
      // Through handle(), so that what a subclass serves (the request APIs) is served inside $batch too.
      const reply =
        this.takeFault(decodeURIComponent(url.pathname + url.search), true) ??
        (r.method === 'GET' ? this.handle('GET', url, undefined, r.headers ?? {}) : { status: 405 });
      return { id: r.id, status: reply.status, headers: { 'Content-Type': 'application/json', ...reply.headers }, body: reply.body };
    });
    return { status: 200, body: { responses } };
  }

  protected get(url: URL): Reply {
    const path = url.pathname.slice('/v1.0'.length);
    const filter = url.searchParams.get('$filter') ?? '';
    const select = url.searchParams.get('$select')?.split(',');
    const notFound = (what: string) => ({
      status: 404,
      body: this.errorBody('Request_ResourceNotFound', `Resource '${what}' does not exist.`),
    });
    let m: RegExpMatchArray | null;

    if (path === '/organization')
      return this.page(url, [project({ id: this.data.tenant.id, displayName: this.data.tenant.displayName }, select)], '@odata.nextLink');
    if (path === '/roleManagement/directory/roleDefinitions') {
      return this.page(
        url,
        this.data.roleDefinitions.map((d) => project({ id: d.id, displayName: d.displayName, templateId: d.id }, select)),
        '@odata.nextLink',
      );
    }
    if (path === '/roleManagement/directory/roleAssignmentScheduleInstances') {
      const items = this.data.roleAssignments.map((a, i) => ({
        id: `rasi-${i}`,
        memberType: 'Direct',
        startDateTime: null,
        endDateTime: null,
        ...a,
      }));
      return this.page(url, items.filter((i) => inForce(i, this.now())).filter(roleFilter(filter)), '@odata.nextLink');
    }
    if (path === '/roleManagement/directory/roleEligibilityScheduleInstances') {
      const items = this.data.roleEligibilities.map((e, i) => ({
        id: `resi-${i}`,
        memberType: 'Direct',
        startDateTime: null,
        endDateTime: null,
        ...e,
      }));
      return this.page(url, items.filter((i) => inForce(i, this.now())).filter(roleFilter(filter)), '@odata.nextLink');
    }
    const groupReply = groupAccessRoute(
      this.data,
      path,
      filter,
      url,
      this.now(),
      (items) => this.page(url, items, '@odata.nextLink'),
      (m) => ({ status: 400, body: this.errorBody('BadRequest', m) }),
    );
    if (groupReply) return groupReply;
    if (path === '/policies/roleManagementPolicyAssignments') {
      const role = /roleDefinitionId eq '([^']+)'/.exec(filter)?.[1];
      if (!/scopeId eq '\/'/.test(filter) || !/scopeType eq 'DirectoryRole'/.test(filter)) {
        return { status: 400, body: this.errorBody('BadRequest', 'The filter must name scopeId and scopeType') };
      }
      const items = this.data.roleManagementPolicies
        .filter((p) => !role || p.roleDefinitionId.toLowerCase() === role.toLowerCase())
        .map((p) => {
          const policyId = `DirectoryRole_${this.data.tenant.id}_${p.roleDefinitionId}`;
          const assignment: Record<string, unknown> = {
            id: `${policyId}_${p.roleDefinitionId}`,
            policyId,
            scopeId: '/',
            scopeType: 'DirectoryRole',
            roleDefinitionId: p.roleDefinitionId,
          };
          if ((url.searchParams.get('$expand') ?? '').startsWith('policy'))
            assignment['policy'] = { id: policyId, scopeId: '/', scopeType: 'DirectoryRole', rules: p.rules };
          return assignment;
        });
      return this.page(url, items, '@odata.nextLink');
    }
    if (path === '/users')
      return this.page(
        url,
        this.data.users.filter(idFilter(filter)).map((u) => project(userDefaults(u), select)),
        '@odata.nextLink',
      );
    if (path === '/groups' && /^isAssignableToRole eq true$/.test(filter.trim())) {
      return this.page(
        url,
        this.data.groups
          .filter((g) => g.isAssignableToRole)
          .map((g) => project({ id: g.id, displayName: g.displayName, mail: g.mail ?? null }, select)),
        '@odata.nextLink',
      );
    }
    if (path === '/groups')
      return this.page(
        url,
        this.data.groups
          .filter(idFilter(filter))
          .map((g) => project({ id: g.id, displayName: g.displayName, mail: g.mail ?? null }, select)),
        '@odata.nextLink',
      );
    if ((m = /^\/users\/([^/]+)$/.exec(path))) {
      // By id or by userPrincipalName, as Graph serves /users/{id | userPrincipalName}.
      const key = decodeURIComponent(m[1]!).toLowerCase();
      const user = this.user(key) ?? this.data.users.find((u) => u.userPrincipalName?.toLowerCase() === key);
      return user
        ? {
            status: 200,
            body: project({ '@odata.context': `${this.publicBaseUrl}/v1.0/$metadata#users/$entity`, ...userDefaults(user) }, select),
          }
        : notFound(m[1]!);
    }
    if ((m = /^\/servicePrincipals\/([^/]+)$/.exec(path))) {
      const id = m[1]!.toLowerCase();
      const sp = (this.data.servicePrincipals ?? []).find((s) => s.id.toLowerCase() === id);
      return sp ? { status: 200, body: project({ id: sp.id, displayName: sp.displayName }, select) } : notFound(m[1]!);
    }
    if ((m = /^\/groups\/([^/]+)$/.exec(path))) {
      const group = this.group(m[1]!);
      return group
        ? { status: 200, body: project({ id: group.id, displayName: group.displayName, mail: group.mail ?? null }, select) }
        : notFound(m[1]!);
    }
    if ((m = /^\/groups\/([^/]+)\/owners\/microsoft\.graph\.user$/.exec(path))) {
      const group = this.group(m[1]!);
      if (!group) return notFound(m[1]!);
      // Graph's /owners lists every current owner: standing ones and those active through PIM.
      const pim = (this.data.privilegedAccessGroups ?? []).find((p) => p.groupId.toLowerCase() === group.id.toLowerCase());
      const activeOwners = (pim?.assignments ?? [])
        .filter((a) => a.accessId === 'owner' && a.state === 'active' && inForce(a, this.now()))
        .map((a) => a.principalId);
      const ids = [...new Set([...(group.owners ?? []), ...activeOwners].map((id) => id.toLowerCase()))];
      const owners = ids.flatMap((id) => {
        const u = this.user(id);
        return u ? [project({ '@odata.type': '#microsoft.graph.user', ...userDefaults(u) }, select)] : [];
      });
      const reply = this.page(url, owners, '@odata.nextLink');
      // As an advanced query ($count=true), the total ahead of value, as for transitiveMembers.
      return url.searchParams.get('$count') === 'true'
        ? { ...reply, body: { '@odata.count': owners.length, ...(reply.body as object) } }
        : reply;
    }
    if ((m = /^\/groups\/([^/]+)\/members$/.exec(path))) {
      const group = this.group(m[1]!);
      if (!group) return notFound(m[1]!);
      const members = group.members.flatMap((id) => {
        const user = this.user(id);
        if (user) return [project({ '@odata.type': '#microsoft.graph.user', ...userDefaults(user) }, select)];
        const g = this.group(id);
        return g ? [project({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName }, select)] : [];
      });
      return this.page(url, members, '@odata.nextLink');
    }
    if ((m = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/.exec(path))) {
      const group = this.group(m[1]!);
      if (!group) return notFound(m[1]!);
      const users = this.transitiveUsers(group.id);
      const reply = this.page(
        url,
        users.map((u) => project({ '@odata.type': '#microsoft.graph.user', ...userDefaults(u) }, select)),
        '@odata.nextLink',
      );
      // $count=true: the total of the whole result on every page, ahead of value (as Graph writes it).
      return { ...reply, body: { '@odata.count': users.length, ...(reply.body as object) } };
    }
    return { status: 400, body: this.errorBody('BadRequest', `Resource not found for the segment '${path}'.`) };
  }

  private user(id: string) {
    return this.data.users.find((u) => u.id.toLowerCase() === id.toLowerCase());
  }

  private group(id: string) {
    return this.data.groups.find((g) => g.id.toLowerCase() === id.toLowerCase());
  }

  /** Users reachable from a group through nested groups, each once; cycles are safe. */
  private transitiveUsers(groupId: string): TenantData['users'] {
    const seenGroups = new Set<string>();
    const users = new Map<string, TenantData['users'][number]>();
    const visit = (id: string) => {
      if (seenGroups.has(id)) return;
      seenGroups.add(id);
      for (const member of this.group(id)?.members ?? []) {
        const user = this.user(member);
        if (user) users.set(user.id, user);
        else visit(member);
      }
    };
    visit(groupId);
    return [...users.values()];
  }
}

function userDefaults(user: TenantData['users'][number]): Record<string, unknown> {
  return {
    id: user.id,
    displayName: user.displayName,
    mail: user.mail ?? null,
    otherMails: user.otherMails ?? [],
    userPrincipalName: user.userPrincipalName ?? null,
  };
}

/** $select: only the named properties (and @odata annotations); otherMails appears only when selected, as in Graph. */
function project(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) {
    const { otherMails: _omit, ...rest } = item;
    return rest;
  }
  return Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith('@odata') || select.includes(k)));
}

/**
 * `$filter` on /users and /groups as far as Graph serves it by default for ids: `id eq '…'`
 * and `id in ('…', …)` with at most 15 values (Graph's limit; more is a 400, as there).
 */
function idFilter(filter: string): (item: { id: string }) => boolean {
  if (!filter) return () => true;
  const eq = /^id eq '([^']*)'$/.exec(filter.trim());
  const list = /^id in \((.*)\)$/.exec(filter.trim());
  if (!eq && !list) throw new Error(`Unsupported $filter in the local Graph: ${filter}`);
  const values = eq ? [eq[1]!] : [...list![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  if (values.length > 15)
    throw new Error(
      `Too many child clauses specified in search filter expression containing 'OR' operators: ${values.length}. Max allowed: 15.`,
    );
  const wanted = new Set(values.map((v) => v.toLowerCase()));
  return (item) => wanted.has(item.id.toLowerCase());
}

function roleFilter(filter: string): (item: { roleDefinitionId: string }) => boolean {
  if (!filter) return () => true;
  const role = /^roleDefinitionId eq '([^']+)'$/.exec(filter.trim())?.[1];
  if (!role) throw new Error(`Unsupported $filter in the local Graph: ${filter}`);
  return (item) => item.roleDefinitionId.toLowerCase() === role.toLowerCase();
}

export async function startFakeGraph(data: TenantData, options: WorldOptions): Promise<FakeGraph> {
  return new FakeGraph(data, options).start();
}
