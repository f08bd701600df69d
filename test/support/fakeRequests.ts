/**
 * PIM's request APIs on the local endpoints, built on top of them (those files belong to the
 * directory readers), as strict as Microsoft documents them (fakeRequestRules.ts names each page
 * and sentence): Graph `roleManagement/directory/role{Assignment,Eligibility}ScheduleRequests`
 * (filterable properties only: no `createdDateTime`) and
 * `identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleRequests` (a
 * `groupId` or `principalId` eq filter required), both with `$select`, by id too
 * (FakeRequestsGraph, which also serves the audit log); ARM
 * `Microsoft.Authorization/role{Assignment,Eligibility}ScheduleRequests?api-version=2020-10-01`
 * at any scope, a subscription, a resource group or a management group, unfiltered, `atScope()`,
 * `principalId eq` or the caller's, and by name at the request's own scope (FakeRequestsArm). Same
 * wire format as the others: bearer token, absolute next links with $skiptoken, injectable 429 +
 * Retry-After.
 *
 * Switches for what Microsoft's documentation leaves open or where service and documentation can
 * disagree: `refusedShapes` makes the local Graph refuse (400) lists it would serve;
 * `aliasSubscriptions` writes subscriptions as ARM's list example does,
 * `/providers/Microsoft.Subscription/subscriptions/{id}`, in lists, GETs or both (a request stored
 * at that spelling is served at it anyway).
 *
 * Requests are made at known times and change status when the test says (`PimRequests`), so a
 * test can play a request created, approved and provisioned between two reads.
 */
import { FakeArm } from './fakeArm.js';
import { FakeAuditGraph } from './fakeAudit.js';
import type { TenantData } from './fakeGraph.js';
import type { WorldOptions, Reply } from './fakeServer.js';
import {
  DIRECTORY_ASSIGNMENT_REQUESTS,
  DIRECTORY_ELIGIBILITY_REQUESTS,
  GROUP_ASSIGNMENT_REQUESTS,
  GROUP_ELIGIBILITY_REQUESTS,
  armListQuery,
  graphListQuery,
  projected,
  type ArmListFilter,
} from './fakeRequestRules.js';

export interface PimRequestInput {
  id: string;
  kind: 'directory' | 'azureResource' | 'group';
  schedule?: 'assignment' | 'eligibility';
  /** camelCase as Graph writes it (selfActivate); ARM gets PascalCase. */
  action?: string;
  status?: string;
  createdDateTime: string;
  principalId: string;
  roleDefinitionId: string;
  /** `/`, an ARM scope (azureResource: a subscription in either spelling, a resource group, a management group), or the group id (group). */
  scope?: string;
  approvalId?: string | null;
  justification?: string;
  durationIso?: string;
}

export interface StoredRequest extends Required<Omit<PimRequestInput, 'approvalId' | 'justification' | 'durationIso'>> {
  approvalId: string | null;
  justification: string | null;
  durationIso: string;
  completedDateTime: string | null;
}

/** The requests of one tenant, shared by the local Graph and ARM. */
export class PimRequests {
  readonly all: StoredRequest[] = [];

  add(input: PimRequestInput): StoredRequest {
    const stored: StoredRequest = {
      schedule: 'assignment',
      action: 'selfActivate',
      status: input.approvalId === null ? 'Provisioned' : 'PendingApproval',
      scope: '/',
      durationIso: 'PT8H',
      ...input,
      approvalId: input.approvalId === undefined ? `appr-${input.id}` : input.approvalId,
      justification: input.justification ?? null,
      completedDateTime: null,
    };
    this.all.push(stored);
    return stored;
  }

  /** A decision or provisioning step: the status and, for final ones, completedDateTime. */
  setStatus(id: string, status: string, at: string): void {
    const r = this.all.find((x) => x.id === id);
    if (!r) throw new Error(`no request ${id}`);
    r.status = status;
    r.completedDateTime = at;
  }
}

export class FakeRequestsGraph extends FakeAuditGraph {
  /** Lists whose URL (decoded path and query) matches are refused with 400, though documented: the service disagreeing with its pages. */
  refusedShapes: RegExp[] = [];

  constructor(
    data: TenantData,
    readonly pim: PimRequests,
    options: WorldOptions,
  ) {
    super(data, options);
  }

