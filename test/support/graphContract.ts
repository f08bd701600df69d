/**
 * Microsoft Graph's documented query contract for every call the app makes outside the PIM
 * request lists (those are fakeRequests.ts's), one row per call: which query options the
 * reference page lists, which properties `$filter` may name and with which operators, which
 * filter the method requires, what needs the advanced query parameters. The local Graph
 * (fakeGraph.ts, fakeAudit.ts, documented.ts) answers 400 with Graph's error body for anything
 * else, as Graph does; each row names its page and the sentence behind it, so a reader can
 * check the row against the page. A call with no row here is not judged by this table.
 *
 * Pages are paths in microsoftgraph/microsoft-graph-docs-contrib unless given as a URL.
 */
import { parseODataFilter, type FilterClause } from './odataFilter.js';

export type QueryOption = '$filter' | '$select' | '$expand' | '$top' | '$orderby' | '$count' | '$search';

/** Operators a property supports by default, and those only in advanced queries (directory objects). */
export interface Filterable {
  default: readonly string[];
  advanced?: readonly string[];
}

export interface GraphRule {
  name: string;
  /** The path after /v1.0. */
  path: RegExp;
  /** The query options the page lists ($skiptoken, for paging, is always allowed). */
  options: readonly QueryOption[];
  filterable?: Readonly<Record<string, Filterable>>;
  /** Required `eq` filters: one of these sets of properties must all be named. */
  requiredFilter?: readonly (readonly string[])[];
  /** A documented rule on the values of the `eq` filters; the reason when they break it. */
  filterValues?: (eq: ReadonlyMap<string, string>) => string | undefined;
  expandable?: readonly string[];
  orderable?: readonly string[];
  maxTop?: number;
  /** `required`: only as an advanced query; `switchable`: the docs are silent, GraphContractOptions decides. */
  advancedQuery?: 'required' | 'switchable';
  /** Directory objects: the advanced-query rules apply and refusals carry Request_UnsupportedQuery. */
  directoryObjects?: boolean;
  doc: string;
  sentence: string;
}

/** Where the documentation is silent, the local Graph can be set to either behaviour. */
export interface GraphContractOptions {
  /**
   * `/groups/{id}/owners/microsoft.graph.user`: the owners page says "OData cast is also
   * enabled", the advanced-queries page requires the advanced query parameters for "OData cast
   * with transitive members list" and says nothing of owners. true: refused without them.
   */
  ownersCastNeedsAdvancedQuery: boolean;
}

export const DEFAULT_GRAPH_CONTRACT: GraphContractOptions = { ownersCastNeedsAdvancedQuery: false };

const DIRECTORY_OPTIONS: readonly QueryOption[] = ['$count', '$expand', '$filter', '$orderby', '$search', '$select', '$top'];
const ADVANCED_PAGE = 'concepts/aad-advanced-queries.md';
/** concepts/aad-advanced-queries.md: "The `not` and `ne` negation operators are supported only with advanced query parameters." */
const NEGATION = ['ne', 'not'] as const;
/** "The `in` operator is supported by default whenever `eq` operator is supported by default." (same page) */
const EQ_IN = ['eq', 'in'] as const;
const ID: Filterable = { default: EQ_IN, advanced: NEGATION };
/** https://learn.microsoft.com/graph/query-parameters: "When using the `in` operator, the request is limited to 15 expressions in the filter clause by default". */
export const IN_LIMIT = 15;

const scheduleInstance = (extra: string[]): Record<string, Filterable> =>
  Object.fromEntries(
    ['appScopeId', 'directoryScopeId', 'memberType', 'principalId', 'roleDefinitionId', ...extra].map((p) => [
      p,
      { default: ['eq', 'ne'] },
    ]),
  );
const groupInstance: Record<string, Filterable> = {
  accessId: { default: ['eq'] },
  groupId: { default: ['eq'] },
  principalId: { default: ['eq'] },
  memberType: { default: ['eq'] },
  id: { default: ['eq', 'ne'] },
};

