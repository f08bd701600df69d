/** One entry of the recipient matrix (matrix.ts, groupMatrix.ts): who gets which email for which event. */
import type { DirectoryAdminRole } from '../directory/roleDirectory.js';
import type { PimEventType } from '../events/schema.js';
import type { NotificationKind } from './notifications.js';
import type { Caller, RecipientType, RuleLevel } from './policy.js';

export type ScopeKind = 'directory' | 'azureResource' | 'group';

export type Audience =
  /** Admin-role holders: the directory roles in `adminRoles`, or the Azure scope's Owners and UAAs, as RECIPIENT_MODEL counts them. */
  | { kind: 'admins'; adminRoles?: DirectoryAdminRole[] }
  /**
   * Approvers configured on the role. `defaultApprovers`: the directory roles whose *active*
   * holders approve when the role names none, or when none of the named ones can be reached
   * (SET-ENTRA); absent = the scope kind has no default approvers (Azure resources).
   */
  | { kind: 'approvers'; defaultApprovers?: DirectoryAdminRole[] }
  /** The principal (assignee or requester); a group stands for its members. */
  | { kind: 'principal' };

export interface MatrixEntry {
  event: PimEventType;
  scope: ScopeKind;
  audience: Audience;
  notification: NotificationKind;
  /**
   * The notification rule that governs the entry. `level: 'assignment'` means Eligibility or
   * Assignment after the event's assignment.state. null = not governed by role settings.
   */
  rule: { recipient: RecipientType; caller: Caller; level: RuleLevel | 'assignment' } | null;
  /** Why the entry exists, when the contract alone does not say. */
  note?: string;
}
