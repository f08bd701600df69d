/**
 * The step after planning that keeps a flood of events from flooding inboxes: of one event's
 * planned emails, those asking their recipient to act (approval requests, extension approval
 * requests, approval reminders: `actionable` in rules/notifications.ts) always go and are not
 * counted; each informational one goes while its person is under RECIPIENT_RATE_LIMIT in the
 * current window, else it is held back, recorded, and listed in the person's summary after
 * the window (heldBackSummary.ts). The digest is unaffected: it counts events, not emails.
 */
import { NOTIFICATIONS } from '../rules/notifications.js';
import type { Settings } from '../settings/settings.js';
import { singleLine } from '../render/format.js';
import type { RateLimit } from './rateLimit.js';
import type { NotificationPlan, PlannedEmail } from '../planning/planNotifications.js';

export type RateSettings = Pick<Settings, 'RECIPIENT_RATE_LIMIT' | 'RECIPIENT_RATE_WINDOW_MINUTES'>;

export interface HoldBackResult {
  send: PlannedEmail[];
  /** Informational emails held back for the summary (by this or an earlier delivery of the event). */
  held: number;
}

export function asksToAct(notification: string): boolean {
  return (NOTIFICATIONS as Record<string, { actionable: boolean } | undefined>)[notification]?.actionable === true;
}

/** `seenBefore`: the event registry has seen this event before (a redelivery, or a copy). */
export async function holdBack(
  plan: NotificationPlan,
  rateLimit: RateLimit,
  settings: RateSettings,
  seenBefore = true,
): Promise<HoldBackResult> {
  // RECIPIENT_RATE_LIMIT=0 turns the limit off.
  const limit = settings.RECIPIENT_RATE_LIMIT;
  const informational = plan.emails.filter((e) => !asksToAct(e.recipient.notification));
  if (limit <= 0 || informational.length === 0) return { send: plan.emails, held: 0 };
  const { event, names } = plan;
  // What the event is not about shows as a dash, not as the planner's "a role" / "someone".
  // On one line as the summary shows them (a line or paragraph separator would also make the
  // rate table's transaction fail on Azurite).
  const listed = {
    roleName: singleLine(event.role || event.scope.kind === 'group' ? names.roleName : ''),
    principalName: singleLine(event.principal ? names.principalName : ''),
    scopeName: singleLine(names.scopeName),
  };
  const decisions = await rateLimit.decide(
    event.id,
    informational.map((e) => ({
      key: e.key,
      address: e.recipient.address,
      ...(e.recipient.displayName ? { displayName: e.recipient.displayName } : {}),
      item: { eventId: event.id, notification: e.recipient.notification, occurredAt: event.occurredAt, ...listed },
    })),
    { limit, windowMs: settings.RECIPIENT_RATE_WINDOW_MINUTES * 60_000, seenBefore },
  );
  const send = plan.emails.filter((e) => asksToAct(e.recipient.notification) || decisions.get(e.key) !== 'held');
  return { send, held: plan.emails.length - send.length };
}
