/**
 * PIM's request APIs on the local endpoints, built on top of them (those files belong to the
 * directory readers): Graph `roleManagement/directory/role{Assignment,Eligibility}ScheduleRequests`
 * and `identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleRequests` with
 * `$filter=createdDateTime ge …` (FakeRequestsGraph, which also serves the audit log), and ARM
 * `Microsoft.Authorization/role{Assignment,Eligibility}ScheduleRequests?api-version=2020-10-01`
 * at a subscription, listing what lies below it (FakeRequestsArm). Same wire format as the
 * others: bearer token, absolute next links with $skiptoken, injectable 429 + Retry-After.
 *
 * Requests are made at known times and change status when the test says (`PimRequests`), so a
 * test can play a request created, approved and provisioned between two reads.
 */
import { FakeArm } from './fakeArm.js';
import { FakeAuditGraph } from './fakeAudit.js';
import type { TenantData } from './fakeGraph.js';
import type { WorldOptions, Reply } from './fakeServer.js';

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
  /** `/`, an ARM scope (azureResource), or the group id (group). */
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
    const filter = url.searchParams.get('$filter') ?? '';
    const since = /^createdDateTime ge (\S+)$/.exec(filter.trim());
    if (filter && !since) return { status: 400, body: this.errorBody('BadRequest', `Unsupported $filter in the local Graph: ${filter}`) };
    const from = since ? Date.parse(since[1]!) : -Infinity;
    if (!Number.isFinite(from) && since)
      return { status: 400, body: this.errorBody('BadRequest', `Invalid date-time in $filter: ${since[1]}`) };
    const items = this.pim.all
      .filter((r) => r.kind === kind && r.schedule === schedule && Date.parse(r.createdDateTime) >= from)
      .map((r) => (kind === 'group' ? groupShape(r) : directoryShape(r)));
    return this.page(url, items, '@odata.nextLink');
  }
}

export class FakeRequestsArm extends FakeArm {
  constructor(
    data: TenantData,
    readonly pim: PimRequests,
    options: WorldOptions,
  ) {
    super(data, options);
  }

  protected override handle(method: string, url: URL): Reply {
    const one =
      method === 'GET'
        ? /^(\/.+)\/providers\/Microsoft\.Authorization\/role(Assignment|Eligibility)ScheduleRequests\/([^/]+)$/i.exec(
            decodeURIComponent(url.pathname),
          )
        : null;
    if (one) {
      if (url.searchParams.get('api-version') !== '2020-10-01')
        return {
          status: 400,
          body: this.errorBody('InvalidApiVersionParameter', 'The api-version is not supported for this resource type.'),
        };
      // A request lives at its own scope: asked for at another one, ARM does not find it.
      const [, scope, collection, name] = one as unknown as [string, string, string, string];
      const schedule = collection.toLowerCase() as 'assignment' | 'eligibility';
      const r = this.pim.all.find(
        (x) =>
          x.kind === 'azureResource' &&
          x.schedule === schedule &&
          x.id.toLowerCase() === name.toLowerCase() &&
          x.scope.toLowerCase() === scope.toLowerCase(),
      );
      return r
        ? { status: 200, body: armShape(r) }
        : {
            status: 404,
            body: this.errorBody(
              'RoleAssignmentScheduleRequestNotFound',
              `The role ${schedule} schedule request '${name}' could not be found.`,
            ),
          };
    }
    const m =
      method === 'GET'
        ? /^(\/subscriptions\/[^/]+)\/providers\/Microsoft\.Authorization\/role(Assignment|Eligibility)ScheduleRequests$/i.exec(
            decodeURIComponent(url.pathname),
          )
        : null;
    if (!m) return super.handle(method, url);
    if (url.searchParams.get('api-version') !== '2020-10-01')
      return {
        status: 400,
        body: this.errorBody('InvalidApiVersionParameter', 'The api-version is not supported for this resource type.'),
      };
    if (url.searchParams.get('$filter'))
      return {
        status: 400,
        body: this.errorBody('InvalidFilter', 'Only atScope(), principalId eq, asRequestor(), asTarget() and asApprover() are supported.'),
      };
    const subscription = m[1]!.toLowerCase();
    const schedule = m[2]!.toLowerCase() as 'assignment' | 'eligibility';
    const items = this.pim.all
      .filter(
        (r) =>
          r.kind === 'azureResource' &&
          r.schedule === schedule &&
          (r.scope.toLowerCase() === subscription || r.scope.toLowerCase().startsWith(`${subscription}/`)),
      )
      .map(armShape);
    return this.page(url, items, 'nextLink');
  }
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

function armShape(r: StoredRequest): Record<string, unknown> {
  const sub = /^\/subscriptions\/[^/]+/i.exec(r.scope)?.[0] ?? '';
  const collection = r.schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
  return {
    id: `${r.scope}/providers/Microsoft.Authorization/${collection}/${r.id}`,
    name: r.id,
    type: `Microsoft.Authorization/${collection}`,
    properties: {
      scope: r.scope,
      roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${r.roleDefinitionId}`,
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
