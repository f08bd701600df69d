/**
 * Fallback: when every approver of a pending request is unreachable (each one's delivery report
 * says Bounced, Suppressed, Quarantined, FilteredSpam, or Failed after the resends; or nobody on
 * the list had an address), the request goes to whoever can still act on it, and the requester
 * is told in plain words who was asked instead:
 *   - directory roles: PIM's documented default approvers, the active Privileged Role and
 *     Global Administrators (rules/matrix.ts DEFAULT_APPROVERS), other than the unreachable;
 *   - else, or when none of those is left: the escalation contacts configured for the role,
 *     scope or group (ESCALATION_CONTACTS, escalationSettings.ts).
 * Exactly once per request, whatever the order or duplication of the reports: every report
 * that finds all approvers unreachable delivers the same emails under one delivery id per
 * request (`fallback:<request>`), and the ledger sends each recipient of a delivery once
 * (delivery/deliveryLedger.ts). Table Storage is linearisable, so of two reports recorded at
 * once, the later to read the ledger sees both: the fallback is never missed either.
 * Fallback emails keep no event, so a report about them can cause nothing more.
 */
import { createHash } from 'node:crypto';
import { deliver } from '../delivery/deliver.js';
import { deliveryOperationId, recipientKey, type DeliveryLedger, type RecipientOutcome } from '../delivery/deliveryLedger.js';
import type { Deliverable } from '../delivery/batching.js';
import { DIRECTORY_ADMIN_ROLES, type RoleDirectory } from '../directory/roleDirectory.js';
import { isRoleEvent, type PimEvent, type RoleEvent } from '../events/schema.js';
import type { Log } from '../log.js';
import { renderOptions, type AddressingSettings } from '../planning/addressing.js';
import { renderEscalation } from '../render/render.js';
import type { EscalationEmail } from '../render/templates/escalation.js';
import { DEFAULT_APPROVERS } from '../rules/matrix.js';
import { APPROVAL_KINDS } from '../rules/recipients.js';
import type { Settings } from '../settings/settings.js';
import { approvalExpiry } from '../time/approvalWindow.js';
import type { Clock } from '../time/clock.js';
import type { Transport } from '../transport/transport.js';
import { addressOf } from './alternates.js';
import { contactsFor } from './escalationSettings.js';
import { fallbackView, requestFacts, unreachedNoticeView, unreachedSummary, type RequestFacts } from './escalationView.js';

export type EscalationSettings = AddressingSettings &
  Pick<Settings, 'ESCALATION_CONTACTS' | 'ALTERNATE_ADDRESSES' | 'DELIVERY_LEASE_SECONDS' | 'EMAIL_SEND_CONCURRENCY'>;

export interface EscalationDeps {
  ledger: DeliveryLedger;
  directory: RoleDirectory;
  transport: Transport;
  settings: EscalationSettings;
  clock: Clock;
  /** Ids and counts only: never addresses. */
  log: Log;
}

/** Events that ask approvers to act: the request itself and its reminders. */
export const APPROVAL_EVENTS: ReadonlySet<PimEvent['type']> = new Set([
  'activationPendingApproval',
  'assignmentPendingApproval',
  'approvalReminder',
]);
/** The emails that ask their recipient to approve. */
const ASKS_TO_APPROVE: ReadonlySet<string> = new Set([...APPROVAL_KINDS, 'approvalReminder']);
/** A report that says sending again is pointless, or the row given up after the resends. */
const UNDELIVERABLE: ReadonlySet<string> = new Set(['Bounced', 'Suppressed', 'Quarantined', 'FilteredSpam', 'Failed']);
const DELIVERED: ReadonlySet<string> = new Set(['Delivered', 'Expanded']);

/** Why the approvers are unreached: their reports (the ledger says), or none had an address (the plan said). */
export type Unreached = { kind: 'reports' } | { kind: 'noAddress' };

export type FallbackOutcome =
  { kind: 'none'; why: string } | { kind: 'fellBack'; deliveryId: string; asked: number; requesterTold: boolean; sent: number };

/** Is this row unreachable for good (a resend still pending is not)? */
export function unreachable(row: RecipientOutcome): boolean {
  if (row.deliveryStatus && DELIVERED.has(row.deliveryStatus)) return false;
  if (row.status === 'failed') return true;
  return (
    !!row.deliveryStatus && row.deliveryStatus !== 'Failed' && (UNDELIVERABLE.has(row.deliveryStatus) || !DELIVERED.has(row.deliveryStatus))
  );
}

/** The delivery id of a request's fallback (or escalation): one per request, a valid partition key. */
export function requestDeliveryId(kind: 'fallback' | 'escalation', event: RoleEvent): string {
  return requestDeliveryIdOf(kind, event.request?.id ?? event.id);
}

/** The same, from the request's id (`pim-notify trail --request`). */
export function requestDeliveryIdOf(kind: 'fallback' | 'escalation', requestId: string): string {
  return `${kind}:${createHash('sha256').update(requestId).digest('hex').slice(0, 32)}`;
}

