/**
 * decideRecipients: the one place that decides who gets which email for an event. Pure:
 * the use case gathers the people (RecipientInputs) from the RoleDirectory, this module
 * applies the recipient matrix (matrix.ts), the role's notification rules, RECIPIENT_MODEL,
 * the "nobody hears about their own action" rule, deduplication and the cap, explains every
 * decision and reports what a security team must know (an approval nobody can give, a cap).
 *
 * Ids and addresses compare case-insensitively everywhere: GUIDs and mail addresses are.
 */
import type { PimEvent } from '../events/schema.js';
import {
  DIRECTORY_ADMIN_ROLES,
  ROLE_NAMES,
  type DirectoryAdminRole,
  type Person,
  type RoleHolder,
  type RolePolicy,
} from '../directory/roleDirectory.js';
import { matrixEntriesFor, type Audience, type MatrixEntry } from './matrix.js';
import { NOTIFICATIONS, type NotificationKind } from './notifications.js';
import { GROUP_APPROVAL_REQUESTS } from './groupNotifications.js';
import { notificationRuleId, notificationSetting, type NotificationRuleId } from './policy.js';
import { countsAsAdmin, type RecipientModel } from './recipientModel.js';

export interface RecipientInputs {
  event: PimEvent;
  /** Directory: holders of PRA, SA and GA (a person once per role). Azure: the scope's Owners and UAAs. */
  admins: RoleHolder[];
  /** The role's explicit approvers, groups expanded; empty when the role names none. */
  approvers: Array<Person & { via: string }>;
  /** The principal as people: the user, or a group's members. Empty for pimEnabled. */
  principal: Person[];
  /** The person who acted, as the directory knows them (for their address). */
  actor?: Person;
  policy: RolePolicy;
}

export interface RecipientOptions {
  /** Microsoft's cap is 1,000 emails per event. */
  maxRecipients: number;
  /** RECIPIENT_MODEL: which documented set of admins (recipientModel.ts). */
  model: RecipientModel;
}

export interface Reason {
  notification: NotificationKind;
  /** The notification rule that allowed it; null when no role setting governs the entry. */
  ruleId: NotificationRuleId | null;
  /** Plain words: "Global Administrator (eligible, via group Tier 0 admins)". */
  via: string;
}

export interface Recipient {
  /** The address as found; compared case-insensitively. */
  address: string;
  displayName?: string;
  userId?: string;
  /** The email sent: the one written for the principal, else the most actionable one. */
  notification: NotificationKind;
  reasons: Reason[];
}

export interface Skipped {
  userId?: string;
  notification: NotificationKind;
  reason: string;
}

export interface RecipientDecision {
  recipients: Recipient[];
  /** People on a list who get nothing, and why (no address, their own action, rule off...). */
  skipped: Skipped[];
  /** How many were left out by the cap. */
  truncated: number;
  /** What the operator must hear about: an approval nobody can give, nobody notified, a cap. */
  warnings: string[];
}

interface Candidate {
  userId?: string;
  displayName?: string;
  address: string | null;
  via: string;
  /** One of the people the event is about, listed by an entry whose audience is the principal. */
  isPrincipal?: boolean;
}

/** Emails that ask the recipient to act: the approvers' emails, kept second by the cap. */
export const APPROVAL_KINDS: ReadonlySet<NotificationKind> = new Set([
  'approvalRequest',
  'extensionApprovalRequest',
  ...GROUP_APPROVAL_REQUESTS,
]);
/** How the warning about an approval request that reaches no approver starts (simulate counts them). */
export const UNREACHED_APPROVAL = 'the approval request reaches no approver';
/** Events that wait for someone's approval: reaching no one is reported. */
const APPROVAL_EVENTS: ReadonlySet<PimEvent['type']> = new Set(['activationPendingApproval', 'assignmentPendingApproval']);

