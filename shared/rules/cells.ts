/**
 * The recipient matrix (contracts/recipients.md) as data: one Cell per (event type, scope
 * kind, audience). This table is the single source of truth: decideRecipients() reads it,
 * and docs/recipients.md is generated from it (npm run docs; a test fails on drift).
 */
import { DIRECTORY_ADMIN_ROLES, type DirectoryAdminRole } from '../directory/roleDirectory.js';
import type { PimEventType } from '../events/schema.js';
import type { NotificationKind } from './notifications.js';
import type { Caller, RecipientType, RuleLevel } from './policy.js';

export type ScopeKind = 'directory' | 'azureResource';

/** Directory admin roles by short name; Azure "admins" are always Owner + User Access Administrator. */

export type Audience =
  /** Admin-role holders: the directory roles in `adminRoles`, or the Azure scope's Owners and UAAs. */
  | { kind: 'admins'; adminRoles?: DirectoryAdminRole[] }
  /** Approvers configured on the role; when none, `fallbackAdminRoles` (directory) stand in. */
  | { kind: 'approvers'; fallbackAdminRoles?: DirectoryAdminRole[]; excludeActor?: boolean }
  /** The principal (assignee or requester); a group stands for its members. */
  | { kind: 'principal' };

export interface Cell {
  event: PimEventType;
  scope: ScopeKind;
  audience: Audience;
  notification: NotificationKind;
  /**
   * The notification rule that governs the cell. `level: 'assignment'` means Eligibility or
   * Assignment after the event's assignment.state. null = not governed by role settings.
   */
  rule: { recipient: RecipientType; caller: Caller; level: RuleLevel | 'assignment' } | null;
  /** Why the cell exists, when the contract alone does not say. */
  note?: string;
}

const ALL_ADMINS = Object.keys(DIRECTORY_ADMIN_ROLES) as DirectoryAdminRole[];

const activationApprover = { recipient: 'Approver', caller: 'EndUser', level: 'Assignment' } as const;
const activationAdmin = { recipient: 'Admin', caller: 'EndUser', level: 'Assignment' } as const;
const activationRequestor = { recipient: 'Requestor', caller: 'EndUser', level: 'Assignment' } as const;
const assignmentAdmin = { recipient: 'Admin', caller: 'Admin', level: 'assignment' } as const;
const assignmentRequestor = { recipient: 'Requestor', caller: 'Admin', level: 'assignment' } as const;
const assignmentApprover = { recipient: 'Approver', caller: 'Admin', level: 'assignment' } as const;

function both(cell: Omit<Cell, 'scope'>, directoryAudience?: Audience): Cell[] {
  return [
    { ...cell, scope: 'directory', audience: directoryAudience ?? cell.audience },
    { ...cell, scope: 'azureResource' },
  ];
}