  protected override handle(method: string, url: URL, body: unknown, headers: Record<string, string> = {}): Reply {
    const m =
      method === 'GET'
        ? /^\/v1\.0\/(?:roleManagement\/directory\/role(Assignment|Eligibility)|identityGovernance\/privilegedAccess\/group\/(assignment|eligibility))ScheduleRequests(?:\/([^/]+))?$/.exec(
            url.pathname,
          )
        : null;
    if (!m) return super.handle(method, url, body, headers);
    const kind = m[1] ? 'directory' : 'group';
    const schedule = (m[1] ?? m[2]!).toLowerCase() as 'assignment' | 'eligibility';
    if (m[3] !== undefined) {
      // GET …ScheduleRequests/{id}: the one request, or 404 as Graph answers an unknown id.
      const id = decodeURIComponent(m[3]).toLowerCase();
      const r = this.pim.all.find((x) => x.kind === kind && x.schedule === schedule && x.id.toLowerCase() === id);
      if (!r) return { status: 404, body: this.errorBody('ResourceNotFound', `The requested resource '${m[3]}' does not exist.`) };
      const collection = url.pathname.split('/').slice(2, -1).join('/');
      return {
        status: 200,
        body: {
          '@odata.context': `${this.publicBaseUrl}/v1.0/$metadata#${collection}/$entity`,
          ...(kind === 'group' ? groupShape(r) : directoryShape(r)),
        },
      };
    }
    const contract =
      kind === 'group'
        ? schedule === 'assignment'
          ? GROUP_ASSIGNMENT_REQUESTS
          : GROUP_ELIGIBILITY_REQUESTS
        : schedule === 'assignment'
          ? DIRECTORY_ASSIGNMENT_REQUESTS
          : DIRECTORY_ELIGIBILITY_REQUESTS;
    const query = graphListQuery(url, contract);
    if ('refused' in query) return { status: 400, body: this.errorBody('BadRequest', query.refused) };
    const asked = decodeURIComponent(url.pathname + url.search);
    if (this.refusedShapes.some((re) => re.test(asked)))
      return { status: 400, body: this.errorBody('BadRequest', 'Invalid request: refused by the local Graph (refusedShapes).') };
    const items = this.pim.all
      .filter((r) => r.kind === kind && r.schedule === schedule)
      .map((r) => (kind === 'group' ? groupShape(r) : directoryShape(r)))
      .filter(query.keep)
      .map((r) => projected(r, query.select));
    return this.page(url, items, '@odata.nextLink');
  }
}

export class FakeRequestsArm extends FakeArm {
  /**
   * Where subscriptions are written as ARM's list example writes them
   * (`/providers/Microsoft.Subscription/subscriptions/{id}`, GetRoleEligibilityScheduleRequestByScope.json)
   * rather than as its by-name example does (`/subscriptions/{id}`, GetRoleAssignmentScheduleRequestByName.json).
   */
  aliasSubscriptions = { lists: false, gets: false };

  constructor(
    private readonly tenant: TenantData,
    readonly pim: PimRequests,
    options: WorldOptions,
  ) {
    super(tenant, options);
  }

  protected override handle(method: string, url: URL): Reply {
    const path = decodeURIComponent(url.pathname);
    const m =
      method === 'GET'
        ? /^(\/.+?)\/providers\/Microsoft\.Authorization\/role(Assignment|Eligibility)ScheduleRequests(?:\/([^/]+))?$/i.exec(path)
        : null;
    if (!m) return super.handle(method, url);
    if (url.searchParams.get('api-version') !== '2020-10-01')
      return {
        status: 400,
        body: this.errorBody('InvalidApiVersionParameter', 'The api-version is not supported for this resource type.'),
      };
    const scope = plainScope(m[1]!);
    const schedule = m[2]!.toLowerCase() as 'assignment' | 'eligibility';
    const name = m[3];
    const azure = this.pim.all.filter((r) => r.kind === 'azureResource' && r.schedule === schedule);
    if (name !== undefined) {
      // A request lives at its own scope (in either spelling of a subscription): asked for at another one, ARM does not find it.
      const r = azure.find((x) => x.id.toLowerCase() === name.toLowerCase() && plainScope(x.scope) === scope);
      return r
        ? { status: 200, body: armShape(r, this.aliasSubscriptions.gets) }
        : {
            status: 404,
            body: this.errorBody(
              'RoleAssignmentScheduleRequestNotFound',
              `The role ${schedule} schedule request '${name}' could not be found.`,
            ),
          };
    }
    const query = armListQuery(url);
    if ('refused' in query) return { status: 400, body: this.errorBody(query.refused.code, query.refused.message) };
    const items = azure.filter((r) => listed(plainScope(r.scope), r.principalId, scope, query.filter, (s) => this.ancestors(s)));
    return this.page(
      url,
      items.map((r) => armShape(r, this.aliasSubscriptions.lists)),
      'nextLink',
    );
  }

