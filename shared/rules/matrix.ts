/**
 * The recipient matrix (docs/recipients.md) as data: one MatrixEntry per (event type, scope
 * kind, audience). This table is the single source of truth: decideRecipients() reads it,
 * and docs/recipients.md is generated from it (npm run docs; a test fails on drift).
 */
import { DIRECTORY_ADMIN_ROLES, type DirectoryAdminRole } from '../directory/roleDirectory.js';
import type { PimEventType } from '../events/schema.js';
import type { Audience, MatrixEntry, ScopeKind } from './matrixEntry.js';
import { GROUP_MATRIX } from './groupMatrix.js';
import {
  activationAdmin,
  activationApprover,
  activationRequestor,
  assignmentAdmin,
  assignmentApprover,
  assignmentRequestor,
} from './governingRules.js';

export type { Audience, MatrixEntry, ScopeKind } from './matrixEntry.js';

const ALL_ADMINS = Object.keys(DIRECTORY_ADMIN_ROLES) as DirectoryAdminRole[];

function both(entry: Omit<MatrixEntry, 'scope'>, directoryAudience?: Audience): MatrixEntry[] {
  return [
    { ...entry, scope: 'directory', audience: directoryAudience ?? entry.audience },
    { ...entry, scope: 'azureResource' },
  ];
}

/** Entra roles: active Privileged Role and Global Administrators approve when a role names no approvers. */
export const DEFAULT_APPROVERS: DirectoryAdminRole[] = ['PRA', 'GA'];
/** Entra roles: only Global and Privileged Role Administrators can extend or renew assignments (RENEW). */
const EXTENDERS: DirectoryAdminRole[] = ['PRA', 'GA'];