export const CELLS: Cell[] = [
  // An activation waits for approval.
  {
    event: 'activationPendingApproval', scope: 'directory', notification: 'approvalRequest', rule: activationApprover,
    audience: { kind: 'approvers', fallbackAdminRoles: ['PRA'] },
    note: 'Privileged Role Administrators approve when the role names no approvers.',
  },
  { event: 'activationPendingApproval', scope: 'azureResource', notification: 'approvalRequest', rule: activationApprover, audience: { kind: 'approvers' } },
  { event: 'activationPendingApproval', scope: 'azureResource', notification: 'approvalRequest', rule: activationApprover, audience: { kind: 'admins' } },

  // An activation completed.
  ...both({ event: 'activationCompleted', notification: 'activationAlert', rule: activationAdmin, audience: { kind: 'admins' } }, { kind: 'admins', adminRoles: ALL_ADMINS }),
  ...both({ event: 'activationCompleted', notification: 'activationNotice', rule: activationRequestor, audience: { kind: 'principal' } }),

  // The outcome of an activation request (this project's addition: the requester hears back,
  // and the other approvers learn that someone already acted).
  ...(['activationApproved', 'activationDenied'] as const).flatMap((event) => [
    ...both({ event, notification: 'requestDecision', rule: activationRequestor, audience: { kind: 'principal' } }),
    {
      event, scope: 'directory' as const, notification: 'requestDecisionAlert' as const, rule: activationApprover,
      audience: { kind: 'approvers' as const, fallbackAdminRoles: ['PRA' as const], excludeActor: true },
    },
    { event, scope: 'azureResource' as const, notification: 'requestDecisionAlert' as const, rule: activationApprover, audience: { kind: 'approvers' as const, excludeActor: true } },
    { event, scope: 'azureResource' as const, notification: 'requestDecisionAlert' as const, rule: activationApprover, audience: { kind: 'admins' as const } },
  ]),
  { event: 'activationCanceled', scope: 'directory', notification: 'requestCanceledAlert', rule: activationApprover, audience: { kind: 'approvers', fallbackAdminRoles: ['PRA'] } },
  { event: 'activationCanceled', scope: 'azureResource', notification: 'requestCanceledAlert', rule: activationApprover, audience: { kind: 'approvers' } },
  { event: 'activationCanceled', scope: 'azureResource', notification: 'requestCanceledAlert', rule: activationApprover, audience: { kind: 'admins' } },

  // From the requests source: reminders while a request waits, and its expiry without a decision.
  { event: 'approvalReminder', scope: 'directory', notification: 'approvalReminder', rule: activationApprover, audience: { kind: 'approvers', fallbackAdminRoles: ['PRA'] } },
  { event: 'approvalReminder', scope: 'azureResource', notification: 'approvalReminder', rule: activationApprover, audience: { kind: 'approvers' } },
  ...both({ event: 'requestExpired', notification: 'requestExpiredNotice', rule: activationRequestor, audience: { kind: 'principal' } }),
  { event: 'requestExpired', scope: 'directory', notification: 'requestExpiredAlert', rule: activationApprover, audience: { kind: 'approvers', fallbackAdminRoles: ['PRA'] } },
  { event: 'requestExpired', scope: 'azureResource', notification: 'requestExpiredAlert', rule: activationApprover, audience: { kind: 'approvers' } },

  // PIM enabled: tenant-wide, not governed by any role's settings.
  { event: 'pimEnabled', scope: 'directory', notification: 'pimEnabled', rule: null, audience: { kind: 'admins', adminRoles: ALL_ADMINS } },

  // Assignments made by an administrator.
  ...(['roleAssigned', 'roleMadePermanent'] as const).flatMap((event) => [
    ...both({ event, notification: 'assignmentAlert', rule: assignmentAdmin, audience: { kind: 'admins' } }, { kind: 'admins', adminRoles: ALL_ADMINS }),
    ...both({ event, notification: 'assignmentNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ]),
  ...both(
    {
      event: 'roleAssignedOutsidePim', notification: 'outsidePimAlert', rule: null, audience: { kind: 'admins' },
      note: 'PIM\'s "Roles are being assigned outside of PIM" alert: a security alert, not a role setting.',
    },
    { kind: 'admins', adminRoles: ALL_ADMINS },
  ),

  // Extension and renewal requests wait for approval.
  {
    event: 'assignmentPendingApproval', scope: 'directory', notification: 'extensionApprovalRequest', rule: assignmentApprover,
    audience: { kind: 'admins', adminRoles: ['PRA', 'GA'] },
    note: 'Only Global and Privileged Role Administrators can extend or renew directory role assignments.',
  },
  { event: 'assignmentPendingApproval', scope: 'azureResource', notification: 'extensionApprovalRequest', rule: assignmentApprover, audience: { kind: 'admins' } },
  { event: 'assignmentPendingApproval', scope: 'azureResource', notification: 'extensionApprovalRequest', rule: assignmentApprover, audience: { kind: 'approvers' } },

  // Expiry and extension milestones.
  ...both({ event: 'roleExpiringSoon', notification: 'expiryAlert', rule: assignmentAdmin, audience: { kind: 'admins' } }, { kind: 'admins', adminRoles: ALL_ADMINS }),
  ...both({ event: 'roleExpiringSoon', notification: 'expiryReminder', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both({ event: 'roleEligibleToExtend', notification: 'extendWindowAlert', rule: assignmentAdmin, audience: { kind: 'admins' } }, { kind: 'admins', adminRoles: ALL_ADMINS }),
  ...both({ event: 'roleEligibleToExtend', notification: 'extendWindowNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both({ event: 'roleRenewed', notification: 'renewalAlert', rule: assignmentAdmin, audience: { kind: 'admins' } }, { kind: 'admins', adminRoles: ALL_ADMINS }),
  ...both({ event: 'roleExtended', notification: 'extendedNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
  ...both({ event: 'roleExpired', notification: 'expiredNotice', rule: assignmentRequestor, audience: { kind: 'principal' } }),
];

export function cellsFor(event: PimEventType, scope: ScopeKind): Cell[] {
  return CELLS.filter((c) => c.event === event && c.scope === scope);
}
