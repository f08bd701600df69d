/**
 * The recipient matrix's entries for PIM for Groups (scope kind `group`), merged into
 * RECIPIENT_MATRIX by matrix.ts. Microsoft mails about a group's member or owner access:
 * - its **permanent owners** only, as its administrators (audience `admins`): an assignment or
 *   activation pending approval, assigned, soon to expire, eligible to extend, renewed by an
 *   end user, an activation completed;
 * - the **end user**: assigned, expiring, extendable, expired, extended, activation completed;
 * - the **approvers** of the group's policy for that access: PIM for Groups has no default
 *   approvers, so a policy that names none has nobody to ask but the owners.
 * The governing rules are the group's own nine notification rules, per access (member/owner).
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
    note: 'PIM for Groups has no default approvers.',
  },
  { event: 'activationPendingApproval', notification: 'groupApprovalRequest', rule: activationApprover, audience: owners },

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

  { event: 'assignmentPendingApproval', notification: 'groupExtensionApprovalRequest', rule: assignmentApprover, audience: owners },
  { event: 'assignmentPendingApproval', notification: 'groupExtensionApprovalRequest', rule: assignmentApprover, audience: approvers },

  { event: 'roleExpiringSoon', notification: 'groupExpiryAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleExpiringSoon', notification: 'groupExpiryReminder', rule: assignmentRequestor, audience: principal },
  { event: 'roleEligibleToExtend', notification: 'groupExtendWindowAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleEligibleToExtend', notification: 'groupExtendWindowNotice', rule: assignmentRequestor, audience: principal },
  { event: 'roleRenewed', notification: 'groupRenewalAlert', rule: assignmentAdmin, audience: owners },
  { event: 'roleExtended', notification: 'groupExtendedNotice', rule: assignmentRequestor, audience: principal },
  { event: 'roleExpired', notification: 'groupExpiredNotice', rule: assignmentRequestor, audience: principal },
];

export const GROUP_MATRIX: MatrixEntry[] = entries.map((e) => ({ ...e, scope: 'group' }));
