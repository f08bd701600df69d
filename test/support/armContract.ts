/**
 * Azure Resource Manager's documented contract for every call the app makes outside the PIM
 * request lists (fakeRequests.ts's), one row per operation: the api-versions its REST spec
 * publishes (those checked in Azure/azure-rest-api-specs; add one after checking its folder),
 * the query parameters the operation declares, and the `$filter` forms its spec describes. The
 * local ARM (fakeArm.ts, documented.ts) answers 400 with ARM's error body for anything else;
 * each row names its spec file and the sentence behind it. A call with no row is not judged.
 *
 * The error shape is ARM's ErrorResponse ({ error: { code, message } },
 * common-types/resource-management/v2/types.json). The spec names no code for an undeclared
 * parameter or an undescribed filter; Azure may even ignore one and answer unfiltered, which
 * is worse. The local ARM refuses instead, so that an app relying on either fails here first.
 */
import type { Refusal } from './graphContract.js';

export interface ArmRule {
  name: string;
  /** Matched against the lower-cased, decoded path without trailing slash. */
  path: RegExp;
  apiVersions: readonly string[];
  /** Query parameters the operation declares besides api-version (nextLink paging's $skiptoken is always allowed). */
  parameters: readonly string[];
  /** The `$filter` values the spec describes. */
  filters?: readonly RegExp[];
  doc: string;
  sentence: string;
}

const AUTH = 'specification/authorization/resource-manager/Microsoft.Authorization/stable';
const AUTH_PATH = (rest: string) => new RegExp(`/providers/microsoft\\.authorization/${rest}$`);
const QUOTED_ID = `'?[0-9a-f-]{36}'?`;
/** The filters every 2020-10-01 schedule-instance list describes, and the x-ms-odata filter properties it declares. */
const scheduleInstanceFilters = (scheduleId: string): RegExp[] => [
  /^atScope\(\)$/,
  /^asTarget\(\)$/,
  new RegExp(`^assignedTo\\('[0-9a-f-]{36}'\\)$`, 'i'),
  new RegExp(`^(principalId|roleDefinitionId|${scheduleId}) eq ('[^']+'|[0-9a-f-]{36})$`, 'i'),
  /^status eq '[A-Za-z]+'$/,
];

