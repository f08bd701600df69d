/**
 * decideRecipients: the one place that decides who gets which email for an event. Pure:
 * the use case gathers the people (RecipientInputs) from the RoleDirectory, this module
 * applies the matrix (cells.ts), the role's notification rules, deduplication, the
 * requester-never-approves rule and the cap, and explains every decision.
 */
import type { PimEvent } from '../events/schema.js';
import { DIRECTORY_ADMIN_ROLES, ROLE_NAMES, type DirectoryAdminRole, type Person, type RoleHolder, type RolePolicy } from '../directory/roleDirectory.js';
import { cellsFor, type Audience, type Cell } from './cells.js';
import { NOTIFICATIONS, type NotificationKind } from './notifications.js';
import { GROUP_APPROVER_EMAILS } from './groupNotifications.js';
import { notificationRuleId, notificationSetting, type NotificationRuleId } from './policy.js';


export interface RecipientInputs {
  event: PimEvent;
  /** Directory: holders of PRA, SA and GA (a person once per role). Azure: the scope's Owners and UAAs. */
  admins: RoleHolder[];
  /** The role's explicit approvers, groups expanded; empty when the role names none. */
  approvers: Array<Person & { via: string }>;
  /** The principal as people: the user, or a group's members. Empty for pimEnabled. */
  principal: Person[];
  policy: RolePolicy;
}

export interface RecipientOptions {
  /** Microsoft's cap is 1,000 emails per event. */
  maxRecipients: number;
  /** Count only active holders of admin roles as admins (Microsoft's behaviour since 2023). */
  adminsActiveOnly: boolean;
}

export interface Reason {
  notification: NotificationKind;
  /** The notification rule that allowed it; null when no role setting governs the cell. */
  ruleId: NotificationRuleId | null;
  /** Plain words: "Global Administrator (eligible, via group Tier 0 admins)". */
  via: string;
}

export interface Recipient {
  /** The address as found; compared case-insensitively. */
  address: string;
  displayName?: string;
  userId?: string;
  /** The most actionable of the emails this person qualified for: the one sent. */
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
  /** People on a list who get nothing, and why (no address, requester, rule off...). */
  skipped: Skipped[];
  /** How many were left out by the cap. */
  truncated: number;
}

interface Candidate {
  userId?: string;
  displayName?: string;
  address: string | null;
  via: string;
}

export function decideRecipients(inputs: RecipientInputs, options: RecipientOptions): RecipientDecision {
  const { event } = inputs;
  const byAddress = new Map<string, Recipient>();
  const skipped: Skipped[] = [];
  const requester = requesterKeys(inputs);

  for (const cell of cellsFor(event.type, event.scope.kind)) {
    const ruleId = ruleIdFor(cell, event);
    const setting = ruleId ? notificationSetting(inputs.policy, ruleId) : null;
    if (setting?.level === 'None') {
      skipped.push({ notification: cell.notification, reason: `${ruleId} is set to None` });
      continue;
    }
    if (setting?.level === 'Critical' && !NOTIFICATIONS[cell.notification].actionable) {
      skipped.push({ notification: cell.notification, reason: `${ruleId} sends critical emails only` });
      continue;
    }

    const candidates: Candidate[] = [];
    if (!setting || setting.isDefaultRecipientsEnabled) {
      candidates.push(...audienceOf(cell.audience, inputs, options));
    } else {
      skipped.push({ notification: cell.notification, reason: `${ruleId} has default recipients turned off` });
    }
    for (const address of setting?.notificationRecipients ?? []) {
      candidates.push({ address, via: `additional recipient of ${ruleId}` });
    }

    for (const candidate of candidates) {
      if (APPROVER_EMAILS.has(cell.notification) && isRequester(candidate, requester)) {
        skipped.push({ userId: candidate.userId, notification: cell.notification, reason: 'the requester never gets approvers\' emails about their own request' });
        continue;
      }
      if (cell.audience.kind === 'approvers' && cell.audience.excludeActor && candidate.userId && candidate.userId === event.actor?.id) {
        skipped.push({ userId: candidate.userId, notification: cell.notification, reason: 'the approver who acted' });
        continue;
      }
      if (!candidate.address) {
        skipped.push({ userId: candidate.userId, notification: cell.notification, reason: 'no mail, otherMails or userPrincipalName address' });
        continue;
      }
      add(byAddress, candidate as Candidate & { address: string }, { notification: cell.notification, ruleId, via: candidate.via });
    }
  }

  // Most actionable first, then by address: a stable order, so the cap always keeps the same people.
  const ordered = [...byAddress.values()].sort(
    (a, b) => NOTIFICATIONS[b.notification].priority - NOTIFICATIONS[a.notification].priority || compare(a.address, b.address),
  );
  const recipients = ordered.slice(0, options.maxRecipients);
  return { recipients, skipped, truncated: ordered.length - recipients.length };
}