export const GRAPH_CONTRACT: readonly GraphRule[] = [
  {
    name: 'List organization',
    path: /^\/organization$/,
    options: ['$select', '$filter', '$expand', '$top', '$orderby', '$count', '$search'],
    doc: 'api-reference/v1.0/api/organization-list.md',
    sentence: 'This method supports the OData Query Parameters to help customize the response.',
  },
  {
    name: 'List roleDefinitions',
    path: /^\/roleManagement\/directory\/roleDefinitions$/,
    options: ['$filter', '$expand'],
    filterable: { id: { default: EQ_IN }, displayName: { default: EQ_IN }, isBuiltIn: { default: EQ_IN } },
    expandable: ['inheritsPermissionsFrom'],
    doc: 'api-reference/v1.0/api/rbacapplication-list-roledefinitions.md',
    sentence:
      'This method supports the `$filter` (`eq` and `in` operators) OData query parameter on `id`, `displayName`, and `isBuiltIn` properties. It also supports `$expand` on the relationships.',
  },
  {
    name: 'List roleAssignmentScheduleInstances',
    path: /^\/roleManagement\/directory\/roleAssignmentScheduleInstances$/,
    options: ['$select', '$filter', '$expand'],
    filterable: scheduleInstance(['assignmentType', 'roleAssignmentOriginId', 'roleAssignmentScheduleId']),
    expandable: ['activatedUsing', 'appScope', 'directoryScope', 'principal', 'roleDefinition'],
    doc: 'api-reference/v1.0/api/rbacapplication-list-roleassignmentscheduleinstances.md, resources/unifiedroleassignmentscheduleinstance.md',
    sentence:
      'This method supports the `$select`, `$filter`, and `$expand` OData query parameters. (Resource: each filterable property "Supports `$filter` (`eq`, `ne`)".)',
  },
  {
    name: 'List roleEligibilityScheduleInstances',
    path: /^\/roleManagement\/directory\/roleEligibilityScheduleInstances$/,
    options: ['$select', '$filter', '$expand'],
    filterable: scheduleInstance(['roleEligibilityScheduleId']),
    expandable: ['appScope', 'directoryScope', 'principal', 'roleDefinition'],
    doc: 'api-reference/v1.0/api/rbacapplication-list-roleeligibilityscheduleinstances.md, resources/unifiedroleeligibilityscheduleinstance.md',
    sentence: 'This method supports the `$select`, `$filter`, and `$expand` OData query parameters.',
  },
  {
    name: 'List roleManagementPolicyAssignments',
    path: /^\/policies\/roleManagementPolicyAssignments$/,
    options: ['$filter', '$select', '$expand'],
    filterable: { scopeId: { default: ['eq'] }, scopeType: { default: ['eq'] }, roleDefinitionId: { default: ['eq'] } },
    requiredFilter: [['scopeId', 'scopeType']],
    filterValues: (eq) => {
      const type = eq.get('scopeType');
      if (type === 'Directory' || type === 'DirectoryRole')
        return eq.get('scopeId') === '/' ? undefined : `scopeId must be '/' for ${type}`;
      return type === 'Group' ? undefined : `scopeType '${type}' is not one of Directory, DirectoryRole, Group`;
    },
    expandable: ['policy'],
    doc: 'api-reference/v1.0/api/policyroot-list-rolemanagementpolicyassignments.md',
    sentence:
      'This method requires the `$filter` (`eq`) query parameter to scope the request to a **scopeId** and a **scopeType**. To retrieve policies for Microsoft Entra roles, the **scopeId** must be `/` and, **scopeType** can be either `Directory` or `DirectoryRole`. To retrieve policies for groups in PIM for groups, the **scopeId** must be the group ID and **scopeType** must be `Group`. You can also filter by the **roleDefinitionId** or use the `$select` and `$expand` OData query parameters.',
  },
  ...(['assignmentScheduleInstances', 'eligibilityScheduleInstances'] as const).map((list): GraphRule => ({
    name: `List privilegedAccessGroup ${list}`,
    path: new RegExp(`^/identityGovernance/privilegedAccess/group/${list}$`),
    options: ['$select', '$filter', '$expand'],
    filterable: list === 'assignmentScheduleInstances' ? { ...groupInstance, assignmentType: { default: ['eq'] } } : groupInstance,
    requiredFilter: [['groupId'], ['principalId']],
    expandable: ['activatedUsing', 'group', 'principal'],
    doc: `api-reference/v1.0/api/privilegedaccessgroup-list-${list.toLowerCase()}.md`,
    sentence: 'This method requires the `$filter` (`eq`) query parameter to scope the request to a **principalId** or a **groupId**.',
  })),
  {
    name: 'List users',
    path: /^\/users$/,
    options: DIRECTORY_OPTIONS,
    directoryObjects: true,
    filterable: {
      id: ID,
      userPrincipalName: { default: [...EQ_IN, 'startswith'], advanced: [...NEGATION, 'endswith'] },
      mail: { default: [...EQ_IN, 'startswith'], advanced: [...NEGATION, 'endswith'] },
      displayName: { default: [...EQ_IN, 'startswith'], advanced: NEGATION },
      accountEnabled: { default: EQ_IN, advanced: NEGATION },
    },
    orderable: ['displayName', 'userPrincipalName'],
    maxTop: 999,
    doc: 'api-reference/v1.0/api/user-list.md, resources/user.md',
    sentence:
      'This method supports the `$count`, `$expand`, `$filter`, `$orderby`, `$search`, `$select`, and `$top` OData query parameters. The default page size is 100 objects. The maximum page size is 999 objects. (Resource: id "Supports `$filter` (`eq`, `ne`, `not`, `in`)".)',
  },
  {
    name: 'List groups',
    path: /^\/groups$/,
    options: DIRECTORY_OPTIONS,
    directoryObjects: true,
    filterable: {
      id: ID,
      displayName: { default: [...EQ_IN, 'startswith'], advanced: NEGATION },
      mail: { default: [...EQ_IN, 'startswith'], advanced: NEGATION },
      isAssignableToRole: { default: ['eq'], advanced: NEGATION },
    },
    orderable: ['displayName'],
    maxTop: 999,
    doc: 'api-reference/v1.0/api/group-list.md, resources/group.md',
    sentence:
      'This method supports the `$count`, `$expand`, `$filter`, `$orderBy`, `$search`, `$select`, and `$top` OData query parameters. The default and maximum page sizes are 100 and 999 group objects respectively. (Resource: id "Supports `$filter` (`eq`, `ne`, `NOT`, `in`)"; isAssignableToRole "Supports `$filter` (`eq`, `ne`, `NOT`)"; `ne`/`NOT` only with advanced query parameters, concepts/aad-advanced-queries.md.)',
  },
  ...(['users', 'groups', 'servicePrincipals'] as const).map((collection): GraphRule => ({
    name: `Get ${collection.slice(0, -1)}`,
    path: new RegExp(`^/${collection}/[^/]+$`),
    options: ['$select', '$expand'],
    directoryObjects: true,
    doc: `api-reference/v1.0/api/${collection.slice(0, -1).toLowerCase()}-get.md`,
    sentence:
      'Get user / Get group: "This method supports the `$select` OData query parameter to help customize the response"; Get servicePrincipal: "This method supports the OData query parameters". A single object: no $filter, $top or $orderby.',
  })),
  {
    name: 'List group members',
    path: /^\/groups\/[^/]+\/members$/,
    options: ['$filter', '$count', '$select', '$search', '$top', '$expand'],
    directoryObjects: true,
    doc: 'api-reference/v1.0/api/group-list-members.md',
    sentence: 'This method supports the OData Query Parameters to help customize the response.',
  },
  {
    name: 'List group transitive members, cast to one type',
    path: /^\/groups\/[^/]+\/transitiveMembers\/microsoft\.graph\.[A-Za-z]+$/,
    options: ['$filter', '$count', '$select', '$search', '$top', '$expand'],
    directoryObjects: true,
    advancedQuery: 'required',
    doc: ADVANCED_PAGE,
    sentence:
      'Query scenarios that require advanced query capabilities: "Use of OData cast with transitive members list" (`~/me/transitiveMemberOf/microsoft.graph.group?$count=true`).',
  },
  {
    name: 'List group owners, cast to users',
    path: /^\/groups\/[^/]+\/owners\/microsoft\.graph\.user$/,
    options: ['$filter', '$count', '$select', '$search', '$top', '$expand'],
    directoryObjects: true,
    advancedQuery: 'switchable',
    doc: `https://learn.microsoft.com/graph/api/group-list-owners, ${ADVANCED_PAGE}`,
    sentence:
      'Owners: "OData cast is also enabled, for example, you can cast to get just the group owners that are users." The advanced-queries page names only the transitive members cast; silent on this one.',
  },
  {
    name: 'List directoryAudits',
    path: /^\/auditLogs\/directoryAudits$/,
    options: ['$filter', '$top', '$orderby'],
    filterable: {
      activityDateTime: { default: ['eq', 'ge', 'le'] },
      activityDisplayName: { default: ['eq', 'startswith'] },
      correlationId: { default: ['eq'] },
      id: { default: ['eq'] },
      loggedByService: { default: ['eq'] },
      'initiatedBy/user/id': { default: ['eq'] },
      'initiatedBy/user/displayName': { default: ['eq'] },
      'initiatedBy/user/userPrincipalName': { default: ['eq', 'startswith'] },
      'initiatedBy/app/appId': { default: ['eq'] },
      'initiatedBy/app/displayName': { default: ['eq'] },
    },
    orderable: ['activityDateTime'],
    doc: 'api-reference/v1.0/api/directoryaudit-list.md, resources/directoryaudit.md',
    sentence:
      'This method supports the `$filter` (`eq`, `ge`, `le`, `startswith`), `$top`, `$orderby`, and `skiptoken` OData query parameters. (Resource: activityDateTime "Supports `$filter` (`eq`, `ge`, `le`) and `$orderby`"; loggedByService "Supports `$filter` (`eq`)"; category and result are not filterable.)',
  },
];