export const ARM_CONTRACT: readonly ArmRule[] = [
  {
    name: 'RoleAssignments_ListForScope',
    path: AUTH_PATH('roleassignments'),
    apiVersions: ['2022-04-01'],
    parameters: ['$filter', 'tenantId', '$skipToken'],
    filters: [/^atScope\(\)$/, new RegExp(`^principalId eq ${QUOTED_ID}$`, 'i')],
    doc: `${AUTH}/2022-04-01/authorization-RoleAssignmentsCalls.json`,
    sentence:
      'Use $filter=atScope() to return all role assignments at or above the scope. Use $filter=principalId eq {id} to return all role assignments at, above or below the scope for the specified principal.',
  },
  {
    name: 'RoleAssignmentScheduleInstances_ListForScope',
    path: AUTH_PATH('roleassignmentscheduleinstances'),
    apiVersions: ['2020-10-01'],
    parameters: ['$filter'],
    filters: scheduleInstanceFilters('roleAssignmentScheduleId'),
    doc: `${AUTH}/2020-10-01/RoleAssignmentScheduleInstance.json`,
    sentence:
      "Use $filter=atScope() to return all role assignment schedules at or above the scope. Use $filter=principalId eq {id} … Use $filter=assignedTo('{userId}') … Use $filter=asTarget() … (x-ms-odata RoleAssignmentScheduleInstanceFilter: principalId, roleDefinitionId, status, roleAssignmentScheduleId).",
  },
  {
    name: 'RoleEligibilityScheduleInstances_ListForScope',
    path: AUTH_PATH('roleeligibilityscheduleinstances'),
    apiVersions: ['2020-10-01'],
    parameters: ['$filter'],
    filters: scheduleInstanceFilters('roleEligibilityScheduleId'),
    doc: `${AUTH}/2020-10-01/RoleEligibilityScheduleInstance.json`,
    sentence:
      "Use $filter=atScope() to return all role assignment schedules at or above the scope. Use $filter=principalId eq {id} … Use $filter=assignedTo('{userId}') … Use $filter=asTarget() … (x-ms-odata RoleEligibilityScheduleInstanceFilter: principalId, roleDefinitionId, status, roleEligibilityScheduleId).",
  },
  {
    name: 'RoleManagementPolicyAssignments_ListForScope',
    path: AUTH_PATH('rolemanagementpolicyassignments'),
    apiVersions: ['2020-10-01'],
    parameters: [],
    doc: `${AUTH}/2020-10-01/RoleManagementPolicyAssignment.json`,
    sentence: 'Parameters: scope (path), api-version. No $filter: the list is every assignment made at the scope.',
  },
  {
    name: 'RoleManagementPolicies_Get',
    path: AUTH_PATH('rolemanagementpolicies/[^/]+'),
    apiVersions: ['2020-10-01'],
    parameters: [],
    doc: `${AUTH}/2020-10-01/RoleManagementPolicy.json`,
    sentence: 'Parameters: scope, roleManagementPolicyName (path), api-version.',
  },
  {
    name: 'RoleDefinitions_Get',
    path: AUTH_PATH('roledefinitions/[^/]+'),
    apiVersions: ['2022-04-01'],
    parameters: [],
    doc: `${AUTH}/2022-04-01/authorization-RoleDefinitionsCalls.json`,
    sentence: 'Parameters: scope, roleDefinitionId (path), api-version.',
  },
  {
    name: 'Subscriptions_Get',
    path: /^\/subscriptions\/[^/]+$/,
    apiVersions: ['2022-12-01'],
    parameters: [],
    doc: 'specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json',
    sentence: 'Parameters: subscriptionId (path), api-version.',
  },
  {
    name: 'ResourceGroups_List',
    path: /^\/subscriptions\/[^/]+\/resourcegroups$/,
    apiVersions: ['2021-04-01'],
    parameters: ['$filter', '$top'],
    doc: 'specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json (examples/ListResourceGroups.json)',
    sentence: 'Parameters: subscriptionId (path), $filter, $top, api-version.',
  },
  {
    name: 'ManagementGroups_Get',
    path: /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/,
    apiVersions: ['2023-04-01'],
    parameters: ['$expand', '$recurse', '$filter'],
    doc: 'specification/managementgroups/resource-manager/Microsoft.Management/stable/2023-04-01/management.json',
    sentence: 'Parameters: groupId (path), api-version, $expand, $recurse, $filter, Cache-Control (header).',
  },
];

/** ARM's 400 for a call against its row of ARM_CONTRACT, or undefined when the call keeps to it (or has no row). */
export function armRefusal(path: string, query: URLSearchParams): Refusal | undefined {
  const lower = path.toLowerCase().replace(/\/+$/, '');
  const rule = ARM_CONTRACT.find((r) => r.path.test(lower));
  if (!rule) return undefined;
  const version = query.get('api-version') ?? '';
  if (!rule.apiVersions.includes(version))
    // https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-register-resource-provider:
    // "Code: NoRegisteredProviderFound Message: No registered resource provider found for location {location} and API version {api-version} for type {resource-type}."
    return {
      code: 'NoRegisteredProviderFound',
      message: `No registered resource provider found for location 'global' and API version '${version}' for type '${rule.name}'. The supported api-versions are '${rule.apiVersions.join(', ')}'.`,
    };
  for (const key of new Set(query.keys())) {
    if (key === 'api-version' || key.toLowerCase() === '$skiptoken') continue;
    if (!rule.parameters.includes(key))
      return { code: 'BadRequest', message: `The query parameter '${key}' is not supported by ${rule.name} (api-version ${version}).` };
  }
  const filter = query.get('$filter');
  if (filter !== null && rule.filters && !rule.filters.some((f) => f.test(filter.trim())))
    return { code: 'UnsupportedQuery', message: `The filter '${filter}' is not supported by ${rule.name}. See ${rule.doc}.` };
  return undefined;
}
