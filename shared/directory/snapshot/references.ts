/**
 * Warnings about a valid snapshot: references to ids the file does not contain, entries
 * that will be ignored, users nobody can email. None of these refuses the file: real
 * exports hold deleted members and service principals, and one stale id must not stop
 * every other notification. Warnings name paths and ids only (never addresses).
 */
import { addressOf } from '../roleDirectory.js';
import type { DirectorySnapshot } from './snapshotSchema.js';

export function referenceWarnings(snapshot: DirectorySnapshot): string[] {
  const warnings: string[] = [];
  const users = new Set<string>();
  const groups = new Set<string>();
  const servicePrincipals = new Set(snapshot.servicePrincipals.map((sp) => sp.id.toLowerCase()));

  snapshot.users.forEach((user, i) => {
    const id = user.id.toLowerCase();
    if (users.has(id)) warnings.push(`users[${i}]: duplicate user id ${user.id}; the first entry is used`);
    users.add(id);
    if (addressOf(user) === null) {
      warnings.push(`users[${i}]: user ${user.id} has no usable address (mail, otherMails, userPrincipalName); they will get no email`);
    }
  });
  snapshot.groups.forEach((group, i) => {
    const id = group.id.toLowerCase();
    if (groups.has(id) || users.has(id)) warnings.push(`groups[${i}]: id ${group.id} is used twice; the first entry is used`);
    groups.add(id);
  });

  const isPrincipal = (id: string): boolean => {
    const key = id.toLowerCase();
    return users.has(key) || groups.has(key) || servicePrincipals.has(key);
  };
  const principalWarning = (path: string, id: string): void => {
    if (!isPrincipal(id)) {
      warnings.push(`${path}: principal ${id} is not a user, group or service principal in the file; nobody is notified through it`);
    }
  };

  snapshot.groups.forEach((group, i) =>
    group.members.forEach((member, j) => {
      const key = member.toLowerCase();
      if (!users.has(key) && !groups.has(key) && !servicePrincipals.has(key)) {
        warnings.push(`groups[${i}].members[${j}]: member ${member} of group ${group.id} is not in the file; ignored`);
      }
    }),
  );

  snapshot.roleAssignments.forEach((a, i) => {
    principalWarning(`roleAssignments[${i}].principalId`, a.principalId);
    if (!isAssignmentType(a.assignmentType)) {
      warnings.push(
        `roleAssignments[${i}].assignmentType: "${a.assignmentType}" is neither Assigned nor Activated; the assignment is ignored`,
      );
    }
  });
  snapshot.roleEligibilities.forEach((e, i) => principalWarning(`roleEligibilities[${i}].principalId`, e.principalId));

  const seenPolicies = new Set<string>();
  snapshot.roleManagementPolicies.forEach((policy, i) => {
    const key = policy.roleDefinitionId.toLowerCase();
    if (seenPolicies.has(key))
      warnings.push(`roleManagementPolicies[${i}]: second policy for role ${policy.roleDefinitionId}; the first is used`);
    seenPolicies.add(key);
    approverWarnings(`roleManagementPolicies[${i}]`, policy.rules, users, groups, warnings);
  });

  const seenResources = new Set<string>();
  snapshot.azureResources.forEach((resource, i) => {
    const key = resource.id.toLowerCase();
    if (seenResources.has(key)) warnings.push(`azureResources[${i}]: scope ${resource.id} is listed twice; its entries are merged`);
    seenResources.add(key);
    resource.roleAssignments.forEach((a, j) => principalWarning(`azureResources[${i}].roleAssignments[${j}].principalId`, a.principalId));
    resource.roleManagementPolicies.forEach((policy, j) =>
      approverWarnings(`azureResources[${i}].roleManagementPolicies[${j}]`, policy.rules, users, groups, warnings),
    );
  });
  return warnings;
}

export function isAssignmentType(value: string): value is 'Assigned' | 'Activated' {
  return value === 'Assigned' || value === 'Activated';
}

/** Approvers named in Approval_EndUser_Assignment that the file does not know receive nothing. */
function approverWarnings(
  path: string,
  rules: DirectorySnapshot['roleManagementPolicies'][number]['rules'],
  users: Set<string>,
  groups: Set<string>,
  warnings: string[],
): void {
  rules.forEach((rule, r) => {
    if (rule.id !== 'Approval_EndUser_Assignment') return;
    const stages = (rule['setting'] as { approvalStages?: unknown } | undefined)?.approvalStages;
    if (!Array.isArray(stages)) return;
    stages.forEach((stage: unknown, s) => {
      const primary = (stage as { primaryApprovers?: unknown } | null)?.primaryApprovers;
      if (!Array.isArray(primary)) return;
      primary.forEach((subject: unknown, a) => {
        const at = `${path}.rules[${r}].setting.approvalStages[${s}].primaryApprovers[${a}]`;
        const s2 = (subject ?? {}) as Record<string, unknown>;
        if (typeof s2['userId'] === 'string' && !users.has(s2['userId'].toLowerCase())) {
          warnings.push(`${at}.userId: approver ${s2['userId']} is not a user in the file; they get no approval request`);
        }
        if (typeof s2['groupId'] === 'string' && !groups.has(s2['groupId'].toLowerCase())) {
          warnings.push(`${at}.groupId: approver group ${s2['groupId']} is not a group in the file; its members get no approval request`);
        }
      });
    });
  });
}
