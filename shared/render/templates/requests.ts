/**
 * Templates of the approval loop the requests source closes: a reminder to approvers while a
 * request waits, and the notices when it expires without a decision. Same view and layout as
 * the other per-event templates (notifications.ts).
 */
import { ROLE, simple, type TemplateSource } from './parts.js';

export type RequestTemplateKind = 'approvalReminder' | 'requestExpiredNotice' | 'requestExpiredAlert';

export const REQUEST_TEMPLATES: Record<RequestTemplateKind, TemplateSource> = {
  approvalReminder: simple(
    'PIM: Reminder: {{principalName}} still waits for approval to activate the {{roleName}} role',
    `{{principalName}} asked to activate ${ROLE} on {{requestedAt}} and no approver has decided yet. Review the request and approve or deny it before it expires on {{expiresAt}}.`,
  ),
  requestExpiredNotice: simple(
    'PIM: Your request to activate the {{roleName}} role expired without a decision',
    `No approver decided on your request to activate ${ROLE} in time, so it expired. If you still need the role, request it again.`,
  ),
  requestExpiredAlert: simple(
    "PIM: {{principalName}}'s request to activate the {{roleName}} role expired without a decision",
    `The request of {{principalName}} to activate ${ROLE} expired because no approver decided in time. No action is needed; {{principalName}} can request it again.`,
  ),
};
