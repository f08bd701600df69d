import type { Claim, DeliveryLedger, DeliveryOutcome, DeliveryRequest } from '../../shared/storage/deliveryLedger.js';
import { systemClock, type Clock } from '../../shared/time/clock.js';

/**
 * In memory, for unit tests of other modules: the Table ledger's protocol (deliveryLedger.ts)
 * in one process: a row per event × recipient, claims with a lease, outcomes kept.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
  private readonly rows = new Map<string, { status: 'claimed' | 'sent' | 'failed'; claimedAt: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async claim(eventId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>> {
    const claims = new Map<string, Claim>();
    const now = this.clock.now().getTime();
    for (const r of requests) {
      const id = `${eventId}|${r.key}`;
      const row = this.rows.get(id);
      if (!row) {
        this.rows.set(id, { status: 'claimed', claimedAt: now });
        claims.set(r.key, { kind: 'send', mayHaveBeenSent: false });
      } else if (row.status !== 'claimed') claims.set(r.key, { kind: 'done', status: row.status });
      else if (row.claimedAt + leaseMs > now) claims.set(r.key, { kind: 'busy', retryAfterMs: row.claimedAt + leaseMs - now });
      else {
        row.claimedAt = now;
        claims.set(r.key, { kind: 'send', mayHaveBeenSent: true });
      }
    }
    return claims;
  }

  async complete(eventId: string, outcomes: DeliveryOutcome[]): Promise<void> {
    for (const o of outcomes) this.rows.set(`${eventId}|${o.key}`, { status: o.status, claimedAt: 0 });
  }

  async release(eventId: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      const row = this.rows.get(`${eventId}|${key}`);
      if (row?.status === 'claimed') row.claimedAt = 0;
    }
  }
}
