/**
 * The trail an auditor reads (`pim-notify trail`): every email about an event or a request, from
 * the production tables: who, why (the rule and the path `simulate` shows), when the transport
 * accepted it, and what the delivery report said and when.
 *
 * The ledger keeps no address (a row's key is a hash of it: deliveryLedger.ts), so "who" and
 * "why" come from planning the event again, as `simulate` does, against the directory: each
 * planned recipient's key is matched to its row. A row no planned recipient matches is matched
 * against the people of the earlier deliveries of the same trail (the requester told of a
 * fallback was the event's principal), then against the address book of fallback and escalation
 * (escalation/addressBook.ts: those emails keep no event); one no one matches (the directory has
 * changed since) shows its key and its notification.
 */
import type { DeliveryLedger, RecipientOutcome } from './deliveryLedger.js';
import { recipientKey } from './deliveryLedger.js';
import { parseEventText } from '../events/parse.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import { planNotifications, type NotifySettings } from '../planning/planNotifications.js';

export interface TrailRow {
  deliveryId: string;
  notification: string;
  /** The address, or `key:<first 12 hex>` when it cannot be told. */
  who: string;
  /** Rules and paths, as simulate shows them: `approvalRequest by Notification_Approver_EndUser_Assignment via Global Administrator (eligible)`. */
  why: string;
  acceptedAt: string;
  outcome: string;
  outcomeAt: string;
  resends: number;
  messageId: string;
}

export interface TrailDeps {
  ledger: Pick<DeliveryLedger, 'outcomes' | 'findMessage'>;
  directory: RoleDirectory;
  settings: NotifySettings;
  /**
   * Everyone fallback and escalation may have mailed, by recipient key, given the principals of
   * the trail's events (their requesters); asked once, when a row needs it.
   */
  addressBook: (requesters: readonly string[]) => Promise<Map<string, { address: string; why: string }>>;
}

export async function trailOf(deliveryIds: readonly string[], deps: TrailDeps): Promise<TrailRow[]> {
  const rows: TrailRow[] = [];
  const learned = new Map<string, { address: string; why: string }>();
  const requesters = new Set<string>();
  let book: Map<string, { address: string; why: string }> | undefined;
  for (const deliveryId of deliveryIds) {
    const outcomes = await deps.ledger.outcomes(deliveryId);
    const who = await recipientsOf(outcomes, deps, requesters);
    for (const [key, person] of who) if (!learned.has(key)) learned.set(key, person);
    for (const o of outcomes) {
      let known = who.get(o.key);
      if (!known && learned.has(o.key)) known = { address: learned.get(o.key)!.address, why: '' };
      if (!known) known = (book ??= await deps.addressBook([...requesters])).get(o.key);
      rows.push({
        deliveryId,
        notification: o.notification ?? '',
        who: known?.address ?? `key:${o.key.slice(0, 12)}`,
        why: known?.why ?? '',
        acceptedAt: o.acceptedAt ?? '',
        outcome: o.deliveryStatus ?? o.status,
        outcomeAt: o.deliveryAt ?? '',
        resends: o.resends,
        messageId: o.messageId ?? '',
      });
    }
  }
  return rows;
}

/** Who each row's key is, from the event its messages keep, planned again against the directory. */
async function recipientsOf(
  outcomes: RecipientOutcome[],
  deps: TrailDeps,
  requesters: Set<string>,
): Promise<Map<string, { address: string; why: string }>> {
  const who = new Map<string, { address: string; why: string }>();
  const messageId = outcomes.find((o) => o.messageId)?.messageId;
  const found = messageId ? await deps.ledger.findMessage(messageId) : undefined;
  if (!found?.eventText) return who;
  const parsed = parseEventText(found.eventText);
  if (parsed.kind === 'invalid') return who;
  if (parsed.event.principal) requesters.add(parsed.event.principal.id);
  // A directory that no longer explains the event (another tenant, a role gone) leaves its rows to the address book.
  const plan = await planNotifications(parsed.event, deps.directory.asOf(new Date(parsed.event.occurredAt)), deps.settings).catch(
    () => undefined,
  );
  if (!plan) return who;
  for (const { recipient } of plan.emails)
    who.set(recipientKey(recipient.address), {
      address: recipient.address,
      why: recipient.reasons.map((r) => `${r.notification}${r.ruleId ? ` by ${r.ruleId}` : ''} via ${r.via}`).join('; '),
    });
  return who;
}

const COLUMNS: Array<keyof TrailRow> = [
  'deliveryId',
  'notification',
  'who',
  'why',
  'acceptedAt',
  'outcome',
  'outcomeAt',
  'resends',
  'messageId',
];

/** RFC 4180: fields with a comma, quote or line break quoted, quotes doubled; CRLF line ends. */
export function trailCsv(rows: readonly TrailRow[]): string {
  const field = (v: unknown) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** A plain table for a terminal. */
export function trailTable(rows: readonly TrailRow[]): string {
  const shown: Array<keyof TrailRow> = ['notification', 'who', 'acceptedAt', 'outcome', 'outcomeAt', 'why'];
  const widths = shown.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(shown), ...rows.map((r) => line(shown.map((c) => String(r[c]))))].join('\n') + '\n';
}
