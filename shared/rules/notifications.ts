/**
 * The kinds of email the app sends. Each kind has one template (shared/email/templates)
 * and a priority: when several cells put one person on an event's list, that person gets
 * only the highest-priority kind (recipients.md: "the most actionable").
 */

export const NOTIFICATIONS = {
  approvalRequest: {
    priority: 100,
    actionable: true,
    summary: 'Request to approve an activation',
  },
  approvalReminder: {
    priority: 98,
    actionable: true,
    summary: 'Reminder: a request still waits for your approval',
  },
  extensionApprovalRequest: {
    priority: 95,
    actionable: true,
    summary: 'Request to approve an extension or renewal',
  },
  outsidePimAlert: {
    priority: 80,
    actionable: true,
    summary: 'Alert: a permanent role was assigned outside PIM',
  },
  activationAlert: {
    priority: 70,
    actionable: true,
    summary: 'Role activation alert to admins',
  },
  pimEnabled: {
    priority: 60,
    actionable: false,
    summary: 'PIM was enabled for the tenant',
  },
  requestDecision: {
    priority: 55,
    actionable: false,
    summary: 'Your activation request was approved, denied or canceled',
  },
  expiryReminder: {
    priority: 50,
    actionable: false,
    summary: 'Your role assignment expires soon',
  },
  extendWindowNotice: {
    priority: 48,
    actionable: false,
    summary: 'Your role assignment can now be extended',
  },
  expiredNotice: {
    priority: 46,
    actionable: false,
    summary: 'Your role assignment expired',
  },
  extendedNotice: {
    priority: 44,
    actionable: false,
    summary: 'Your role assignment was extended',
  },
  assignmentNotice: {
    priority: 42,
    actionable: false,
    summary: 'You were assigned a role',
  },
  activationNotice: {
    priority: 40,
    actionable: false,
    summary: 'Your role activation completed',
  },
  assignmentAlert: {
    priority: 30,
    actionable: false,
    summary: 'Role assignment alert to admins',
  },
  expiryAlert: {
    priority: 28,
    actionable: false,
    summary: 'A role assignment expires soon (admins)',
  },
  extendWindowAlert: {
    priority: 26,
    actionable: false,
    summary: 'A role assignment can now be extended (admins)',
  },
  renewalAlert: {
    priority: 24,
    actionable: false,
    summary: 'An end user is renewing a role assignment (admins)',
  },
  requestExpiredNotice: {
    priority: 54,
    actionable: false,
    summary: 'Your request expired without a decision',
  },
  requestExpiredAlert: {
    priority: 22,
    actionable: false,
    summary: 'A request you could approve expired without a decision',
  },
  requestDecisionAlert: {
    priority: 20,
    actionable: false,
    summary: 'Another approver acted on a request',
  },
  requestCanceledAlert: {
    priority: 18,
    actionable: false,
    summary: 'A request you could approve was canceled',
  },
  weeklyDigest: {
    priority: 10,
    actionable: false,
    summary: 'Weekly PIM digest',
  },
} as const satisfies Record<string, { priority: number; actionable: boolean; summary: string }>;

export type NotificationKind = keyof typeof NOTIFICATIONS;
export const NOTIFICATION_KINDS = Object.keys(NOTIFICATIONS) as NotificationKind[];