export async function fallBackIfUnreached(event: PimEvent, cause: Unreached, deps: EscalationDeps): Promise<FallbackOutcome> {
  if (!isRoleEvent(event) || !APPROVAL_EVENTS.has(event.type)) return { kind: 'none', why: 'not an approval request' };
  const expires = approvalExpiry(event.request?.createdDateTime ?? event.occurredAt);
  if (deps.clock.now() >= expires) return { kind: 'none', why: 'the approval window has closed' };
  let statuses: string[] = [];
  let unreachedKeys = new Set<string>();
  if (cause.kind === 'reports') {
    const approvers = (await deps.ledger.outcomes(event.id)).filter((r) => r.notification && ASKS_TO_APPROVE.has(r.notification));
    if (approvers.length === 0) return { kind: 'none', why: 'no approver was sent the request' };
    if (!approvers.every(unreachable)) return { kind: 'none', why: 'an approver can still be reached' };
    statuses = approvers.map((r) => (r.deliveryStatus && r.deliveryStatus !== '' ? r.deliveryStatus : 'Failed'));
    unreachedKeys = new Set(approvers.map((r) => r.key));
  }
  const deliveryId = requestDeliveryId('fallback', event);
  const tenant = await deps.directory.tenant();
  const facts = requestFacts(event, expires, deps.settings.PORTAL_BASE_URL, tenant.displayName);
  const summary = unreachedSummary(statuses);
  const asked = await fallbackRecipients(event, unreachedKeys, deps);
  const items: Deliverable[] = asked.map((p) =>
    addressed(deliveryId, 'approvalFallback', p, fallbackView(facts, summary, p.via, p.name), deps.settings, event),
  );
  const requester = await requesterOf(event, deps);
  if (requester && !asked.some((p) => recipientKey(p.address) === recipientKey(requester.address))) {
    const names = asked.map((p) => p.name ?? p.address);
    items.push(
      addressed(
        deliveryId,
        'approversUnreachedNotice',
        requester,
        unreachedNoticeView(facts, summary, names, requester.name),
        deps.settings,
        event,
      ),
    );
  }
  if (asked.length === 0)
    deps.log('error', `event ${event.id}: its approvers cannot be reached and there is nobody to fall back to (set ESCALATION_CONTACTS)`);
  const counts = await deliver(deliveryId, items, {
    transport: deps.transport,
    ledger: deps.ledger,
    leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
    concurrency: deps.settings.EMAIL_SEND_CONCURRENCY,
    personal: true,
    log: deps.log,
  });
  if (counts.sent > 0)
    deps.log(
      'warn',
      `event ${event.id}: approvers unreachable (${cause.kind}); asked ${asked.length} others instead, requester ${requester ? 'told' : 'unknown'}`,
    );
  return { kind: 'fellBack', deliveryId, asked: asked.length, requesterTold: !!requester, sent: counts.sent };
}

export interface Asked {
  address: string;
  name?: string;
  /** Why they are asked, in words: "an active Global Administrator", "escalation contact for scope …". */
  via: string;
}

async function fallbackRecipients(event: RoleEvent, unreached: ReadonlySet<string>, deps: EscalationDeps): Promise<Asked[]> {
  const byKey = new Map<string, Asked>();
  if (event.scope.kind === 'directory') {
    const names: Record<string, string> = { PRA: 'an active Privileged Role Administrator', GA: 'an active Global Administrator' };
    for (const role of DEFAULT_APPROVERS) {
      for (const holder of await deps.directory.directoryRoleHolders(DIRECTORY_ADMIN_ROLES[role])) {
        if (holder.state !== 'active' || holder.id.toLowerCase() === event.principal.id.toLowerCase()) continue;
        const address = addressOf(holder, deps.settings.ALTERNATE_ADDRESSES).address;
        if (!address || unreached.has(recipientKey(address)) || byKey.has(recipientKey(address))) continue;
        byKey.set(recipientKey(address), { address, name: holder.displayName, via: names[role]! });
      }
    }
  }
  if (byKey.size === 0) {
    const contacts = contactsFor(deps.settings.ESCALATION_CONTACTS, { scope: event.scope, roleDefinitionId: event.role?.id });
    for (const address of contacts.addresses)
      if (!unreached.has(recipientKey(address))) byKey.set(recipientKey(address), { address, via: `the ${contacts.via}` });
  }
  return [...byKey.values()];
}

async function requesterOf(event: RoleEvent, deps: EscalationDeps): Promise<{ address: string; name?: string } | undefined> {
  if (event.principal.type === 'group' || event.principal.type === 'servicePrincipal') return undefined;
  const person = await deps.directory.user(event.principal.id);
  if (!person) return undefined;
  const { address } = addressOf(person, deps.settings.ALTERNATE_ADDRESSES);
  return address ? { address, name: person.displayName } : undefined;
}

/** One person's own email of the delivery. */
export function addressed(
  deliveryId: string,
  name: EscalationEmail,
  to: { address: string; name?: string },
  view: object,
  settings: AddressingSettings,
  event?: PimEvent,
): Deliverable {
  const rendered = renderEscalation(name, view, renderOptions(settings));
  return {
    key: recipientKey(to.address),
    operationId: deliveryOperationId(deliveryId, to.address),
    notification: name,
    email: {
      ...rendered,
      from: { address: settings.EMAIL_SENDER_ADDRESS, displayName: settings.EMAIL_SENDER_NAME },
      to: { address: to.address, ...(to.name ? { displayName: to.name } : {}) },
      headers: { ...(event ? { 'X-PIM-Event-Id': event.id } : {}), 'X-PIM-Notification': name },
    },
  };
}

export type { RequestFacts };
