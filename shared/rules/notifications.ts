/**
 * The kinds of email the app sends. Each kind has one template (shared/email/templates)
 * and a priority: when several matrix entries put one person on an event's list, that person
 * gets only the highest-priority kind (recipients.md: "the most actionable").
 */
import { GROUP_NOTIFICATIONS } from './groupNotifications.js';

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
    // A security alert, not a request to act on: no role's Critical level governs it anyway.
    actionable: false,
    summary: 'Alert: a permanent role was assigned outside PIM',
  },
  pendingApprovalAlert: {
    priority: 72,
    actionable: false,
    summary: 'An activation waits for its approvers (Azure Owners and User Access Administrators who are not approvers)',
  },
  activationAlert: {
    priority: 70,
    // Informational: "Critical emails only" keeps only emails that ask the recipient to act.
    actionable: false,
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
  extensionDeniedNotice: {
    priority: 45,
    actionable: false,
    summary: 'Your extension or renewal request was denied',
  },
  extendedNotice: {
    priority: 44,
    actionable: false,
    summary: 'Your role assignment was extended',
  },
  renewedNotice: {
    priority: 43,
    actionable: false,
    summary: 'Your role assignment was renewed',
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
  expiredAlert: {
    priority: 27,
    actionable: false,
    summary: 'A role assignment expired (admins)',
  },
  extendWindowAlert: {
    priority: 26,
    actionable: false,
    summary: 'A role assignment can now be extended (admins)',
  },
  extendedAlert: {
    priority: 25,
    actionable: false,
    summary: 'A role assignment was extended (the other admins)',
  },
  renewalAlert: {
    priority: 24,
    actionable: false,
    summary: 'A role assignment was renewed (the other admins)',
  },
  extensionDeniedAlert: {
    priority: 22,
    actionable: false,
    summary: 'An extension or renewal request was denied (the other admins)',
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
  ...GROUP_NOTIFICATIONS,
} as const satisfies Record<string, { priority: number; actionable: boolean; summary: string }>;

export type NotificationKind = keyof typeof NOTIFICATIONS;
export const NOTIFICATION_KINDS = Object.keys(NOTIFICATIONS) as NotificationKind[];
