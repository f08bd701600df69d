/**
 * PIM for Groups' wording for the email view: "made an eligible member of the group SOC Tier 2
 * until Fri 1 Jan 2027", "your eligible ownership of the group X", and the page each group
 * email links to. Pure; the group templates (templates/groupNotifications.ts) read it as
 * `group.*`.
 */
import type { PimEvent } from '../events/schema.js';
import type { GroupNotificationKind } from '../rules/groupNotifications.js';
import type { PortalPage } from './links.js';

export interface GroupWording {
  /** `member` or `owner`. */
  access: string;
  /** `membership` or `ownership`. */
  accessNoun: string;
  /** "the group SOC Tier 2". */
  groupPhrase: string;
  /** "made an eligible member of the group SOC Tier 2 until Fri 1 Jan 2027". */
  assignedPhrase: string;
  /** "eligible membership of the group SOC Tier 2" ("membership ..." when the event has no assignment). */
  accessPhrase: string;
}

export function groupWording(
  type: PimEvent['type'],
  accessId: 'member' | 'owner',
  groupName: string,
  /** undefined when the event carries no assignment (activation requests). */
  eligible: boolean | undefined,
  permanent: boolean,
  until: string,
): GroupWording {
  const accessNoun = accessId === 'member' ? 'membership' : 'ownership';
  const groupPhrase = `the group ${groupName}`;
  const made = (adjective: string) => `made ${/^[aeiou]/.test(adjective) ? 'an' : 'a'} ${adjective} ${accessId} of ${groupPhrase}`;
  let assignedPhrase: string;
  if (type === 'roleMadePermanent' || permanent) assignedPhrase = made(eligible ? 'permanently eligible' : 'permanent');
  else assignedPhrase = `${made(eligible ? 'eligible' : 'active')}${until}`;
  const state = eligible === undefined ? '' : eligible ? 'eligible ' : 'active ';
  return { access: accessId, accessNoun, groupPhrase, assignedPhrase, accessPhrase: `${state}${accessNoun} of ${groupPhrase}` };
}

export const GROUP_ACTIONS: Record<GroupNotificationKind, { page: PortalPage; label: string }> = {
  groupApprovalRequest: { page: 'approveRequests', label: 'Approve or deny the request' },
  groupExtensionApprovalRequest: { page: 'approveRequests', label: 'Approve or deny the request' },
  groupActivationAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupRequestDecision: { page: 'myRoles', label: 'Open my groups' },
  groupExpiryReminder: { page: 'myRoles', label: 'Extend my access' },
  groupExtendWindowNotice: { page: 'myRoles', label: 'Extend my access' },
  groupExpiredNotice: { page: 'myRoles', label: 'Renew my access' },
  groupExtendedNotice: { page: 'myRoles', label: 'Open my groups' },
  groupAssignmentNotice: { page: 'myRoles', label: 'Open my groups' },
  groupActivationNotice: { page: 'myRoles', label: 'Open my groups' },
  groupAssignmentAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupExpiryAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupExtendWindowAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupRenewalAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupPendingApprovalAlert: { page: 'approveRequests', label: 'Open approve requests' },
  groupExtendedAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupRenewedNotice: { page: 'myRoles', label: 'Open my groups' },
  groupExtensionDeniedNotice: { page: 'myRoles', label: 'Open my groups' },
  groupExtensionDeniedAlert: { page: 'approveRequests', label: 'Open approve requests' },
  groupExpiredAlert: { page: 'assignments', label: "Review the group's assignments" },
  groupRequestDecisionAlert: { page: 'approveRequests', label: 'Open approve requests' },
  groupRequestCanceledAlert: { page: 'approveRequests', label: 'Open approve requests' },
};
