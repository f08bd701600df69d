/**
 * The contract of PIM's request lists as Microsoft documents it, enforced by the local Graph and
 * ARM (fakeRequests.ts): a query the pages below do not document is answered `400` with the
 * service's error body, as the real service may answer it, so the app is tested on what
 * Microsoft promises and not on what a lenient local service lets through. Each rule names its
 * page and sentence.
 */

/** One Graph request list: which properties its pages mark filterable, and which filter it requires. */
export interface GraphListContract {
  /** Properties marked "Supports `$filter` (`eq`, `ne`)" on the resource page, or named by the list page. */
  filterable: readonly string[];
  /** The list needs an `eq` clause on one of these. */
  requiredEq?: readonly string[];
  /** Every property of the resource (its JSON representation): what `$select` may name. */
  properties: readonly string[];
}

const REQUEST_PROPERTIES = [
  'id',
  'status',
  'completedDateTime',
  'createdDateTime',
  'approvalId',
  'customData',
  'createdBy',
  'action',
  'isValidationOnly',
  'justification',
  'scheduleInfo',
  'ticketInfo',
  'principalId',
  'targetScheduleId',
];

/**
 * Graph, api-reference/v1.0/resources/unifiedroleassignmentschedulerequest.md: "Supports `$filter`
 * (`eq`, `ne`)" on id, principalId, roleDefinitionId, status, targetScheduleId; "(`eq`, `ne`, and
 * on `null` values)" on appScopeId, createdBy, directoryScopeId. createdDateTime says no such thing.
 */
export const DIRECTORY_ASSIGNMENT_REQUESTS: GraphListContract = {
  filterable: ['id', 'principalId', 'roleDefinitionId', 'status', 'targetScheduleId', 'directoryScopeId', 'appScopeId', 'createdBy'],
  properties: [...REQUEST_PROPERTIES, 'roleDefinitionId', 'directoryScopeId', 'appScopeId'],
};

/**
 * resources/unifiedroleeligibilityschedulerequest.md: "Supports `$filter`" on appScopeId,
 * directoryScopeId, principalId, roleDefinitionId, status, targetScheduleId (not id, createdBy,
 * createdDateTime).
 */
export const DIRECTORY_ELIGIBILITY_REQUESTS: GraphListContract = {
  filterable: ['appScopeId', 'directoryScopeId', 'principalId', 'roleDefinitionId', 'status', 'targetScheduleId'],
  properties: DIRECTORY_ASSIGNMENT_REQUESTS.properties,
};

/**
 * api/privilegedaccessgroup-list-assignmentschedulerequests.md: "This method requires the
 * `$filter` (`eq`) query parameter to scope the request to a **principalId** or a **groupId**.";
 * resources/privilegedaccessgroupassignmentschedulerequest.md marks createdBy, id, principalId,
 * status and targetScheduleId filterable.
 */
export const GROUP_ASSIGNMENT_REQUESTS: GraphListContract = {
  filterable: ['groupId', 'principalId', 'createdBy', 'id', 'status', 'targetScheduleId'],
  requiredEq: ['groupId', 'principalId'],
  properties: [...REQUEST_PROPERTIES, 'accessId', 'groupId'],
};

/**
 * api/privilegedaccessgroup-list-eligibilityschedulerequests.md: the same required filter;
 * resources/privilegedaccessgroupeligibilityschedulerequest.md marks createdBy, id and status filterable.
 */
export const GROUP_ELIGIBILITY_REQUESTS: GraphListContract = {
  filterable: ['groupId', 'principalId', 'createdBy', 'id', 'status'],
  requiredEq: ['groupId', 'principalId'],
  properties: GROUP_ASSIGNMENT_REQUESTS.properties,
};

/**
 * The list pages: "This method supports the `$select`, `$filter`, and `$expand` OData query
 * parameters" (no `$top`, `$orderby`, `$skip`, `$count`, `$search`). `$skiptoken` is the
 * service's own, in the `@odata.nextLink` it writes.
 */
const GRAPH_LIST_OPTIONS = new Set(['$select', '$filter', '$expand', '$skiptoken']);

export type GraphListVerdict = { refused: string } | { keep: (item: Record<string, unknown>) => boolean; select?: string[] };