export const RECIPIENT_MATRIX: MatrixEntry[] = [
  // An activation waits for approval.
  {
    event: 'activationPendingApproval',
    scope: 'directory',
    notification: 'approvalRequest',
    rule: activationApprover,
    audience: { kind: 'approvers', defaultApprovers: DEFAULT_APPROVERS },
    note: 'When the role names no approvers, or none of them can be reached, the active Privileged Role and Global Administrators approve.',
  },
  {
    event: 'activationPendingApproval',
    scope: 'azureResource',
    notification: 'approvalRequest',
    rule: activationApprover,
    audience: { kind: 'approvers' },
    note: 'Azure resource roles have no default approvers: a request no approver can get is reported.',
  },
  {
    event: 'activationPendingApproval',
    scope: 'azureResource',
    notification: 'pendingApprovalAlert',
    rule: activationAdmin,
    audience: { kind: 'admins' },
    note: 'PIM tells Owners and User Access Administrators a role assignment is pending approval; only approvers are asked to act.',
  },

  // An activation completed.
  ...both(
    { event: 'activationCompleted', notification: 'activationAlert', rule: activationAdmin, audience: { kind: 'admins' } },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),
  ...both({ event: 'activationCompleted', notification: 'activationNotice', rule: activationRequestor, audience: { kind: 'principal' } }),

  // The outcome of an activation request (this project's addition: the requester hears back,
  // and the other approvers learn that someone already acted).
  ...(['activationApproved', 'activationDenied'] as const).flatMap((event) => [
    ...both({ event, notification: 'requestDecision', rule: activationRequestor, audience: { kind: 'principal' } }),
    {
      event,
      scope: 'directory' as const,
      notification: 'requestDecisionAlert' as const,
      rule: activationApprover,
      audience: { kind: 'approvers' as const, defaultApprovers: DEFAULT_APPROVERS },
    },
    {
      event,
      scope: 'azureResource' as const,
      notification: 'requestDecisionAlert' as const,
      rule: activationApprover,
      audience: { kind: 'approvers' as const },
    },
    {
      event,
      scope: 'azureResource' as const,
      notification: 'requestDecisionAlert' as const,
      rule: activationApprover,
      audience: { kind: 'admins' as const },
    },
  ]),
  {
    event: 'activationCanceled',
    scope: 'directory',
    notification: 'requestCanceledAlert',
    rule: activationApprover,
    audience: { kind: 'approvers', defaultApprovers: DEFAULT_APPROVERS },
  },
  {
    event: 'activationCanceled',
    scope: 'azureResource',
    notification: 'requestCanceledAlert',
    rule: activationApprover,
    audience: { kind: 'approvers' },
  },
  {
    event: 'activationCanceled',
    scope: 'azureResource',
    notification: 'requestCanceledAlert',
    rule: activationApprover,
    audience: { kind: 'admins' },
  },

  // From the requests source: reminders while a request waits, and its expiry without a decision.
  {
    event: 'approvalReminder',
    scope: 'directory',
    notification: 'approvalReminder',
    rule: activationApprover,
    audience: { kind: 'approvers', defaultApprovers: DEFAULT_APPROVERS },
  },
  {
    event: 'approvalReminder',
    scope: 'azureResource',
    notification: 'approvalReminder',
    rule: activationApprover,
    audience: { kind: 'approvers' },
  },
  ...both({ event: 'requestExpired', notification: 'requestExpiredNotice', rule: activationRequestor, audience: { kind: 'principal' } }),
  {
    event: 'requestExpired',
    scope: 'directory',
    notification: 'requestExpiredAlert',
    rule: activationApprover,
    audience: { kind: 'approvers', defaultApprovers: DEFAULT_APPROVERS },
  },
  {
    event: 'requestExpired',
    scope: 'azureResource',
    notification: 'requestExpiredAlert',
    rule: activationApprover,
    audience: { kind: 'approvers' },
  },

  // PIM enabled: tenant-wide, not governed by any role's settings.
  { event: 'pimEnabled', scope: 'directory', notification: 'pimEnabled', rule: null, audience: { kind: 'admins', adminRoles: ALL_ADMINS } },

  // Assignments made by an administrator.
  ...(['roleAssigned', 'roleMadePermanent'] as const).flatMap((event) => [
    ...both(
      { event, notification: 'assignmentAlert', rule: assignmentAdmin, audience: { kind: 'admins' } },
      { kind: 'admins', adminRoles: ALL_ADMINS },
    ),
    ...both({ event, notification: 'assignmentNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ]),
  ...both(
    {
      event: 'roleAssignedOutsidePim',
      notification: 'outsidePimAlert',
      rule: null,
      audience: { kind: 'admins' },
      note: 'PIM\'s "Roles are being assigned outside of PIM" alert: a security alert, not a role setting.',
    },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),

  // Extension and renewal requests wait for approval: the administrators who can extend approve them (RENEW).
  {
    event: 'assignmentPendingApproval',
    scope: 'directory',
    notification: 'extensionApprovalRequest',
    rule: assignmentApprover,
    audience: { kind: 'admins', adminRoles: EXTENDERS },
    note: 'Only Global and Privileged Role Administrators can extend or renew directory role assignments.',
  },
  {
    event: 'assignmentPendingApproval',
    scope: 'azureResource',
    notification: 'extensionApprovalRequest',
    rule: assignmentApprover,
    audience: { kind: 'admins' },
    note: "The resource's administrators approve extensions and renewals; the role's activation approvers do not.",
  },

  // Expiry and extension milestones.
  ...both(
    { event: 'roleExpiringSoon', notification: 'expiryAlert', rule: assignmentAdmin, audience: { kind: 'admins' } },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),
  ...both({ event: 'roleExpiringSoon', notification: 'expiryReminder', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both(
    { event: 'roleEligibleToExtend', notification: 'extendWindowAlert', rule: assignmentAdmin, audience: { kind: 'admins' } },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),
  ...both({
    event: 'roleEligibleToExtend',
    notification: 'extendWindowNotice',
    rule: assignmentRequestor,
    audience: { kind: 'principal' },
  }),

  // Extension and renewal outcomes: the other administrators, then the requester (RENEW).
  ...both(
    { event: 'roleRenewed', notification: 'renewalAlert', rule: assignmentAdmin, audience: { kind: 'admins' } },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),
  ...both({ event: 'roleRenewed', notification: 'renewedNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both(
    {
      event: 'roleExtended',
      notification: 'extendedAlert',
      rule: assignmentAdmin,
      audience: { kind: 'admins' },
      note: 'An extension by an administrator needs no approval, but the other administrators are told.',
    },
    { kind: 'admins', adminRoles: EXTENDERS },
  ),
  ...both({ event: 'roleExtended', notification: 'extendedNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both(
    { event: 'assignmentRequestDenied', notification: 'extensionDeniedAlert', rule: assignmentAdmin, audience: { kind: 'admins' } },
    { kind: 'admins', adminRoles: EXTENDERS },
  ),
  ...both({
    event: 'assignmentRequestDenied',
    notification: 'extensionDeniedNotice',
    rule: assignmentRequestor,
    audience: { kind: 'principal' },
  }),
  ...both(
    {
      event: 'roleExpired',
      notification: 'expiredAlert',
      rule: assignmentAdmin,
      audience: { kind: 'admins' },
      note: 'PIM mails administrators and the affected user once more "when an assignment officially expires" (Microsoft\'s extend-and-renew pages).',
    },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),
  ...both({ event: 'roleExpired', notification: 'expiredNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),

  // PIM for Groups: membership and ownership of groups.
  ...GROUP_MATRIX,
];

export function matrixEntriesFor(event: PimEventType, scope: ScopeKind): MatrixEntry[] {
  return RECIPIENT_MATRIX.filter((c) => c.event === event && c.scope === scope);
}
