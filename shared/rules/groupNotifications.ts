/**
 * The email kinds of PIM for Groups: the same moments as a role's emails, about membership or
 * ownership of a group (PIM's words differ: "was made an eligible member of the group X").
 * Each has the priority and actionability of its role counterpart, so the Critical level and
 * "the most actionable email wins" work alike; an event is about one scope kind, so the two
 * families never compete for one person.
 */
export const GROUP_NOTIFICATIONS = {
  groupApprovalRequest: { priority: 100, actionable: true, summary: 'Request to approve a group membership or ownership activation' },
  groupExtensionApprovalRequest: {
    priority: 95,
    actionable: true,
    summary: 'Request to approve extending or renewing group membership or ownership',
  },
  groupPendingApprovalAlert: {
    priority: 72,
    actionable: false,
    summary: "A group activation waits for its approvers (the group's owners who are not approvers; no action asked)",
  },
  groupActivationAlert: {
    priority: 70,
    actionable: false,
    summary: "Group membership or ownership activation alert to the group's owners",
  },
  groupRequestDecision: { priority: 55, actionable: false, summary: 'Your group activation request was approved or denied' },
  groupExpiryReminder: { priority: 50, actionable: false, summary: 'Your group membership or ownership expires soon' },
  groupExtendWindowNotice: { priority: 48, actionable: false, summary: 'Your group membership or ownership can now be extended' },
  groupExpiredNotice: { priority: 46, actionable: false, summary: 'Your group membership or ownership expired' },
  groupExtensionDeniedNotice: {
    priority: 45,
    actionable: false,
    summary: 'Your request to extend or renew group membership or ownership was denied',
  },
  groupExtendedNotice: { priority: 44, actionable: false, summary: 'Your group membership or ownership was extended' },
  groupRenewedNotice: { priority: 43, actionable: false, summary: 'Your group membership or ownership was renewed' },
  groupAssignmentNotice: { priority: 42, actionable: false, summary: 'You were made a member or owner of a group' },
  groupActivationNotice: { priority: 40, actionable: false, summary: 'Your group membership or ownership activation completed' },
  groupAssignmentAlert: {
    priority: 30,
    actionable: false,
    summary: "Group membership or ownership assignment alert to the group's owners",
  },
  groupExpiryAlert: { priority: 28, actionable: false, summary: 'A group membership or ownership expires soon (owners)' },
  groupExpiredAlert: { priority: 27, actionable: false, summary: 'A group membership or ownership expired (owners)' },
  groupExtendWindowAlert: { priority: 26, actionable: false, summary: 'A group membership or ownership can now be extended (owners)' },
  groupExtendedAlert: { priority: 25, actionable: false, summary: 'A group membership or ownership was extended (the other owners)' },
  groupRenewalAlert: { priority: 24, actionable: false, summary: 'A group membership or ownership was renewed (the other owners)' },
  groupExtensionDeniedAlert: {
    priority: 22,
    actionable: false,
    summary: 'A request to extend or renew group membership or ownership was denied (the other owners)',
  },
  groupRequestDecisionAlert: { priority: 20, actionable: false, summary: 'Another approver acted on a group activation request' },
  groupRequestCanceledAlert: { priority: 18, actionable: false, summary: 'A group activation request you could approve was canceled' },
} as const satisfies Record<string, { priority: number; actionable: boolean; summary: string }>;

export type GroupNotificationKind = keyof typeof GROUP_NOTIFICATIONS;

/** The group emails that ask their recipient to act (approve or deny): the only ones "Critical emails only" keeps. */
export const GROUP_APPROVAL_REQUESTS: readonly GroupNotificationKind[] = ['groupApprovalRequest', 'groupExtensionApprovalRequest'];
