/**
 * Delivery health: a sending domain whose share of failed deliveries rises above 1–2 % risks its
 * ACS quota (the figure issue 26 gives from ACS's quota guidance, learn.microsoft.com/azure/
 * communication-services/concepts/email/email-quota-increase; the exact sentence was not found
 * in the stored copy, hence a setting, DELIVERY_HEALTH_PERCENT, default 2). Each delivery report
 * recorded is counted in its hour (the app's clock);
 * once the hour has DELIVERY_HEALTH_MIN_REPORTS reports and the undeliverable share is above
 * DELIVERY_HEALTH_PERCENT, a warning with the figures is logged, once per hour (a conditional
 * insert: whatever the number of workers), and mailed to DELIVERY_HEALTH_ADDRESS if set.
 * Port here, Table Storage adapter in tableDeliveryHealth.ts.
 */
import { deliver } from '../delivery/deliver.js';
import type { Settings } from '../settings/settings.js';
import { addressed, type EscalationDeps } from './fallback.js';

/** Below this many reports in an hour a share says little (one bounce of three is not a trend). */
export const DELIVERY_HEALTH_MIN_REPORTS = 20;

export interface HourFigures {
  /** `2026-12-06T07`: the hour counted (UTC). */
  hour: string;
  total: number;
  undeliverable: number;
}

export interface DeliveryHealth {
  /** Counts one recorded report in `hour`; the hour's figures after it. */
  count(hour: string, undeliverable: boolean): Promise<HourFigures>;
  /** True for the first caller of the hour only: that one warns. */
  claimWarning(hour: string): Promise<boolean>;
}

export interface HealthDeps extends EscalationDeps {
  health: DeliveryHealth;
  settings: EscalationDeps['settings'] & Pick<Settings, 'DELIVERY_HEALTH_PERCENT' | 'DELIVERY_HEALTH_ADDRESS'>;
}

export async function countReport(undeliverable: boolean, deps: HealthDeps): Promise<'warned' | 'ok'> {
  const hour = deps.clock.now().toISOString().slice(0, 13);
  const figures = await deps.health.count(hour, undeliverable);
  const percent = figures.total === 0 ? 0 : (100 * figures.undeliverable) / figures.total;
  if (figures.total < DELIVERY_HEALTH_MIN_REPORTS || percent <= deps.settings.DELIVERY_HEALTH_PERCENT) return 'ok';
  if (!(await deps.health.claimWarning(hour))) return 'ok';
  const text = `${figures.undeliverable} of ${figures.total} delivery reports in the hour from ${hour}:00 UTC are undeliverable (${percent.toFixed(1)} %, above DELIVERY_HEALTH_PERCENT ${deps.settings.DELIVERY_HEALTH_PERCENT} %): ACS may limit the sending domain; fix or remove the addresses that bounce`;
  deps.log('warn', `delivery health: ${text}`);
  const to = deps.settings.DELIVERY_HEALTH_ADDRESS;
  if (to) {
    const view = {
      headline: `${percent.toFixed(1)} % of delivery reports undeliverable in the hour from ${hour}:00 UTC`,
      paragraphs: [`${text}.`, 'Run `pim-notify trail --since` for the emails and their outcomes.'],
      reason: 'You received this because your address is DELIVERY_HEALTH_ADDRESS of pim-notify.',
    };
    await deliver(`health:${hour}`, [addressed(`health:${hour}`, 'deliveryHealth', { address: to }, view, deps.settings)], {
      transport: deps.transport,
      ledger: deps.ledger,
      leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
      concurrency: 1,
      personal: true,
      log: deps.log,
    });
  }
  return 'warned';
}
