/**
 * The built-in templates of PIM for Groups' kinds, in PIM's words for groups: "PIM: Joni
 * Sherman was made an eligible member of the group SOC Tier 2". `roleName` is the access as
 * PIM names it (Member, Owner); `group.*` is the wording of groupView.ts.
 */
import type { GroupNotificationKind } from '../../rules/groupNotifications.js';
import { simple, type TemplateSource } from './parts.js';

const ACCESS = '{{group.access}} access to {{group.groupPhrase}}';
/** The end of an extended or renewed assignment: " no longer expires" or " lasts until Fri 1 Jan 2027". */
const LASTS = '{{#if permanent}} no longer expires{{else}} lasts{{untilPhrase}}{{/if}}';
const NEW_END = '{{#if permanent}} and no longer expires{{else}}{{untilPhrase}}{{/if}}';

export const GROUP_NOTIFICATION_TEMPLATES: Record<GroupNotificationKind, TemplateSource> = {
  groupApprovalRequest: simple(
    'PIM: {{principalName}} requests approval to activate {{group.access}} access to the group {{scopeName}}',
    `{{principalName}} asked to activate their ${ACCESS} and you are an approver. Review the request and approve or deny it; the first approver to respond decides, and the request expires after 24 hours.`,
  ),
  groupExtensionApprovalRequest: simple(
    'PIM: {{principalName}} requests approval to {{extendOrRenew}} their {{group.access}} access to the group {{scopeName}}',
    '{{principalName}} asked to {{extendOrRenew}} their {{group.accessPhrase}}. Review the request and approve or deny it.',
  ),
  groupActivationAlert: simple(
    'PIM: {{principalName}} activated {{group.access}} access to the group {{scopeName}}',
    `{{principalName}} activated their ${ACCESS}{{untilPhrase}}. If you did not expect this activation, review it now.`,
  ),
  groupRequestDecision: simple(
    'PIM: Your request to activate {{group.access}} access to the group {{scopeName}} was {{decision}}',
    `Your request to activate ${ACCESS} was {{decision}}{{#if actorName}} by {{actorName}}{{/if}}.{{#if isApproved}} The access is yours{{untilPhrase}}.{{/if}}`,
  ),
  groupExpiryReminder: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} expires {{inDays}}',
    'Your {{group.accessPhrase}} ends on {{endDateTime}}. If you still need it, request an extension before then.',
  ),
  groupExtendWindowNotice: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} can now be extended',
    'Your {{group.accessPhrase}} ends on {{endDateTime}}. You can now ask to extend it.',
  ),
  groupExpiredNotice: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} has expired',
    'Your {{group.accessPhrase}} ended on {{endDateTime}}. You can ask to renew it within 30 days.',
  ),
  groupExtendedNotice: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} was extended{{untilPhrase}}',
    `{{#if byRequest}}Your request to extend your {{group.accessPhrase}} was approved{{#if actorName}} by {{actorName}}{{/if}}: it${LASTS}{{else}}Your {{group.accessPhrase}} was extended{{#if actorName}} by {{actorName}}{{/if}}${NEW_END}{{/if}}.`,
  ),
  groupRenewedNotice: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} was renewed{{untilPhrase}}',
    `{{#if byRequest}}Your request to renew your {{group.accessPhrase}} was approved{{#if actorName}} by {{actorName}}{{/if}}: it${LASTS}{{else}}Your {{group.accessPhrase}} was renewed{{#if actorName}} by {{actorName}}{{/if}}${NEW_END}{{/if}}.`,
  ),
  groupExtensionDeniedNotice: simple(
    'PIM: Your request to {{extendOrRenew}} your {{group.access}} access to the group {{scopeName}} was denied',
    'Your request to {{extendOrRenew}} your {{group.accessPhrase}} was denied{{#if actorName}} by {{actorName}}{{/if}}.',
  ),
  groupAssignmentNotice: simple(
    'PIM: You were {{group.assignedPhrase}}',
    'You were {{group.assignedPhrase}}{{#if actorName}} by {{actorName}}{{/if}}.{{#if eligible}} Activate it in PIM when you need it.{{/if}}',
  ),
  groupActivationNotice: simple(
    'PIM: Your {{group.access}} access to the group {{scopeName}} is active{{untilPhrase}}',
    `Your activation of ${ACCESS} completed. It is active{{untilPhrase}}.`,
  ),
  groupAssignmentAlert: simple(
    'PIM: {{principalName}} was {{group.assignedPhrase}}',
    '{{principalName}} was {{group.assignedPhrase}}{{#if actorName}} by {{actorName}}{{/if}}. You receive this as an owner of the group.',
  ),
  groupExpiryAlert: simple(
    "PIM: {{principalName}}'s {{group.access}} access to the group {{scopeName}} expires {{inDays}}",
    'The {{group.accessPhrase}} of {{principalName}} ends on {{endDateTime}}.',
  ),
  groupExtendWindowAlert: simple(
    "PIM: {{principalName}}'s {{group.access}} access to the group {{scopeName}} can now be extended",
    'The {{group.accessPhrase}} of {{principalName}} ends on {{endDateTime}}, and they can now ask to extend it.',
  ),
  groupPendingApprovalAlert: simple(
    "PIM: {{principalName}}'s request to activate {{group.access}} access to the group {{scopeName}} awaits its approvers",
    `{{principalName}} asked to activate their ${ACCESS}. The group's approvers were asked to approve or deny it; no action is needed from you. You receive this as an owner of the group.`,
  ),
  groupExpiredAlert: simple(
    "PIM: {{principalName}}'s {{group.access}} access to the group {{scopeName}} has expired",
    "{{principalName}}'s {{group.accessPhrase}} ended on {{endDateTime}}. It can be renewed within 30 days.",
  ),
  groupExtendedAlert: simple(
    "PIM: {{principalName}}'s {{group.access}} access to the group {{scopeName}} was extended",
    `{{#if byRequest}}{{actorOrAdministrator}} approved the request of {{principalName}} to extend their {{group.accessPhrase}}: it${LASTS}{{else}}{{principalName}}'s {{group.accessPhrase}} was extended{{#if actorName}} by {{actorName}}{{/if}}${NEW_END}{{/if}}. No action is needed from you.`,
  ),
  groupRenewalAlert: simple(
    "PIM: {{principalName}}'s {{group.access}} access to the group {{scopeName}} was renewed",
    `{{#if byRequest}}{{actorOrAdministrator}} approved the request of {{principalName}} to renew their {{group.accessPhrase}}: it${LASTS}{{else}}{{principalName}}'s {{group.accessPhrase}} was renewed{{#if actorName}} by {{actorName}}{{/if}}${NEW_END}{{/if}}. No action is needed from you.`,
  ),
  groupExtensionDeniedAlert: simple(
    "PIM: {{actorOrAdministrator}} denied {{principalName}}'s request to {{extendOrRenew}} {{group.access}} access to the group {{scopeName}}",
    '{{actorOrAdministrator}} denied the request of {{principalName}} to {{extendOrRenew}} their {{group.accessPhrase}}. No action is needed from you.',
  ),
  groupRequestDecisionAlert: simple(
    "PIM: {{actorOrSomeone}} {{decision}} {{principalName}}'s request to activate {{group.access}} access to the group {{scopeName}}",
    `{{actorOrSomeone}} {{decision}} the request of {{principalName}} to activate ${ACCESS}. No action is needed from you.`,
  ),
  groupRequestCanceledAlert: simple(
    'PIM: {{principalName}} canceled the request to activate {{group.access}} access to the group {{scopeName}}',
    `{{principalName}} canceled their request to activate ${ACCESS}. No action is needed from you.`,
  ),
};
