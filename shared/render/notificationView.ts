/**
 * From a NotificationModel to the view the per-event templates see: untrusted names made
 * single-line, the wording decided from the event (permanent or time-bound, eligible or
 * active, days left, the request's outcome), the facts table and the portal link. Pure.
 */
import type { PimEvent } from '../events/schema.js';
import type { NotificationKind } from '../rules/notifications.js';
import { daysBetween, defang, formatDateTime, formatWhen, inDays, requesterText, singleLine } from './format.js';
import { groupPortalLink, portalLink, type PortalPage } from './links.js';
import { GROUP_ACTIONS, groupWording, type GroupWording } from './groupView.js';
import { approvalExpiry } from '../time/approvalWindow.js';

export type EventNotificationKind = Exclude<NotificationKind, 'weeklyDigest'>;

export interface NotificationModel {
  notification: EventNotificationKind;
  event: PimEvent;
  tenantName: string;
  roleName: string;
  principalName: string;
  actorName?: string;
  scopeName: string;
  recipientName?: string;
  /** Why this person gets it, one sentence (the footer). */
  reason: string;
}

export interface Fact {
  label: string;
  value: string;
  /** Keeps line breaks (rendered as <br> in HTML). */
  multiline?: boolean;
}

export interface Action {
  url: string;
  label: string;
}

/** What a notification template can use. Strings are clean of control characters. */
export interface NotificationView {
  tenantName: string;
  roleName: string;
  principalName: string;
  actorName?: string;
  /** actorName, or "An approver" when the event does not say who acted. */
  actorOrSomeone: string;
  /** actorName, or "An administrator" (who resolves extend and renew requests) when the event does not say. */
  actorOrAdministrator: string;
  scopeName: string;
  recipientName?: string;
  reason: string;
  isAzureResource: boolean;
  /** "Microsoft Entra role" or "Azure resource role". */
  roleKind: string;
  eligible: boolean;
  permanent: boolean;
  /** "eligible assignment", "active assignment", or "assignment" when the event has none. */
  assignmentWord: string;
  /** e.g. "permanently assigned the Backup Reader role", "made eligible for the X role until Fri 1 Jan 2027". */
  assignedPhrase: string;
  /** " until Fri 1 Jan 2027" for a time-bound assignment, "" otherwise (note the leading space). */
  untilPhrase: string;
  /** The end as "Fri 1 Jan 2027 00:00 UTC", "" when there is none. */
  endDateTime: string;
  /** "in 14 days", "in 1 day", "today"; "soon" when the end is unknown. */
  inDays: string;
  daysLeft?: number;
  decision: 'approved' | 'denied' | 'canceled' | 'updated';
  isApproved: boolean;
  extendOrRenew: 'extend' | 'renew';
  /**
   * An extension or renewal that was the user's request, approved or denied by an administrator
   * (request.action selfExtend / selfRenew), rather than an administrator's own.
   */
  byRequest: boolean;
  occurredAt: string;
  justification?: string;
  ticket?: string;
  requestId?: string;
  /** When the request was made, and when it expires undecided (reminders). */
  requestedAt: string;
  expiresAt: string;
  facts: Fact[];
  action: Action;
  /** PIM for Groups: set when the event's scope is a group (wording in groupView.ts). */
  group?: GroupWording;
}

const REQUEST_TYPES = new Set<string>([
  'activationPendingApproval',
  'assignmentPendingApproval',
  'activationApproved',
  'activationDenied',
  'activationCanceled',
  'assignmentRequestDenied',
  'requestExpired',
  'approvalReminder',
]);