export interface Refusal {
  code: string;
  message: string;
}

/** Graph's 400 for a call against its row of GRAPH_CONTRACT, or undefined when the call keeps to it (or has no row). */
export function graphRefusal(
  path: string,
  query: URLSearchParams,
  headers: Readonly<Record<string, string>>,
  options: GraphContractOptions = DEFAULT_GRAPH_CONTRACT,
): Refusal | undefined {
  const rule = GRAPH_CONTRACT.find((r) => r.path.test(path));
  if (!rule) return undefined;
  const unsupported = (message: string): Refusal => ({ code: rule.directoryObjects ? 'Request_UnsupportedQuery' : 'BadRequest', message });
  const consistency = Object.entries(headers).find(([k]) => k.toLowerCase() === 'consistencylevel')?.[1];
  const advanced = consistency?.toLowerCase() === 'eventual' && query.get('$count') === 'true';
  for (const key of new Set(query.keys())) {
    if (!key.startsWith('$') || key.toLowerCase() === '$skiptoken') continue;
    if (!rule.options.includes(key as QueryOption))
      // The wording of Graph's OData layer for an option an API does not allow.
      return { code: 'BadRequest', message: `Query option '${key.slice(1)}' is not allowed for ${rule.name} (${rule.doc}).` };
  }
  const needsAdvanced = rule.advancedQuery === 'required' || (rule.advancedQuery === 'switchable' && options.ownersCastNeedsAdvancedQuery);
  if (needsAdvanced && !advanced)
    return {
      code: 'Request_UnsupportedQuery',
      message: 'Unsupported Query. This query requires the ConsistencyLevel header set to eventual and $count=true.',
    };
  if (query.has('$search') && consistency?.toLowerCase() !== 'eventual')
    return {
      code: 'Request_UnsupportedQuery',
      message:
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    };
  const top = query.get('$top');
  if (top !== null && (!/^\d+$/.test(top) || Number(top) < 1 || (rule.maxTop !== undefined && Number(top) > rule.maxTop)))
    return unsupported(`Invalid page size specified: '${top}'. Must be between 1 and ${rule.maxTop ?? 'the page limit'} inclusive.`);
  const filter = query.get('$filter');
  const filterRefusal = filter === null ? missingFilter(rule, []) : checkFilter(rule, filter, advanced, unsupported);
  if (filterRefusal) return filterRefusal;
  for (const item of splitTopLevel(query.get('$expand') ?? '')) {
    const name = item.split('(')[0]!.trim();
    if (!(rule.expandable ?? []).includes(name)) return { code: 'BadRequest', message: `Could not expand '${name}' on ${rule.name}.` };
  }
  const orderby = query.get('$orderby');
  if (orderby !== null) {
    const property = orderby.trim().split(/\s+/)[0]!;
    if (!(rule.orderable ?? []).includes(property)) return unsupported(`$orderby is not supported on '${property}' for ${rule.name}.`);
    // concepts/aad-advanced-queries.md: "Using `$filter` and `$orderby` together is supported only with advanced queries."
    if (rule.directoryObjects && filter !== null && !advanced)
      return unsupported(
        'Sorting not supported for current query. Use $filter and $orderby together only with ConsistencyLevel: eventual and $count=true.',
      );
  }
  return undefined;
}

