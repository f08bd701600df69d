/**
 * The Microsoft Graph application permissions the app needs, each the least-privileged one for
 * the calls it covers. Written once: the Graph client names them in errors, the postprovision
 * hook grants them, and docs/deploy.md lists them (a test compares).
 * RoleManagement.Read.Directory covers all the role-management reads (definitions, schedule
 * instances, policy assignments), so the narrower RoleAssignmentSchedule.Read.Directory,
 * RoleEligibilitySchedule.Read.Directory and RoleManagementPolicy.Read.Directory are not needed.
 */
export interface GraphPermission {
  permission: string;
  /** Graph paths (after /v1.0) this permission is needed for. */
  paths: RegExp;
  /** The calls, as docs/deploy.md shows them. */
  calls: string;
}

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export const GRAPH_PERMISSIONS: readonly GraphPermission[] = [
  // PIM for Groups first: a group's policy assignments share their path with the directory's.
  {
    permission: 'RoleManagementPolicy.Read.AzureADGroup',
    paths: /^\/policies\/roleManagementPolicyAssignments\?.*scopeType eq 'Group'/i,
    calls:
      "`GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '…' and scopeType eq 'Group'` (a group's member and owner settings)",
  },
  {
    permission: 'PrivilegedAssignmentSchedule.Read.AzureADGroup',
    paths: /^\/identityGovernance\/privilegedAccess\/group\/assignmentSchedule/i,
    calls:
      '`GET /identityGovernance/privilegedAccess/group/assignmentScheduleInstances`, `/assignmentScheduleRequests` (PIM for Groups: active access, requests)',
  },
  {
    permission: 'PrivilegedEligibilitySchedule.Read.AzureADGroup',
    paths: /^\/identityGovernance\/privilegedAccess\/group\/eligibilitySchedule/i,
    calls:
      '`GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances`, `/eligibilityScheduleRequests` (PIM for Groups: eligible access, requests)',
  },
  {
    permission: 'RoleManagement.Read.Directory',
    paths: /^\/(roleManagement\/directory\/|policies\/roleManagementPolicyAssignments)/i,
    calls:
      '`GET /roleManagement/directory/roleDefinitions`, `/roleAssignmentScheduleInstances`, `/roleEligibilityScheduleInstances`, `GET /policies/roleManagementPolicyAssignments`',
  },
  {
    permission: 'GroupMember.Read.All',
    paths: /^\/groups\b/i,
    calls: '`GET /groups/{id}`, `/groups/{id}/members`, `/groups/{id}/transitiveMembers/microsoft.graph.user`',
  },
  { permission: 'User.Read.All', paths: /^\/users\b/i, calls: '`GET /users`, `GET /users/{id}`' },
  {
    permission: 'Application.Read.All',
    paths: /^\/servicePrincipals\b/i,
    calls: '`GET /servicePrincipals/{id}` (names of apps and managed identities that hold roles)',
  },
  { permission: 'Organization.Read.All', paths: /^\/organization\b/i, calls: '`GET /organization` (the tenant name)' },
  { permission: 'AuditLog.Read.All', paths: /^\/auditLogs\//i, calls: '`GET /auditLogs/directoryAudits` (the audit collector)' },
];

/** The permission a Graph path (relative, or an absolute URL) needs; undefined for one the app never calls. */
export function graphPermissionFor(path: string): string | undefined {
  const relative = path.replace(/^https:\/\/[^/]+/i, '').replace(/^\/(v1\.0|beta)(?=\/)/i, '');
  return GRAPH_PERMISSIONS.find((p) => p.paths.test(relative))?.permission;
}