export function decideRecipients(inputs: RecipientInputs, options: RecipientOptions): RecipientDecision {
  const { event } = inputs;
  const byAddress = new Map<string, Recipient & { rank: number }>();
  const skipped: Skipped[] = [];
  const warnings: string[] = [];
  const subject = keysOf([...(event.principal ? [{ id: event.principal.id, address: null }] : []), ...inputs.principal]);
  const actor = keysOf(event.actor ? [{ id: event.actor.id, address: inputs.actor?.address ?? null }] : []);
  /** Why an approval request reached no one, collected for the warning. */
  const approvalGaps: string[] = [];

  for (const entry of matrixEntriesFor(event.type, event.scope.kind)) {
    const ruleId = ruleIdFor(entry, event);
    const setting = ruleId ? notificationSetting(inputs.policy, ruleId) : null;
    const approval = APPROVAL_KINDS.has(entry.notification);
    if (setting?.level === 'None') {
      skipped.push({ notification: entry.notification, reason: `${ruleId} is set to None` });
      if (approval) approvalGaps.push(`${ruleId} is set to None`);
      continue;
    }
    if (setting?.level === 'Critical' && !NOTIFICATIONS[entry.notification].actionable) {
      skipped.push({ notification: entry.notification, reason: `${ruleId} sends critical emails only` });
      continue;
    }

    const keep = (c: Candidate): c is Candidate & { address: string } => {
      const why = exclusion(c, subject, actor);
      if (why) skipped.push({ userId: c.userId, notification: entry.notification, reason: why });
      return !why;
    };
    let deliverable: Array<Candidate & { address: string }> = [];
    if (!setting || setting.isDefaultRecipientsEnabled) {
      deliverable = audienceOf(entry.audience, inputs, options).filter(keep);
      if (
        entry.audience.kind === 'approvers' &&
        entry.audience.defaultApprovers &&
        approval &&
        deliverable.length === 0 &&
        inputs.approvers.length > 0
      ) {
        // Named approvers exist but none can get it (the requester, no address): PIM's default approvers stand in.
        const fallback = defaultApprovers(inputs, entry.audience.defaultApprovers).filter(keep);
        warnings.push(
          `none of the role's ${inputs.approvers.length} approver(s) can receive the approval request; sent to the default approvers instead (${fallback.length} reachable)`,
        );
        deliverable = fallback;
      }
      if (approval && deliverable.length === 0) approvalGaps.push(gapOf(entry.audience, inputs));
    } else {
      skipped.push({ notification: entry.notification, reason: `${ruleId} has default recipients turned off` });
      if (approval) approvalGaps.push(`${ruleId} has default recipients turned off`);
    }
    for (const address of setting?.notificationRecipients ?? []) {
      const extra = { address, via: `additional recipient of ${ruleId}` };
      if (keep(extra)) deliverable.push(extra);
    }
    for (const candidate of deliverable) {
      add(byAddress, candidate, { notification: entry.notification, ruleId, via: candidate.via });
    }
  }

  const ordered = [...byAddress.values()].sort(
    (a, b) =>
      a.rank - b.rank || NOTIFICATIONS[b.notification].priority - NOTIFICATIONS[a.notification].priority || compare(a.address, b.address),
  );
  if (APPROVAL_EVENTS.has(event.type) && !ordered.some((r) => APPROVAL_KINDS.has(r.notification))) {
    warnings.push(`${UNREACHED_APPROVAL} (${[...new Set(approvalGaps)].join('; ') || 'no approver audience for this role'})`);
  }
  if (ordered.length === 0) warnings.push('nobody is notified of this event');
  const recipients = ordered.slice(0, options.maxRecipients).map(({ rank: _rank, ...r }) => r);
  const truncated = ordered.length - recipients.length;
  if (truncated > 0)
    warnings.push(
      `${truncated} of ${ordered.length} recipients are over MAX_RECIPIENTS_PER_EVENT (${options.maxRecipients}) and were left out`,
    );
  return { recipients, skipped, truncated, warnings };
}

/**
 * Why a candidate gets nothing from this matrix entry, or null. The people the event is about
 * get only the emails written for them (entries whose audience is the principal), and nobody is
 * told about their own action.
 */
function exclusion(c: Candidate, subject: Keys, actor: Keys): string | null {
  if (!c.isPrincipal) {
    if (matches(c, subject)) return 'the person the event is about gets the email written for them, not this one';
    if (matches(c, actor)) return 'nobody is told about their own action';
  }
  if (!c.address) return 'no mail, otherMails or userPrincipalName address';
  return null;
}

function gapOf(audience: Audience, inputs: RecipientInputs): string {
  if (audience.kind === 'approvers' && inputs.approvers.length === 0) {
    return audience.defaultApprovers
      ? 'the role names no approvers and no active default approver (Privileged Role or Global Administrator) can receive it'
      : 'the role names no approvers and Azure resource roles have no default approvers';
  }
  return audience.kind === 'admins' ? 'no administrator who can approve can receive it' : 'no approver can receive it';
}

