/**
 * The delivery benchmark's bookkeeping (bench/deliveryBench.ts, bench/digestDelivery.ts): what
 * the local ACS delivered against what the ledger planned, and the events per hour ACS's quotas
 * allow at a measured number of requests per event.
 */
import { recipientKey } from '../shared/delivery/deliveryLedger.js';
import type { FakeAcs } from '../test/support/fakeAcs.js';

/** Per (event, recipient key): how many deliveries the local ACS made. */
export function deliveryCounts(acs: FakeAcs): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of acs.deliveries) {
    const eventId = d.message.headers?.['X-PIM-Event-Id'] ?? '?';
    for (const r of [...(d.message.recipients.to ?? []), ...(d.message.recipients.bcc ?? [])]) {
      const k = `${eventId}\n${recipientKey(r.address)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return counts;
}

/** Of the planned (event, recipient) keys: how many got nothing, and how many deliveries were extra or unplanned. */
export function lostAndDuplicates(planned: Set<string>, counts: Map<string, number>): { lost: number; duplicates: number } {
  let lost = 0;
  let duplicates = 0;
  for (const k of planned) if (!counts.get(k)) lost++;
  for (const [k, n] of counts) duplicates += planned.has(k) ? n - 1 : n;
  return { lost, duplicates };
}

/** Events per hour before the quota throttles, at so many sends and status reads per event. */
export function perHour(quota: { sendsPerHour: number; statusPerHour: number }, sendsPerEvent: number, readsPerEvent: number): number {
  const bySends = sendsPerEvent > 0 ? quota.sendsPerHour / sendsPerEvent : Infinity;
  const byReads = readsPerEvent > 0 ? quota.statusPerHour / readsPerEvent : Infinity;
  return Number(Math.min(bySends, byReads).toFixed(1));
}