/** The query of a Graph request list against its contract: refused (why), or what to serve. */
export function graphListQuery(url: URL, contract: GraphListContract): GraphListVerdict {
  for (const name of url.searchParams.keys())
    if (!GRAPH_LIST_OPTIONS.has(name)) return { refused: `Query option '${name}' is not supported for this request.` };
  const clauses: { property: string; op: 'eq' | 'ne'; value: string | null }[] = [];
  const filter = (url.searchParams.get('$filter') ?? '').trim();
  for (const clause of filter ? filter.split(/\s+and\s+/i) : []) {
    const m = /^([A-Za-z]+(?:\/[A-Za-z]+)*)\s+(eq|ne)\s+('(?:[^']|'')*'|null)$/.exec(clause.trim());
    if (!m) return { refused: `Invalid filter clause: '${clause}' (only eq and ne on filterable properties are supported).` };
    const property = m[1]!;
    if (!contract.filterable.includes(property.split('/')[0]!))
      return { refused: `Invalid filter clause: the property '${property}' does not support filtering.` };
    clauses.push({ property, op: m[2] as 'eq' | 'ne', value: m[3] === 'null' ? null : m[3]!.slice(1, -1).replace(/''/g, "'") });
  }
  if (contract.requiredEq && !clauses.some((c) => c.op === 'eq' && contract.requiredEq!.includes(c.property)))
    return { refused: `The request requires a $filter with 'eq' on one of: ${contract.requiredEq.join(', ')}.` };
  const select = url.searchParams
    .get('$select')
    ?.split(',')
    .map((s) => s.trim());
  const unknown = select?.find((p) => !contract.properties.includes(p));
  if (unknown) return { refused: `Could not find a property named '${unknown}' on this type.` };
  return {
    keep: (item) =>
      clauses.every((c) => {
        const actual = c.property.split('/').reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k] ?? null, item);
        const same = c.value === null ? actual === null : String(actual).toLowerCase() === c.value.toLowerCase();
        return c.op === 'eq' ? same : !same;
      }),
    ...(select ? { select } : {}),
  };
}

/**
 * ARM, specification/authorization/resource-manager/Microsoft.Authorization/stable/2020-10-01/
 * RoleAssignmentScheduleRequest.json (RoleAssignmentScheduleRequests_ListForScope) and
 * RoleEligibilityScheduleRequest.json: parameters `scope`, `$filter` (optional) and `api-version`;
 * "Use $filter=atScope() to return all role assignment schedule requests at or above the scope.
 * Use $filter=principalId eq {id} to return all role assignment schedule requests at, above or
 * below the scope for the specified principal. Use $filter=asRequestor() … asTarget() …
 * asApprover() …". The examples (GetRoleAssignmentScheduleRequestByScope.json) also send
 * `assignedTo('{id}')`. `$skiptoken` is ARM's own, in the `nextLink` it writes.
 */
export type ArmListFilter =
  | { kind: 'none' }
  | { kind: 'atScope' }
  | { kind: 'principal'; principalId: string }
  /** asRequestor(), asTarget(), asApprover(): the caller, here the app's identity, which makes and approves no request. */
  | { kind: 'caller' };

export function armListQuery(url: URL): { refused: { code: string; message: string } } | { filter: ArmListFilter } {
  for (const name of url.searchParams.keys())
    if (!['api-version', '$filter', '$skiptoken'].includes(name))
      return { refused: { code: 'BadRequest', message: `The query parameter '${name}' is not supported.` } };
  const filter = (url.searchParams.get('$filter') ?? '').trim();
  if (!filter) return { filter: { kind: 'none' } };
  if (filter === 'atScope()') return { filter: { kind: 'atScope' } };
  if (/^as(Requestor|Target|Approver)\(\)$/.test(filter)) return { filter: { kind: 'caller' } };
  const principal = /^principalId eq '?([0-9a-fA-F-]{36})'?$/.exec(filter) ?? /^assignedTo\('([0-9a-fA-F-]{36})'\)$/.exec(filter);
  if (principal) return { filter: { kind: 'principal', principalId: principal[1]!.toLowerCase() } };
  return {
    refused: {
      code: 'InvalidFilter',
      message: `The filter '${filter}' is not supported. Supported filters: atScope(), principalId eq {id}, asRequestor(), asTarget(), asApprover().`,
    },
  };
}

/** `$select`: only the named properties (and OData annotations), as Graph projects them. */
export function projected(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  return select ? Object.fromEntries(Object.entries(item).filter(([k]) => k.startsWith('@odata') || select.includes(k))) : item;
}
