/**
 * Reading a role's PIM policy: the nine notification rules and the approval rule, with
 * Microsoft's factory defaults for anything missing (directory-snapshot.md). Pure.
 */
import type { ApproverSubject, RolePolicy } from '../directory/roleDirectory.js';

export type NotificationLevel = 'None' | 'Critical' | 'All';
export type RecipientType = 'Admin' | 'Requestor' | 'Approver';
export type Caller = 'Admin' | 'EndUser';
export type RuleLevel = 'Eligibility' | 'Assignment';

/** `Notification_<Recipient>_<Caller>_<Level>`, the Graph rule id. */
export type NotificationRuleId = `Notification_${RecipientType}_${Caller}_${RuleLevel}`;

/** The nine rules a role's settings page shows (EndUser callers exist only for Assignment). */
export const NOTIFICATION_RULE_IDS: NotificationRuleId[] = [
  'Notification_Admin_Admin_Eligibility',
  'Notification_Requestor_Admin_Eligibility',
  'Notification_Approver_Admin_Eligibility',
  'Notification_Admin_Admin_Assignment',
  'Notification_Requestor_Admin_Assignment',
  'Notification_Approver_Admin_Assignment',
  'Notification_Admin_EndUser_Assignment',
  'Notification_Requestor_EndUser_Assignment',
  'Notification_Approver_EndUser_Assignment',
];

export interface NotificationSetting {
  ruleId: NotificationRuleId;
  level: NotificationLevel;
  isDefaultRecipientsEnabled: boolean;
  /** Extra addresses (the UI's "Additional recipients"). */
  notificationRecipients: string[];
  /** false when the policy has no such rule and the factory default applies. */
  configured: boolean;
}

export function notificationRuleId(recipient: RecipientType, caller: Caller, level: RuleLevel): NotificationRuleId {
  return `Notification_${recipient}_${caller}_${level}`;
}

export function notificationSetting(policy: RolePolicy, ruleId: NotificationRuleId): NotificationSetting {
  const rule = policy.rules.find((r) => r.id.toLowerCase() === ruleId.toLowerCase());
  if (!rule) {
    return { ruleId, level: 'All', isDefaultRecipientsEnabled: true, notificationRecipients: [], configured: false };
  }
  return {
    ruleId,
    level: normaliseLevel(rule['notificationLevel']),
    isDefaultRecipientsEnabled: rule['isDefaultRecipientsEnabled'] !== false,
    notificationRecipients: Array.isArray(rule['notificationRecipients'])
      ? rule['notificationRecipients'].filter((a): a is string => typeof a === 'string' && a.includes('@'))
      : [],
    configured: true,
  };
}

function normaliseLevel(value: unknown): NotificationLevel {
  if (typeof value !== 'string') return 'All';
  const v = value.toLowerCase();
  if (v === 'none') return 'None';
  if (v === 'critical') return 'Critical';
  return 'All';
}

export interface ApprovalSetting {
  isApprovalRequired: boolean;
  isApprovalRequiredForExtension: boolean;
  /** Primary approvers of every stage, in order, each subject once; empty = none configured. */
  approvers: ApproverSubject[];
}

/** Approval_EndUser_Assignment: who approves activations (singleUser / groupMembers). */
export function approvalSetting(policy: RolePolicy): ApprovalSetting {
  const rule = policy.rules.find((r) => r.id === 'Approval_EndUser_Assignment');
  const setting = (rule?.['setting'] ?? {}) as Record<string, unknown>;
  const stages = Array.isArray(setting['approvalStages']) ? (setting['approvalStages'] as Record<string, unknown>[]) : [];
  const approvers: ApproverSubject[] = [];
  const seen = new Set<string>();
  for (const stage of stages) {
    const primary = Array.isArray(stage?.['primaryApprovers']) ? (stage['primaryApprovers'] as Record<string, unknown>[]) : [];
    for (const subject of primary) {
      const type = String(subject?.['@odata.type'] ?? '').toLowerCase();
      if (type.endsWith('singleuser') && typeof subject['userId'] === 'string') {
        add({ kind: 'user', id: subject['userId'] });
      } else if (type.endsWith('groupmembers') && typeof subject['groupId'] === 'string') {
        add({ kind: 'group', id: subject['groupId'] });
      }
    }
  }
  return {
    isApprovalRequired: setting['isApprovalRequired'] === true,
    isApprovalRequiredForExtension: setting['isApprovalRequiredForExtension'] === true,
    approvers,
  };

  function add(subject: ApproverSubject): void {
    const key = `${subject.kind}:${subject.id.toLowerCase()}`;
    if (!seen.has(key)) {
      seen.add(key);
      approvers.push(subject);
    }
  }
}