export function notificationView(model: NotificationModel, portalBaseUrl: string): NotificationView {
  const { event } = model;
  const role = 'role' in event ? event.role : undefined;
  const principal = 'principal' in event ? event.principal : undefined;
  const assignment = 'assignment' in event ? event.assignment : undefined;
  const isAzureResource = event.scope.kind === 'azureResource';

  // Names from the model (the directory's), never the event's own displayName fields.
  const roleName = clean(model.roleName) || role?.id || 'unnamed';
  const principalName = clean(model.principalName) || principal?.id || 'A user';
  const actorName = clean(model.actorName) || undefined;
  const tenantName = clean(model.tenantName) || event.tenantId;
  const scopeName = clean(model.scopeName) || event.scope.id;

  const eligible = assignment?.state === 'eligible';
  const permanent = assignment?.permanent ?? false;
  const end = assignment?.endDateTime;
  const untilPhrase = assignment && !permanent && end ? ` until ${formatWhen(end)}` : '';
  const daysLeft = end ? daysBetween(event.occurredAt, end) : undefined;
  const decision = decisionOf(event.type);
  const action = event.request?.action;
  const byRequest = action === 'selfExtend' || action === 'selfRenew';

  const view: NotificationView = {
    tenantName,
    roleName,
    principalName,
    actorName,
    actorOrSomeone: actorName ?? 'An approver',
    actorOrAdministrator: actorName ?? 'An administrator',
    scopeName,
    recipientName: clean(model.recipientName) || undefined,
    reason: clean(model.reason),
    isAzureResource,
    roleKind: isAzureResource ? 'Azure resource role' : 'Microsoft Entra role',
    eligible,
    permanent,
    assignmentWord: assignment ? `${assignment.state} assignment` : 'assignment',
    assignedPhrase: assignedPhrase(event.type, roleName, eligible, permanent, untilPhrase),
    untilPhrase,
    endDateTime: end ? formatDateTime(end) : '',
    inDays: daysLeft === undefined ? 'soon' : inDays(daysLeft),
    daysLeft,
    decision,
    isApproved: decision === 'approved',
    // What the request says; without it, a request about an assignment already over is a renewal.
    extendOrRenew:
      action === 'selfRenew' || action === 'adminRenew'
        ? 'renew'
        : action === 'selfExtend' || action === 'adminExtend'
          ? 'extend'
          : end && Date.parse(end) <= Date.parse(event.occurredAt)
            ? 'renew'
            : 'extend',
    byRequest,
    occurredAt: formatDateTime(event.occurredAt),
    justification: quoted(event.request?.justification ? requesterText(event.request.justification) : ''),
    ticket: ticketOf(event),
    requestId: clean(event.request?.id) || undefined,
    requestedAt: formatDateTime(event.request?.createdDateTime ?? event.occurredAt),
    expiresAt: formatDateTime(approvalExpiry(event.request?.createdDateTime ?? event.occurredAt).toISOString()),
    facts: [],
    action: actionFor(model.notification, eligible, isAzureResource, portalBaseUrl),
  };
  if (event.scope.kind === 'group') {
    view.group = groupWording(event.type, event.scope.accessId, scopeName, assignment ? eligible : undefined, permanent, untilPhrase);
    view.roleKind = 'PIM for Groups';
    view.action = { ...view.action, url: groupPortalLink(portalBaseUrl, ACTIONS[model.notification].page, event.scope.id) };
  }
  view.facts = factsOf(model.notification, event, view, assignment);
  return view;
}

function clean(value: string | undefined): string {
  return value ? singleLine(value) : '';
}

function decisionOf(type: PimEvent['type']): NotificationView['decision'] {
  if (type === 'activationApproved') return 'approved';
  if (type === 'activationDenied' || type === 'assignmentRequestDenied') return 'denied';
  if (type === 'activationCanceled') return 'canceled';
  return 'updated';
}

function assignedPhrase(type: PimEvent['type'], roleName: string, eligible: boolean, permanent: boolean, until: string): string {
  const role = `the ${roleName} role`;
  if (type === 'roleMadePermanent') return eligible ? `made permanently eligible for ${role}` : `made permanently active in ${role}`;
  if (eligible) return permanent ? `made permanently eligible for ${role}` : `made eligible for ${role}${until}`;
  return permanent ? `permanently assigned ${role}` : `assigned ${role}${until}`;
}

function ticketOf(event: PimEvent): string | undefined {
  const number = defang(clean(event.request?.ticketNumber));
  if (!number) return undefined;
  const system = defang(clean(event.request?.ticketSystem));
  return quoted(system ? `${number} (${system})` : number);
}

/**
 * The requester's own words, visibly so: in quotation marks, under a label that says whose
 * they are (factsOf), never a link (defang). Not a statement by PIM or by this app.
 */
function quoted(text: string): string | undefined {
  return text ? `\u201C${text}\u201D` : undefined;
}

