/**
 * The held-back summary (timer: functions/heldBackSummary.ts, HELD_BACK_SCHEDULE): each person
 * whose informational emails the rate limit held back (holdBack.ts) in a window that has
 * closed gets ONE email listing them, delivered like every email (delivery/deliver.ts).
 * Exactly once through the delivery ledger, keyed
 * `held:<recipient>:<window start>`: a rerun, a retry, or two overlapping runs send it once;
 * the window's row goes only after the summary is recorded, so a crash in between resends
 * nothing and loses nothing.
 */
import type { RoleDirectory } from '../directory/roleDirectory.js';
import type { RenderedEmail } from '../render/email.js';
import type { Transport } from '../transport/transport.js';
import { renderHeldBack } from '../render/render.js';
import type { Settings } from '../settings/settings.js';
import { deliveryOperationId, type DeliveryLedger } from '../delivery/deliveryLedger.js';
import type { DueSummary, HeldItem, RateLimit } from '../rateLimit/rateLimit.js';
import type { Log } from '../log.js';
import { DeliveryBusyError, deliver, type DeliveryCounts } from '../delivery/deliver.js';
import { renderOptions } from '../planning/addressing.js';

export type HeldBackSettings = Pick<
  Settings,
  | 'RECIPIENT_RATE_LIMIT'
  | 'RECIPIENT_RATE_WINDOW_MINUTES'
  | 'PORTAL_BASE_URL'
  | 'TEMPLATES_DIR'
  | 'EMAIL_SENDER_ADDRESS'
  | 'EMAIL_SENDER_NAME'
  | 'DELIVERY_LEASE_SECONDS'
  | 'EMAIL_SEND_CONCURRENCY'
>;

export interface HeldBackDeps {
  rateLimit: RateLimit;
  directory: RoleDirectory;
  transport: Transport;
  ledger: DeliveryLedger;
  settings: HeldBackSettings;
  log: Log;
}

export interface HeldBackOutcome extends Omit<DeliveryCounts, 'messages'> {
  kind: 'done';
  /** Windows that owed a summary. */
  windows: number;
  /** Emails listed in the summaries sent by this run. */
  listed: number;
  /** Summaries another run was sending at the same moment (left for the next run). */
  busy: number;
}

/**
 * A window is summarised this long after it ends, so that a worker whose clock is a little
 * behind cannot still be holding emails back in it.
 */
export const CLOCK_GRACE_MS = 60_000;

export function heldBackLedgerId(due: Pick<DueSummary, 'key' | 'windowStart'>): string {
  return `held:${due.key}:${due.windowStart}`;
}

/** One person's summary of one window. */
export function renderSummary(window: DueSummary, items: HeldItem[], tenantName: string, settings: HeldBackSettings): RenderedEmail {
  return renderHeldBack(
    {
      tenantName,
      items,
      windowStart: window.windowStart,
      windowEnd: window.windowEnd,
      limit: settings.RECIPIENT_RATE_LIMIT,
      windowMinutes: settings.RECIPIENT_RATE_WINDOW_MINUTES,
      recipientName: window.displayName,
      reason: `You received this summary as the recipient of the notifications it lists in ${tenantName}.`,
    },
    renderOptions(settings),
  );
}

export async function sendHeldBackSummaries(now: Date, deps: HeldBackDeps): Promise<HeldBackOutcome> {
  const outcome: HeldBackOutcome = { kind: 'done', windows: 0, listed: 0, busy: 0, sent: 0, alreadySent: 0, failed: 0 };
  const due = await deps.rateLimit.dueSummaries(new Date(now.getTime() - CLOCK_GRACE_MS));
  if (due.length === 0) return outcome;
  const tenant = await deps.directory.tenant();
  for (const window of due) {
    outcome.windows++;
    const items = await deps.rateLimit.heldIn(window);
    if (items.length > 0) {
      const ledgerId = heldBackLedgerId(window);
      const email = {
        ...renderSummary(window, items, tenant.displayName, deps.settings),
        from: { address: deps.settings.EMAIL_SENDER_ADDRESS, displayName: deps.settings.EMAIL_SENDER_NAME },
        to: { address: window.address, ...(window.displayName ? { displayName: window.displayName } : {}) },
        headers: { 'X-PIM-Notification': 'heldBackSummary', 'X-PIM-Held-Back-Window': window.windowStart },
      };
      let counts: DeliveryCounts;
      try {
        counts = await deliver(
          ledgerId,
          [{ key: window.key, operationId: deliveryOperationId(ledgerId, window.address), notification: 'heldBackSummary', email }],
          {
            transport: deps.transport,
            ledger: deps.ledger,
            leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
            concurrency: deps.settings.EMAIL_SEND_CONCURRENCY,
            personal: true,
            log: deps.log,
          },
        );
      } catch (e) {
        if (!(e instanceof DeliveryBusyError)) throw e;
        // An overlapping run is sending this one: it stays due, and the next run finds it sent.
        outcome.busy++;
        continue;
      }
      outcome.sent += counts.sent;
      outcome.alreadySent += counts.alreadySent;
      outcome.failed += counts.failed;
      if (counts.sent > 0) outcome.listed += items.length;
    }
    await deps.rateLimit.summarised(window);
  }
  return outcome;
}