  /**
   * The scopes above `scope` (plain, lower case): its own path's (a resource group's subscription)
   * and, from the subscription or management group at its top, the management groups above it
   * (the tenant's `parentId`s).
   */
  private ancestors(scope: string): string[] {
    const parts = scope.split('/').filter(Boolean);
    const out: string[] = [];
    for (let n = parts.length - 2; n >= 2; n -= 2) out.push('/' + parts.slice(0, n).join('/'));
    const parents = new Map((this.tenant.azureResources ?? []).map((a) => [plainScope(a.id), a.parentId && plainScope(a.parentId)]));
    for (let top = out.at(-1) ?? scope, parent = parents.get(top); parent && !out.includes(parent); parent = parents.get(top)) {
      out.push(parent);
      top = parent;
    }
    return out;
  }
}

/**
 * Whether a request at `at` (plain scope) for `principalId` is in the list at `scope`:
 * unfiltered, at, above and below it (the spec says nothing of the unfiltered list; this is what
 * the app's readers have relied on since they were written); atScope(), at or above it;
 * principalId, at, above or below it for that principal; the caller's, none (the app makes and
 * approves no request).
 */
function listed(at: string, principalId: string, scope: string, filter: ArmListFilter, ancestors: (s: string) => string[]): boolean {
  const above = ancestors(scope).includes(at);
  const below = ancestors(at).includes(scope);
  switch (filter.kind) {
    case 'none':
      return at === scope || above || below;
    case 'atScope':
      return at === scope || above;
    case 'principal':
      return principalId.toLowerCase() === filter.principalId && (at === scope || above || below);
    case 'caller':
      return false;
  }
}

/** A scope as one string: the subscription's alias as the subscription, lower case, no trailing slash (the fake's own, not the app's). */
function plainScope(scope: string): string {
  return scope
    .replace(/^\/?providers\/microsoft\.subscription(\/subscriptions\/)/i, '$1')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** `/subscriptions/{id}…` written as ARM's list example writes it. */
function aliased(scope: string): string {
  return scope.replace(/^\/subscriptions\//i, '/providers/Microsoft.Subscription/subscriptions/');
}

function scheduleInfo(r: StoredRequest) {
  return { startDateTime: r.createdDateTime, expiration: { type: 'afterDuration', endDateTime: null, duration: r.durationIso } };
}

function directoryShape(r: StoredRequest): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    action: r.action,
    createdDateTime: r.createdDateTime.replace('Z', '0000Z'),
    completedDateTime: r.completedDateTime,
    approvalId: r.approvalId,
    principalId: r.principalId,
    roleDefinitionId: r.roleDefinitionId,
    directoryScopeId: r.scope,
    appScopeId: null,
    justification: r.justification,
    isValidationOnly: false,
    targetScheduleId: `sched-${r.id}`,
    customData: null,
    createdBy: { user: { id: r.principalId } },
    scheduleInfo: scheduleInfo(r),
    ticketInfo: { ticketNumber: null, ticketSystem: null },
  };
}

function groupShape(r: StoredRequest): Record<string, unknown> {
  const { roleDefinitionId: _r, directoryScopeId: _d, appScopeId: _a, ...rest } = directoryShape(r);
  return { ...rest, accessId: r.roleDefinitionId, groupId: r.scope };
}

function armShape(r: StoredRequest, alias: boolean): Record<string, unknown> {
  const scope = alias ? aliased(r.scope) : r.scope;
  const collection = r.schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
  // Role definitions are written at the request's subscription, else at the tenant (management groups).
  const definitions = /^\/subscriptions\/[^/]+/i.exec(plainScope(r.scope))?.[0] ?? '';
  return {
    id: `${scope}/providers/Microsoft.Authorization/${collection}/${r.id}`,
    name: r.id,
    type: `Microsoft.Authorization/${collection}`,
    properties: {
      scope,
      roleDefinitionId: `${definitions}/providers/Microsoft.Authorization/roleDefinitions/${r.roleDefinitionId}`,
      principalId: r.principalId,
      principalType: 'User',
      requestType: r.action.charAt(0).toUpperCase() + r.action.slice(1),
      status: r.status,
      approvalId: r.approvalId,
      // ARM writes createdOn without a zone in some responses; the reader must cope.
      createdOn: r.createdDateTime.replace(/\.\d+Z$|Z$/, ''),
      requestorId: r.principalId,
      justification: r.justification,
      scheduleInfo: { startDateTime: r.createdDateTime, expiration: { type: 'AfterDuration', endDateTime: null, duration: r.durationIso } },
      ticketInfo: {},
    },
  };
}