const ACTIONS: Record<EventNotificationKind, { page: PortalPage; label: string }> = {
  ...GROUP_ACTIONS,
  approvalRequest: { page: 'approveRequests', label: 'Approve or deny the request' },
  extensionApprovalRequest: { page: 'approveRequests', label: 'Approve or deny the request' },
  outsidePimAlert: { page: 'alerts', label: 'Review the alert' },
  pendingApprovalAlert: { page: 'approveRequests', label: 'Open approve requests' },
  activationAlert: { page: 'assignments', label: 'Review role assignments' },
  extensionDeniedNotice: { page: 'myRoles', label: 'Open my roles' },
  renewedNotice: { page: 'myRoles', label: 'Open my roles' },
  extendedAlert: { page: 'assignments', label: 'Review role assignments' },
  expiredAlert: { page: 'assignments', label: 'Review role assignments' },
  extensionDeniedAlert: { page: 'approveRequests', label: 'Open approve requests' },
  pimEnabled: { page: 'home', label: 'Open Privileged Identity Management' },
  requestDecision: { page: 'myRoles', label: 'Open my roles' },
  expiryReminder: { page: 'myRoles', label: 'Extend my role' },
  extendWindowNotice: { page: 'myRoles', label: 'Extend my role' },
  expiredNotice: { page: 'myRoles', label: 'Renew my role' },
  extendedNotice: { page: 'myRoles', label: 'Open my roles' },
  assignmentNotice: { page: 'myRoles', label: 'Open my roles' },
  activationNotice: { page: 'myRoles', label: 'Open my roles' },
  assignmentAlert: { page: 'assignments', label: 'Review role assignments' },
  expiryAlert: { page: 'assignments', label: 'Review role assignments' },
  extendWindowAlert: { page: 'assignments', label: 'Review role assignments' },
  renewalAlert: { page: 'assignments', label: 'Review role assignments' },
  requestDecisionAlert: { page: 'approveRequests', label: 'Open approve requests' },
  requestCanceledAlert: { page: 'approveRequests', label: 'Open approve requests' },
  approvalReminder: { page: 'approveRequests', label: 'Approve or deny the request' },
  requestExpiredNotice: { page: 'myRoles', label: 'Request the role again' },
  requestExpiredAlert: { page: 'approveRequests', label: 'Open approve requests' },
};

function actionFor(kind: EventNotificationKind, eligible: boolean, isAzureResource: boolean, base: string): Action {
  const { page, label } = ACTIONS[kind];
  // An eligible assignee's next step is activating the role, not just looking at it.
  const finalLabel =
    kind === 'assignmentNotice' && eligible
      ? 'Activate my role'
      : kind === 'groupAssignmentNotice' && eligible
        ? 'Activate my membership or ownership'
        : label;
  return { url: portalLink(base, page, isAzureResource ? 'azureResource' : 'directory'), label: finalLabel };
}

function actorLabel(kind: EventNotificationKind, type: PimEvent['type'], byRequest: boolean): string {
  if (kind === 'pimEnabled') return 'Enabled by';
  if (type === 'activationApproved') return 'Approved by';
  if (type === 'activationDenied' || type === 'assignmentRequestDenied') return 'Denied by';
  if (type === 'activationCanceled') return 'Canceled by';
  if (type === 'roleAssigned' || type === 'roleMadePermanent' || type === 'roleAssignedOutsidePim') return 'Assigned by';
  if (type === 'roleExtended') return byRequest ? 'Approved by' : 'Extended by';
  if (type === 'roleRenewed') return byRequest ? 'Approved by' : 'Renewed by';
  return 'By';
}

function factsOf(
  kind: EventNotificationKind,
  event: PimEvent,
  v: NotificationView,
  assignment: { state: string; permanent: boolean; startDateTime?: string; endDateTime?: string } | undefined,
): Fact[] {
  const facts: Fact[] = [];
  const add = (label: string, value: string | undefined, multiline = false) => {
    if (value) facts.push(multiline ? { label, value, multiline } : { label, value });
  };
  if (event.type === 'pimEnabled') {
    add('Organization', v.tenantName);
  } else if (v.group) {
    add('Group', v.scopeName);
    add('Access', v.roleName);
    add('Role type', v.roleKind);
    add(REQUEST_TYPES.has(event.type) || v.byRequest ? 'Requested by' : 'Member', v.principalName);
  } else {
    add('Role', v.roleName);
    add('Role type', v.roleKind);
    add('Scope', v.scopeName);
    add(REQUEST_TYPES.has(event.type) || v.byRequest ? 'Requested by' : 'Member', v.principalName);
  }
  if (assignment) {
    const state = assignment.state === 'eligible' ? 'Eligible' : 'Active';
    add('Assignment', `${state}, ${assignment.permanent ? 'permanent' : 'time-bound'}`);
    add('Start', assignment.startDateTime ? formatDateTime(assignment.startDateTime) : undefined);
    add('End', assignment.permanent ? 'Never (permanent)' : v.endDateTime || undefined);
  }
  add(actorLabel(kind, event.type, v.byRequest), v.actorName);
  add('When', v.occurredAt);
  add('Justification (the requester\u2019s words)', v.justification, true);
  add('Ticket (as given by the requester)', v.ticket);
  add('Request ID', v.requestId);
  return facts;
}