function checkFilter(rule: GraphRule, filter: string, advanced: boolean, unsupported: (m: string) => Refusal): Refusal | undefined {
  const parsed = parseODataFilter(filter);
  if (typeof parsed === 'string') return { code: 'BadRequest', message: `Invalid filter clause: ${parsed}` };
  for (const clause of parsed) {
    const supports = rule.filterable?.[clause.property];
    if (!supports)
      return unsupported(
        `Unsupported or invalid query filter clause specified for property '${clause.property}' of resource '${rule.name}'.`,
      );
    if (supports.default.includes(clause.operator)) {
      if (clause.operator === 'in' && rule.directoryObjects && clause.values.length > IN_LIMIT)
        return unsupported(
          `Too many child clauses specified in search filter expression containing 'OR' operators: ${clause.values.length}. Max allowed: ${IN_LIMIT}.`,
        );
      continue;
    }
    if (supports.advanced?.includes(clause.operator)) {
      if (advanced) continue;
      return unsupported(
        `Operator '${clause.operator}' is not supported because the required parameters might be missing. Try adding $count with a value of true and set the ConsistencyLevel header to eventual.`,
      );
    }
    return unsupported(`Invalid filter clause: the operator '${clause.operator}' is not supported on '${clause.property}'.`);
  }
  return missingFilter(rule, parsed);
}

function missingFilter(rule: GraphRule, clauses: readonly FilterClause[]): Refusal | undefined {
  const eq = new Map(clauses.filter((c) => c.operator === 'eq').map((c) => [c.property, c.values[0] ?? '']));
  if (rule.requiredFilter && !rule.requiredFilter.some((set) => set.every((p) => eq.has(p))))
    return {
      code: 'BadRequest',
      message: `${rule.name} requires $filter (eq) on ${rule.requiredFilter.map((set) => set.join(' and ')).join(' or ')}.`,
    };
  const reason = rule.requiredFilter || eq.size > 0 ? rule.filterValues?.(eq) : undefined;
  return reason ? { code: 'BadRequest', message: `Invalid filter: ${reason}.` } : undefined;
}

/** `a,b($expand=c),d` → ['a', 'b($expand=c)', 'd']: commas inside parentheses stay. */
function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}