function add(byAddress: Map<string, Recipient>, candidate: Candidate & { address: string }, reason: Reason): void {
  const key = candidate.address.toLowerCase();
  const existing = byAddress.get(key);
  if (!existing) {
    byAddress.set(key, {
      address: candidate.address,
      displayName: candidate.displayName,
      userId: candidate.userId,
      notification: reason.notification,
      reasons: [reason],
    });
    return;
  }
  if (!existing.reasons.some((r) => r.notification === reason.notification && r.via === reason.via)) {
    existing.reasons.push(reason);
  }
  existing.displayName ??= candidate.displayName;
  existing.userId ??= candidate.userId;
  if (NOTIFICATIONS[reason.notification].priority > NOTIFICATIONS[existing.notification].priority) {
    existing.notification = reason.notification;
  }
  // The reason of the email actually sent comes first: it is the one the footer quotes.
  existing.reasons.sort((a, b) => NOTIFICATIONS[b.notification].priority - NOTIFICATIONS[a.notification].priority);
}

function audienceOf(audience: Audience, inputs: RecipientInputs, options: RecipientOptions): Candidate[] {
  switch (audience.kind) {
    case 'principal':
      return inputs.principal.map((p) => ({ ...p, userId: p.id, via: 'the assignee or requester' }));
    case 'admins':
      return admins(inputs, options, audience.adminRoles);
    case 'approvers':
      if (inputs.approvers.length > 0) {
        return inputs.approvers.map((p) => ({ ...p, userId: p.id, via: p.via }));
      }
      return audience.fallbackAdminRoles ? admins(inputs, options, audience.fallbackAdminRoles).map(asDefaultApprover) : [];
  }
}

function asDefaultApprover(c: Candidate): Candidate {
  return { ...c, via: `${c.via}, default approver: the role names no approvers` };
}

function admins(inputs: RecipientInputs, options: RecipientOptions, roles: DirectoryAdminRole[] | undefined): Candidate[] {
  const wanted = inputs.event.scope.kind === 'directory' && roles ? new Set<string>(roles.map((r) => DIRECTORY_ADMIN_ROLES[r])) : null;
  return inputs.admins
    .filter((h) => (wanted ? wanted.has(h.roleDefinitionId) : true))
    .filter((h) => !options.adminsActiveOnly || h.state === 'active')
    .map((h) => ({ userId: h.id, displayName: h.displayName, address: h.address, via: describeHolder(h) }));
}

export function describeHolder(h: RoleHolder): string {
  const role = ROLE_NAMES[h.roleDefinitionId] ?? h.roleDefinitionId;
  const how = h.via === 'direct' ? '' : `, via group ${h.via}`;
  return `${role} (${h.state}${how})`;
}

function ruleIdFor(cell: Cell, event: PimEvent): NotificationRuleId | null {
  if (!cell.rule) return null;
  const level = cell.rule.level === 'assignment' ? (event.assignment?.state === 'eligible' ? 'Eligibility' : 'Assignment') : cell.rule.level;
  return notificationRuleId(cell.rule.recipient, cell.rule.caller, level);
}

/** Emails addressed to approvers: never to the requester of the request they are about. */
const APPROVER_EMAILS = new Set<NotificationKind>(['approvalRequest', 'extensionApprovalRequest', 'requestDecisionAlert', 'requestCanceledAlert', ...GROUP_APPROVER_EMAILS]);

function requesterKeys(inputs: RecipientInputs): Set<string> {
  const keys = new Set<string>();
  if (inputs.event.principal) keys.add(`id:${inputs.event.principal.id.toLowerCase()}`);
  for (const p of inputs.principal) {
    keys.add(`id:${p.id.toLowerCase()}`);
    if (p.address) keys.add(`mail:${p.address.toLowerCase()}`);
  }
  return keys;
}

function isRequester(c: Candidate, keys: Set<string>): boolean {
  return (!!c.userId && keys.has(`id:${c.userId.toLowerCase()}`)) || (!!c.address && keys.has(`mail:${c.address.toLowerCase()}`));
}

function compare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
