/**
 * Escalation: a request still pending ESCALATION_AFTER_HOURS after it was made goes to the
 * escalation contacts of its role, scope or group (ESCALATION_CONTACTS), with how long it has
 * waited and how long is left, so that somebody acts before PIM's 24-hour approval window
 * closes. The requests collector asks on every run for each request it reads as pending
 * (requestsCollector.ts), so:
 *   - never after the decision: a decided request is no longer pending;
 *   - never after the window: the window's end is checked against the app's clock;
 *   - never twice: one delivery per request (`escalation:<request>`), each recipient sent once
 *     by the ledger; once sent, the request is recorded in the sources table (EmittedStore) so
 *     later runs do not even look again;
 *   - off unless contacts are set: no contact matching the request, no escalation.
 */
import { deliver } from '../delivery/deliver.js';
import type { RoleEvent } from '../events/schema.js';
import type { Settings } from '../settings/settings.js';
import type { EmittedStore } from '../sources/sourcesStore.js';
import { approvalExpiry } from '../time/approvalWindow.js';
import { contactsFor } from './escalationSettings.js';
import { escalationView, requestFacts } from './escalationView.js';
import { addressed, requestDeliveryId, type EscalationDeps, type EscalationSettings } from './fallback.js';

const HOUR = 3_600_000;

export interface EscalateDeps extends EscalationDeps {
  settings: EscalationSettings & Pick<Settings, 'ESCALATION_AFTER_HOURS'>;
  /** Where an escalation sent is recorded, so later runs skip the request at once. */
  emitted: Pick<EmittedStore, 'has' | 'record'>;
}

export type EscalationOutcome =
  { kind: 'off' | 'notDue' | 'closed' | 'already' | 'noContacts' } | { kind: 'escalated'; to: number; sent: number };

/** `event`: the pending request as an event (its `request.createdDateTime` is when the wait began). */
export async function escalateIfWaiting(event: RoleEvent, deps: EscalateDeps): Promise<EscalationOutcome> {
  const hours = deps.settings.ESCALATION_AFTER_HOURS;
  if (hours === null) return { kind: 'off' };
  const created = event.request?.createdDateTime ?? event.occurredAt;
  const now = deps.clock.now().getTime();
  const expires = approvalExpiry(created);
  if (now >= expires.getTime()) return { kind: 'closed' };
  if (now < Date.parse(created) + hours * HOUR) return { kind: 'notDue' };
  const contacts = contactsFor(deps.settings.ESCALATION_CONTACTS, { scope: event.scope, roleDefinitionId: event.role?.id });
  if (contacts.addresses.length === 0) return { kind: 'noContacts' };
  const deliveryId = requestDeliveryId('escalation', event);
  if (await deps.emitted.has(deliveryId)) return { kind: 'already' };
  const tenant = await deps.directory.tenant();
  const facts = requestFacts(event, expires, deps.settings.PORTAL_BASE_URL, tenant.displayName);
  const view = escalationView(facts, now - Date.parse(created), expires.getTime() - now, `the ${contacts.via}`);
  const items = contacts.addresses.map((address) => addressed(deliveryId, 'approvalEscalation', { address }, view, deps.settings, event));
  const counts = await deliver(deliveryId, items, {
    transport: deps.transport,
    ledger: deps.ledger,
    leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
    concurrency: deps.settings.EMAIL_SEND_CONCURRENCY,
    personal: true,
    log: deps.log,
  });
  await deps.emitted.record(deliveryId);
  deps.log('warn', `request ${event.request?.id ?? event.id}: still pending after ${hours} h; escalated to ${items.length} contacts`);
  return { kind: 'escalated', to: items.length, sent: counts.sent };
}
