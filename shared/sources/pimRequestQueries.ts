/**
 * The one place the PIM request queries are written, for the requests collector
 * (pimRequestSource.ts) and the confirmer (confirm/pimRequestRecords.ts) alike: only shapes
 * Microsoft documents, each list with its shapes from the cheapest to the simplest, so that a
 * service that refuses one (documentation and service can disagree) is asked the next one.
 *
 * Graph (microsoft-graph-docs-contrib, api-reference/v1.0/):
 * - directory roles, `roleManagement/directory/role{Assignment,Eligibility}ScheduleRequests`:
 *   "This method supports the `$select`, `$filter`, and `$expand` OData query parameters"
 *   (api/rbacapplication-list-roleassignmentschedulerequests.md, …-roleeligibilityschedulerequests.md),
 *   and the resource pages mark which properties support `$filter`: not `createdDateTime`
 *   (resources/unifiedroleassignmentschedulerequest.md: id, principalId, roleDefinitionId, status,
 *   targetScheduleId, directoryScopeId, appScopeId, createdBy). No `$top`, `$orderby` either. So the
 *   list is read whole, with `$select`, then without; the time window is applied here.
 * - PIM for Groups, `identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleRequests`:
 *   "This method requires the `$filter` (`eq`) query parameter to scope the request to a
 *   **principalId** or a **groupId**." (api/privilegedaccessgroup-list-assignmentschedulerequests.md,
 *   …-eligibilityschedulerequests.md): one list per group, `groupId eq '…'`, with `$select`, then
 *   without.
 * - one request: `GET …ScheduleRequests/{id}` (api/unifiedroleassignmentschedulerequest-get.md and
 *   the group and eligibility pages alike).
 *
 * ARM (azure-rest-api-specs, specification/authorization/resource-manager/Microsoft.Authorization/
 * stable/2020-10-01/RoleAssignmentScheduleRequest.json, RoleEligibilityScheduleRequest.json):
 * `GET /{scope}/providers/Microsoft.Authorization/role…ScheduleRequests` ("The scope can be any
 * REST resource instance"), `$filter` optional: "Use $filter=atScope() to return all role
 * assignment schedule requests at or above the scope". At a subscription the list is read
 * unfiltered (its requests and its resource groups'); at a management group with atScope() (its
 * own requests, not every subscription's under it), then unfiltered. `GET …/{name}` reads one.
 */
import { armScope } from '../events/armScope.js';
import type { AccessKind, ScheduleRequest } from './scheduleRequest.js';

export const ARM_REQUESTS_API_VERSION = '2020-10-01';

type Schedule = ScheduleRequest['schedule'];
export const SCHEDULES: readonly Schedule[] = ['assignment', 'eligibility'];

/** The request properties the readers use (GraphScheduleRequest in pimRequestSource.ts). */
const COMMON_SELECT =
  'id,action,status,createdDateTime,completedDateTime,principalId,approvalId,justification,createdBy,ticketInfo,scheduleInfo';
const DIRECTORY_SELECT = `${COMMON_SELECT},roleDefinitionId,directoryScopeId`;
const GROUP_SELECT = `${COMMON_SELECT},accessId,groupId`;

/** The Graph collection of one kind's requests (directory roles or PIM for Groups). */
export function graphRequestCollection(kind: Exclude<AccessKind, 'azureResource'>, schedule: Schedule): string {
  if (kind === 'group') return `/identityGovernance/privilegedAccess/group/${schedule}ScheduleRequests`;
  return `/roleManagement/directory/${schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests'}`;
}

/** The directory role requests of one schedule: the documented shapes, cheapest first. */
export function directoryRequestList(schedule: Schedule): string[] {
  const collection = graphRequestCollection('directory', schedule);
  return [`${collection}?$select=${DIRECTORY_SELECT}`, collection];
}

/** One group's requests of one schedule (the `groupId eq` filter is required): the documented shapes, cheapest first. */
export function groupRequestList(schedule: Schedule, groupId: string): string[] {
  const filtered = `${graphRequestCollection('group', schedule)}?$filter=groupId eq '${groupId.replace(/'/g, "''")}'`;
  return [`${filtered}&$select=${GROUP_SELECT}`, filtered];
}

/** One Graph request by id. */
export function graphRequestById(kind: Exclude<AccessKind, 'azureResource'>, schedule: Schedule, id: string): string {
  return `${graphRequestCollection(kind, schedule)}/${encodeURIComponent(id)}`;
}

function armCollection(schedule: Schedule): string {
  return schedule === 'assignment' ? 'roleAssignmentScheduleRequests' : 'roleEligibilityScheduleRequests';
}

/** `/subscriptions/{id}` (lower-cased) of a scope at or under a subscription, in either spelling. */
export function subscriptionOf(scopeId: string): string | undefined {
  return /^\/subscriptions\/([0-9a-f-]{36})(?:\/|$)/i.exec(armScope(scopeId))?.[1]?.toLowerCase();
}

/** A management group's own scope, in ARM's spelling; undefined for anything else. */
function managementGroupOf(scopeId: string): string | undefined {
  return /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.exec(armScope(scopeId))?.[0];
}

/**
 * The scope whose list holds the requests made at `scopeId`: its subscription (which lists its
 * resource groups' too), or the management group itself; undefined for any other scope.
 */
export function armListScope(scopeId: string): string | undefined {
  const subscription = subscriptionOf(scopeId);
  if (subscription) return `/subscriptions/${subscription}`;
  return managementGroupOf(scopeId);
}

/** The requests of one schedule at a list scope (armListScope): the documented shapes, cheapest first. */
export function armRequestList(listScope: string, schedule: Schedule): string[] {
  const plain = `${armScope(listScope)}/providers/Microsoft.Authorization/${armCollection(schedule)}?api-version=${ARM_REQUESTS_API_VERSION}`;
  return managementGroupOf(listScope) ? [`${plain}&$filter=${encodeURIComponent('atScope()')}`, plain] : [plain];
}

/** One ARM request by name at its own scope (ARM keeps a request at the scope it was made at). */
export function armRequestByName(scopeId: string, schedule: Schedule, name: string): string {
  return `${armScope(scopeId)}/providers/Microsoft.Authorization/${armCollection(schedule)}/${encodeURIComponent(name)}?api-version=${ARM_REQUESTS_API_VERSION}`;
}