/** Cap order: the principal's own email, then the emails asking to act, then the rest. */
function rankOf(candidate: Candidate, notification: NotificationKind): number {
  if (candidate.isPrincipal) return 0;
  return APPROVAL_KINDS.has(notification) ? 1 : 2;
}

function add(byAddress: Map<string, Recipient & { rank: number }>, candidate: Candidate & { address: string }, reason: Reason): void {
  const key = candidate.address.toLowerCase();
  const rank = rankOf(candidate, reason.notification);
  const existing = byAddress.get(key);
  if (!existing) {
    byAddress.set(key, {
      address: candidate.address,
      displayName: candidate.displayName,
      userId: candidate.userId,
      notification: reason.notification,
      reasons: [reason],
      rank,
    });
    return;
  }
  if (!existing.reasons.some((r) => r.notification === reason.notification && r.via === reason.via)) existing.reasons.push(reason);
  existing.displayName ??= candidate.displayName;
  existing.userId ??= candidate.userId;
  const better =
    rank < existing.rank ||
    (rank === existing.rank && NOTIFICATIONS[reason.notification].priority > NOTIFICATIONS[existing.notification].priority);
  if (better) {
    existing.notification = reason.notification;
    existing.rank = rank;
  }
  // The reason of the email actually sent comes first: it is the one the footer quotes.
  existing.reasons.sort((a, b) => Number(b.notification === existing.notification) - Number(a.notification === existing.notification));
}

function audienceOf(audience: Audience, inputs: RecipientInputs, options: RecipientOptions): Candidate[] {
  switch (audience.kind) {
    case 'principal':
      return inputs.principal.map((p) => ({ ...p, userId: p.id, via: 'the assignee or requester', isPrincipal: true }));
    case 'admins':
      return admins(inputs, audience.adminRoles, (h) => countsAsAdmin(options.model, inputs.event.scope.kind, h.state));
    case 'approvers':
      if (inputs.approvers.length > 0) return inputs.approvers.map((p) => ({ ...p, userId: p.id, via: p.via }));
      return audience.defaultApprovers ? defaultApprovers(inputs, audience.defaultApprovers) : [];
  }
}

/** PIM's default approvers: *active* holders of the roles (an eligible one would have to activate first). */
function defaultApprovers(inputs: RecipientInputs, roles: DirectoryAdminRole[]): Candidate[] {
  return admins(inputs, roles, (h) => h.state === 'active').map((c) => ({
    ...c,
    via: `${c.via}, default approver: the role names no approver who can receive it`,
  }));
}

function admins(inputs: RecipientInputs, roles: DirectoryAdminRole[] | undefined, counts: (h: RoleHolder) => boolean): Candidate[] {
  const wanted = inputs.event.scope.kind === 'directory' && roles ? new Set<string>(roles.map((r) => DIRECTORY_ADMIN_ROLES[r])) : null;
  return inputs.admins
    .filter((h) => (wanted ? wanted.has(h.roleDefinitionId.toLowerCase()) : true))
    .filter(counts)
    .map((h) => ({ userId: h.id, displayName: h.displayName, address: h.address, via: describeHolder(h) }));
}

export function describeHolder(h: RoleHolder): string {
  const role = ROLE_NAMES[h.roleDefinitionId.toLowerCase()] ?? h.roleDefinitionId;
  const how = h.via === 'direct' ? '' : `, via group ${h.via}`;
  return `${role} (${h.state}${how})`;
}

function ruleIdFor(entry: MatrixEntry, event: PimEvent): NotificationRuleId | null {
  if (!entry.rule) return null;
  const level =
    entry.rule.level === 'assignment' ? (event.assignment?.state === 'eligible' ? 'Eligibility' : 'Assignment') : entry.rule.level;
  return notificationRuleId(entry.rule.recipient, entry.rule.caller, level);
}

type Keys = Set<string>;

function keysOf(people: Array<{ id: string; address: string | null }>): Keys {
  const keys: Keys = new Set();
  for (const p of people) {
    keys.add(`id:${p.id.toLowerCase()}`);
    if (p.address) keys.add(`mail:${p.address.toLowerCase()}`);
  }
  return keys;
}

function matches(c: Candidate, keys: Keys): boolean {
  return (!!c.userId && keys.has(`id:${c.userId.toLowerCase()}`)) || (!!c.address && keys.has(`mail:${c.address.toLowerCase()}`));
}

function compare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
