/**
 * Which Entra audit activity (directoryAudit.activityDisplayName, reference §5) becomes which
 * PIM event. One table, in code: the collector reads it, docs/sources.md is generated from it
 * (scripts/docs/sourcesDoc.ts), and a test fails when the two drift.
 *
 * `event: null` marks activities we know and deliberately ignore (requests whose outcome is
 * logged separately, removals, settings, alerts), so only truly new names count as unknown.
 */
import type { Assignment, PimEventType, RequestAction } from '../events/schema.js';

export interface ActivityMapping {
  activity: string;
  /** The event it becomes; null = known, produces no event. */
  event: PimEventType | null;
  /** For assignment events: the assignment the name implies (dates come from the record). */
  assignment?: Pick<Assignment, 'state' | 'permanent'>;
  /**
   * For extend and renew records: the request they are about, in Graph's words. "(extend/renew)"
   * decisions say `selfExtend` and become `selfRenew` when the record says renewal (auditRecord.ts).
   */
  action?: RequestAction;
  /** Why, for the generated doc. */
  note: string;
}

const eligible = (permanent: boolean) => ({ state: 'eligible' as const, permanent });
const active = (permanent: boolean) => ({ state: 'active' as const, permanent });

export const AUDIT_ACTIVITIES: readonly ActivityMapping[] = [
  // Activation of an eligible role.
  {
    activity: 'Add member to role requested (PIM activation)',
    event: null,
    note: 'the outcome (approval requested / completed) is logged next',
  },
  { activity: 'Add member to role approval requested (PIM activation)', event: 'activationPendingApproval', note: 'approvers are asked' },
  {
    activity: 'Add member to role request approved (PIM activation)',
    event: 'activationApproved',
    note: 'requester and other approvers hear back',
  },
  {
    activity: 'Add member to role request denied (PIM activation)',
    event: 'activationDenied',
    note: 'requester and other approvers hear back',
  },
  { activity: 'Add member to role canceled (PIM activation)', event: 'activationCanceled', note: 'the requester withdrew it' },
  { activity: 'Add member to role completed (PIM activation)', event: 'activationCompleted', note: 'the role is active' },
  { activity: 'Remove member from role requested (PIM deactivate)', event: null, note: 'PIM sends no email on deactivation' },
  { activity: 'Remove member from role completed (PIM deactivate)', event: null, note: 'PIM sends no email on deactivation' },
  { activity: 'Remove member from role (PIM activation expired)', event: null, note: 'an activation ending is not an assignment expiring' },
  { activity: 'PIM activation request expired', event: null, note: 'no approver acted in time; no email in PIM' },
  // Assignment by an administrator.
  { activity: 'Add member to role in PIM requested (permanent)', event: null, note: 'the completion is logged next' },
  { activity: 'Add member to role in PIM requested (timebound)', event: null, note: 'the completion is logged next' },
  {
    activity: 'Add member to role in PIM requested (renew)',
    event: 'assignmentPendingApproval',
    assignment: active(false),
    action: 'selfRenew',
    note: 'a renew request awaits approval',
  },
  // "Users made permanent" (the digest's tile): in PIM an eligible member is made permanent by a
  // permanent active assignment, logged under this name for Entra roles (RoleManagement) and
  // Azure resources (ResourceManagement) alike; permanent *eligible* ones count as assignments in PIM.
  {
    activity: 'Add member to role in PIM completed (permanent)',
    event: 'roleMadePermanent',
    assignment: active(true),
    note: 'made permanent: active, no end date (the "Users made permanent" tile)',
  },
  {
    activity: 'Add member to role in PIM completed (timebound)',
    event: 'roleAssigned',
    assignment: active(false),
    note: 'active, time-bound',
  },
  { activity: 'Add member to role in PIM canceled (permanent)', event: null, note: 'nothing was assigned' },
  { activity: 'Add member to role in PIM canceled (timebound)', event: null, note: 'nothing was assigned' },
  { activity: 'Add member to role in PIM canceled (renew)', event: null, note: 'the renew request was withdrawn' },
  { activity: 'Add eligible member to role in PIM requested (permanent)', event: null, note: 'the completion is logged next' },
  { activity: 'Add eligible member to role in PIM requested (timebound)', event: null, note: 'the completion is logged next' },
  {
    activity: 'Add eligible member to role in PIM requested (renew)',
    event: 'assignmentPendingApproval',
    assignment: eligible(false),
    action: 'selfRenew',
    note: 'a renew request awaits approval',
  },
  {
    activity: 'Add eligible member to role in PIM completed (permanent)',
    event: 'roleAssigned',
    assignment: eligible(true),
    note: 'eligible, permanent',
  },
  {
    activity: 'Add eligible member to role in PIM completed (timebound)',
    event: 'roleAssigned',
    assignment: eligible(false),
    note: 'eligible, time-bound',
  },
  { activity: 'Add eligible member to role in PIM canceled (permanent)', event: null, note: 'nothing was assigned' },
  { activity: 'Add eligible member to role in PIM canceled (timebound)', event: null, note: 'nothing was assigned' },
  { activity: 'Add eligible member to role in PIM canceled (renew)', event: null, note: 'the renew request was withdrawn' },
  {
    activity: 'Add member to role outside of PIM (permanent)',
    event: 'roleAssignedOutsidePim',
    assignment: active(true),
    note: 'standing access granted directly',
  },
  // Extension and renewal decisions. A renewal logs no "completed (renew)": the request is
  // "requested (renew)", the decision the "(extend/renew)" approval below, which becomes
  // roleRenewed when the record says it was a renewal (auditRecord.ts) and roleExtended otherwise.
  {
    activity: 'Update member in PIM requested (extend)',
    event: 'assignmentPendingApproval',
    assignment: active(false),
    action: 'selfExtend',
    note: 'an extend request awaits approval',
  },
  {
    activity: 'Update eligible member in PIM requested (extend)',
    event: 'assignmentPendingApproval',
    assignment: eligible(false),
    action: 'selfExtend',
    note: 'an extend request awaits approval',
  },
  { activity: 'Update member in PIM canceled (extend)', event: null, note: 'the extend request was withdrawn' },
  { activity: 'Update eligible member in PIM canceled (extend)', event: null, note: 'the extend request was withdrawn' },
  {
    activity: 'Update member in PIM approved by admin (extend/renew)',
    event: 'roleExtended',
    // The name does not say eligible or active; the record's details cannot either, so "active" is an assumption.
    assignment: active(false),
    action: 'selfExtend',
    note: "an administrator approved the user's request: extended, or renewed when the record says so (state assumed active)",
  },
  {
    activity: 'Update member in PIM denied by admin (extend/renew)',
    event: 'assignmentRequestDenied',
    assignment: active(false),
    action: 'selfExtend',
    note: 'the requester and the other admins hear back (state assumed active, as for approvals)',
  },
  // Removal, restore, request housekeeping.
  { activity: 'Remove member from role in PIM requested (permanent)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove member from role in PIM requested (timebound)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove member from role in PIM completed (permanent)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove member from role in PIM completed (timebound)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove eligible member from role in PIM requested (permanent)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove eligible member from role in PIM requested (timebound)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove eligible member from role in PIM completed (permanent)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove eligible member from role in PIM completed (timebound)', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove permanent direct role assignment', event: null, note: 'removals send no PIM email' },
  { activity: 'Remove permanent eligible role assignment', event: null, note: 'removals send no PIM email' },
  { activity: 'Restore member from role', event: null, note: 'no PIM email' },
  { activity: 'Restore member from role in PIM completed', event: null, note: 'no PIM email' },
  { activity: 'Restore eligible member from role in PIM completed', event: null, note: 'no PIM email' },
  { activity: 'Restore permanent direct role assignment', event: null, note: 'no PIM email' },
  { activity: 'Restore permanent eligible role assignment', event: null, note: 'no PIM email' },
  { activity: 'Cancel request', event: null, note: 'request housekeeping' },
  { activity: 'Cancel request for role removal', event: null, note: 'request housekeeping' },
  { activity: 'Cancel request for role update', event: null, note: 'request housekeeping' },
  { activity: 'Process request', event: null, note: 'request housekeeping' },
  { activity: 'Process role removal request', event: null, note: 'request housekeeping' },
  { activity: 'Process role update request', event: null, note: 'request housekeeping' },
  { activity: 'Remove request', event: null, note: 'request housekeeping' },
  // Settings, alerts, onboarding.
  { activity: 'Update role setting in PIM', event: null, note: 'settings are read from the directory when needed' },
  { activity: 'PIM policy removed', event: null, note: 'settings are read from the directory when needed' },
  { activity: 'Triggered PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Resolve PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Refresh PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Enable PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Disable PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Deactivate PIM alert', event: null, note: 'alerts are not notifications here' },
  { activity: 'Update PIM alert setting', event: null, note: 'alerts are not notifications here' },
  { activity: 'Onboarded resource to PIM', event: null, note: 'onboarding a resource is not "PIM enabled" for the tenant' },
  {
    activity: 'Onboarded resource from PIM',
    event: null,
    note: 'Microsoft\'s name for onboarding under RoleManagement and ResourceManagement; not "PIM enabled"',
  },
  { activity: 'Offboarded resource from PIM', event: null, note: 'no PIM email' },
  { activity: 'Tenant offboarded from PIM', event: null, note: 'no PIM email' },
  { activity: 'Resource updated', event: null, note: 'no PIM email' },
  // ApplicationManagement.
  { activity: 'Approve request - direct role assignment', event: null, note: 'application roles: no event type covers them' },
  { activity: 'Role definition created', event: null, note: 'a new role definition assigns nobody' },
];

/**
 * Spellings Microsoft's own pages use for one activity: "(time bound)" (security-operations
 * guide) for "(timebound)" (audit reference), "comleted" (a typo in the reference's PIM for
 * Groups rows), British "cancelled".
 */
const VARIANTS: readonly [RegExp, string][] = [
  [/\btime[\s-]+bound\b/g, 'timebound'],
  [/\bcomleted\b/g, 'completed'],
  [/\bcancelled\b/g, 'canceled'],
  [/\(\s+/g, '('],
  [/\s+\)/g, ')'],
];

/** Case-, whitespace- and spelling-insensitive, so a cosmetic change in the log does not make a name unknown. */
export function normalizeActivity(name: string): string {
  let out = name.trim().replace(/\s+/g, ' ').toLowerCase();
  for (const [pattern, replacement] of VARIANTS) out = out.replace(pattern, replacement);
  return out;
}

const byName = new Map(AUDIT_ACTIVITIES.map((m) => [normalizeActivity(m.activity), m]));

/** The mapping for an activity name, or undefined when the name is unknown. */
export function lookupActivity(activityDisplayName: string): ActivityMapping | undefined {
  return byName.get(normalizeActivity(activityDisplayName));
}
