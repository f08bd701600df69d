/**
 * The recipient matrix's entries for PIM for Groups (scope kind `group`), merged into
 * RECIPIENT_MATRIX by matrix.ts. Microsoft mails about a group's member or owner access:
 * - its **permanent owners** only, as its administrators (audience `admins`): an assignment or
 *   activation pending approval, assigned, soon to expire, eligible to extend, renewed, an
 *   activation completed (pim-email-notifications); the extend and renew requests, which only
 *   administrators resolve, and their outcome, an administrator's own extension and the expiry
 *   itself (groups-renew-extend);
 * - the **end user**: assigned, expiring, extendable, expired, extended or renewed, activation
 *   completed, and the outcome of their requests;
 * - the **approvers** of the group's policy for that access, for activations only. PIM for
 *   Groups has no default approvers (groups-role-settings: "There are no default approvers"),
 *   and "Resource administrators aren't notified of pending requests unless they're an
 *   approver" (groups-approval-workflow): an owner who is not an approver is never asked to
 *   approve an activation; the email page's "pending approval" email to owners is sent as an
 *   informational alert.
 * The governing rules are the group's own nine notification rules, per access (member/owner).
 * Nobody hears about their own action (recipients.ts): the owner who extended, approved or
 * denied is left out of "the other owners".
 */
import type { MatrixEntry } from './matrixEntry.js';
import {
  activationAdmin,
  activationApprover,
  activationRequestor,
  assignmentAdmin,
  assignmentApprover,
  assignmentRequestor,
} from './governingRules.js';

const owners = { kind: 'admins' } as const;
const approvers = { kind: 'approvers' } as const;
const principal = { kind: 'principal' } as const;

type GroupEntry = Omit<MatrixEntry, 'scope'>;

const entries: GroupEntry[] = [
  {
    event: 'activationPendingApproval',
    notification: 'groupApprovalRequest',
    rule: activationApprover,
    audience: approvers,
    note: 'PIM for Groups has no default approvers: a request no approver can get is reported.',
  },
  {
    event: 'activationPendingApproval',
    notification: 'groupPendingApprovalAlert',
    rule: activationAdmin,
    audience: owners,
    note: 'Owners are told a request is pending, never asked to approve it unless they are approvers.',
  },

  { event: 'activationCompleted', notification: 'groupActivationAlert', rule: activationAdmin, audience: owners },
  { event: 'activationCompleted', notification: 'groupActivationNotice', rule: activationRequestor, audience: principal },

  ...(['activationApproved', 'activationDenied'] as const).flatMap((event): GroupEntry[] => [
    { event, notification: 'groupRequestDecision', rule: activationRequestor, audience: principal },
    { event, notification: 'groupRequestDecisionAlert', rule: activationApprover, audience: { kind: 'approvers' } },
    { event, notification: 'groupRequestDecisionAlert', rule: activationApprover, audience: owners },
  ]),
  { event: 'activationCanceled', notification: 'groupRequestCanceledAlert', rule: activationApprover, audience: approvers },
  { event: 'activationCanceled', notification: 'groupRequestCanceledAlert', rule: activationApprover, audience: owners },

  ...(['roleAssigned', 'roleMadePermanent'] as const).flatMap((event): GroupEntry[] => [
    { event, notification: 'groupAssignmentAlert', rule: assignmentAdmin, audience: owners },
    { event, notification: 'groupAssignmentNotice', rule: assignmentRequestor, audience: principal },
  ]),

  {
    event: 'assignmentPendingApproval',
    notification: 'groupExtensionApprovalRequest',
    rule: assignmentApprover,
    audience: owners,
    note: "Only administrators extend or renew: the group's owners approve, the activation approvers are not asked.",
  },

  { event: 'roleExpiringSoon', notification: 'groupExpiryAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleExpiringSoon', notification: 'groupExpiryReminder', rule: assignmentRequestor, audience: principal },
  { event: 'roleEligibleToExtend', notification: 'groupExtendWindowAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleEligibleToExtend', notification: 'groupExtendWindowNotice', rule: assignmentRequestor, audience: principal },

  // The outcome of an extend or renew request (all administrators and the requester), or an
  // administrator's own extension or renewal (the other administrators and the user).
  { event: 'roleRenewed', notification: 'groupRenewalAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleRenewed', notification: 'groupRenewedNotice', rule: assignmentRequestor, audience: principal },
  { event: 'roleExtended', notification: 'groupExtendedAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleExtended', notification: 'groupExtendedNotice', rule: assignmentRequestor, audience: principal },
  { event: 'assignmentRequestDenied', notification: 'groupExtensionDeniedAlert', rule: assignmentAdmin, audience: owners },
  { event: 'assignmentRequestDenied', notification: 'groupExtensionDeniedNotice', rule: assignmentRequestor, audience: principal },

  {
    event: 'roleExpired',
    notification: 'groupExpiredAlert',
    rule: assignmentAdmin,
    audience: owners,
    note: 'PIM mails administrators and the affected user "when an assignment expires".',
  },
  { event: 'roleExpired', notification: 'groupExpiredNotice', rule: assignmentRequestor, audience: principal },
];

export const GROUP_MATRIX: MatrixEntry[] = entries.map((e) => ({ ...e, scope: 'group' }));
