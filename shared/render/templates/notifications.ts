/**
 * The built-in template of each per-event notification kind: subject, HTML body and text
 * body, Handlebars sources over the view that notificationView.ts builds (its fields are
 * listed in NotificationView). The HTML and text bodies fill the shared layout.
 *
 * Subjects follow the seed's style ("PIM: Alain Charon was permanently assigned the Backup
 * Reader role"): who, what happened, which role. Subjects are plain text (not HTML-escaped)
 * and have their control characters collapsed after rendering.
 */
import type { NotificationKind } from '../../rules/notifications.js';
import type { GroupNotificationKind } from '../../rules/groupNotifications.js';
import type { RequestTemplateKind } from './requests.js';
import { ROLE, simple, type TemplateSource } from './parts.js';

export { ROLE, simple, type TemplateSource } from './parts.js';

/** The role kinds' templates; PIM for Groups' are in groupNotifications.ts, the requests source's in requests.ts. */
export const NOTIFICATION_TEMPLATES: Record<
  Exclude<NotificationKind, 'weeklyDigest' | GroupNotificationKind | RequestTemplateKind>,
  TemplateSource
> = {
  approvalRequest: simple(
    'PIM: {{principalName}} requests approval to activate the {{roleName}} role',
    `{{principalName}} asked to activate ${ROLE} and you are an approver. Review the request and approve or deny it; the first approver to respond decides, and the request expires after 24 hours.`,
  ),
  extensionApprovalRequest: simple(
    'PIM: {{principalName}} requests approval to {{extendOrRenew}} the {{roleName}} role',
    `{{principalName}} asked to {{extendOrRenew}} their {{assignmentWord}} to ${ROLE}. Review the request and approve or deny it.`,
  ),
  outsidePimAlert: simple(
    'PIM: {{principalName}} was assigned the {{roleName}} role outside PIM',
    `{{principalName}} was given a permanent assignment to ${ROLE} directly, outside Privileged Identity Management, so it has no approval, no justification and no end date. If it was not intended, remove it or convert it to an eligible assignment in PIM.`,
  ),
  pendingApprovalAlert: simple(
    'PIM: {{principalName}} requests approval to activate the {{roleName}} role',
    `{{principalName}} asked to activate ${ROLE}. The role's approvers were asked to approve or deny it; no action is needed from you.`,
  ),
  activationAlert: simple(
    'PIM: {{principalName}} activated the {{roleName}} role',
    `{{principalName}} activated ${ROLE}{{untilPhrase}}. If you did not expect this activation, review it now.`,
  ),
  pimEnabled: simple(
    'PIM: Privileged Identity Management was enabled in {{tenantName}}',
    'Privileged Identity Management was enabled for {{tenantName}}{{#if actorName}} by {{actorName}}{{/if}}. From now on you will be told about role assignments and activations in this organization, and receive a weekly digest.',
  ),
  requestDecision: simple(
    'PIM: Your request to activate the {{roleName}} role was {{decision}}',
    `Your request to activate ${ROLE} was {{decision}}{{#if actorName}} by {{actorName}}{{/if}}.{{#if isApproved}} The role is yours{{untilPhrase}}.{{/if}}`,
  ),
  expiryReminder: simple(
    'PIM: Your {{roleName}} role expires {{inDays}}',
    `Your {{assignmentWord}} to ${ROLE} ends on {{endDateTime}}. If you still need it, you can now ask to extend it; do so before then.`,
  ),
  extendWindowNotice: simple(
    'PIM: Your {{roleName}} role can now be extended',
    `Your {{assignmentWord}} to ${ROLE} ends on {{endDateTime}}. You can now ask to extend it.`,
  ),
  expiredNotice: simple(
    'PIM: Your {{roleName}} role has expired',
    `Your {{assignmentWord}} to ${ROLE} ended on {{endDateTime}}. You can ask to renew it within 30 days.`,
  ),
  extendedNotice: simple(
    'PIM: Your {{roleName}} role was extended{{untilPhrase}}',
    `{{#if byRequest}}Your request to extend your {{assignmentWord}} to ${ROLE} was approved{{#if actorName}} by {{actorName}}{{/if}}{{else}}Your {{assignmentWord}} to ${ROLE} was extended{{#if actorName}} by {{actorName}}{{/if}}{{/if}}{{#if permanent}}; it no longer expires{{else}}{{untilPhrase}}{{/if}}.`,
  ),
  extensionDeniedNotice: simple(
    'PIM: Your request to {{extendOrRenew}} the {{roleName}} role was denied',
    `Your request to {{extendOrRenew}} your {{assignmentWord}} to ${ROLE} was denied{{#if actorName}} by {{actorName}}{{/if}}.`,
  ),
  renewedNotice: simple(
    'PIM: Your {{roleName}} role was renewed{{untilPhrase}}',
    `{{#if byRequest}}Your request to renew your {{assignmentWord}} to ${ROLE} was approved{{#if actorName}} by {{actorName}}{{/if}}{{else}}Your {{assignmentWord}} to ${ROLE} was renewed{{#if actorName}} by {{actorName}}{{/if}}{{/if}}{{#if permanent}}; it no longer expires{{else}}{{untilPhrase}}{{/if}}.`,
  ),
  assignmentNotice: simple(
    'PIM: You were {{assignedPhrase}}',
    `You were {{assignedPhrase}}{{#if actorName}} by {{actorName}}{{/if}}.{{#if eligible}} Activate it in PIM when you need it.{{/if}}`,
  ),
  activationNotice: simple(
    'PIM: Your {{roleName}} role is active{{untilPhrase}}',
    `Your activation of ${ROLE} completed. The role is active{{untilPhrase}}.`,
  ),
  assignmentAlert: simple(
    'PIM: {{principalName}} was {{assignedPhrase}}',
    `{{principalName}} was {{assignedPhrase}}{{#if actorName}} by {{actorName}}{{/if}}.`,
  ),
  expiryAlert: simple(
    "PIM: {{principalName}}'s {{roleName}} role expires {{inDays}}",
    `The {{assignmentWord}} of {{principalName}} to ${ROLE} ends on {{endDateTime}}.`,
  ),
  extendWindowAlert: simple(
    "PIM: {{principalName}}'s {{roleName}} role can now be extended",
    `The {{assignmentWord}} of {{principalName}} to ${ROLE} ends on {{endDateTime}}, and they can now ask to extend it.`,
  ),
  extendedAlert: simple(
    "PIM: {{principalName}}'s {{roleName}} role was extended",
    `{{#if byRequest}}{{actorOrAdministrator}} approved the request of {{principalName}} to extend their {{assignmentWord}} to ${ROLE}{{else}}The {{assignmentWord}} of {{principalName}} to ${ROLE} was extended{{#if actorName}} by {{actorName}}{{/if}}{{/if}}{{#if permanent}}; it no longer expires{{else}}{{untilPhrase}}{{/if}}. No action is needed from you.`,
  ),
  extensionDeniedAlert: simple(
    "PIM: {{actorOrAdministrator}} denied {{principalName}}'s request to {{extendOrRenew}} the {{roleName}} role",
    `{{actorOrAdministrator}} denied the request of {{principalName}} to {{extendOrRenew}} their {{assignmentWord}} to ${ROLE}. No action is needed from you.`,
  ),
  renewalAlert: simple(
    "PIM: {{principalName}}'s {{roleName}} role was renewed",
    `{{#if byRequest}}{{actorOrAdministrator}} approved the request of {{principalName}} to renew their {{assignmentWord}} to ${ROLE}{{else}}The {{assignmentWord}} of {{principalName}} to ${ROLE} was renewed{{#if actorName}} by {{actorName}}{{/if}}{{/if}}{{#if permanent}}; it no longer expires{{else}}{{untilPhrase}}{{/if}}. No action is needed from you.`,
  ),
  expiredAlert: simple(
    "PIM: {{principalName}}'s {{roleName}} role has expired",
    `The {{assignmentWord}} of {{principalName}} to ${ROLE} ended on {{endDateTime}}. It can be renewed within 30 days.`,
  ),
  requestDecisionAlert: simple(
    "PIM: {{actorOrSomeone}} {{decision}} {{principalName}}'s request to activate the {{roleName}} role",
    `{{actorOrSomeone}} {{decision}} the request of {{principalName}} to activate ${ROLE}. No action is needed from you.`,
  ),
  requestCanceledAlert: simple(
    'PIM: {{principalName}} canceled the request to activate the {{roleName}} role',
    `{{principalName}} canceled their request to activate ${ROLE}. No action is needed from you.`,
  ),
};
