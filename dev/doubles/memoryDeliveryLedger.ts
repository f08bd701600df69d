import type {
  AcceptedMessage,
  Claim,
  DeliveryLedger,
  DeliveryReport,
  DeliveryRequest,
  DeliveryStatus,
  FreshMessage,
  PendingRow,
  PlannedMessage,
  RecipientOutcome,
  Refusal,
  ReportRecord,
} from '../../shared/delivery/deliveryLedger.js';
import { systemClock, type Clock } from '../../shared/time/clock.js';

interface Row {
  status: DeliveryStatus;
  claimedAt: number;
  messageId?: string;
  resend: boolean;
  notSent: boolean;
  resends: number;
  deliveryStatus?: string;
  deliveryAt?: string;
}

/**
 * In memory, for unit tests of other modules: the Table ledger's protocol (deliveryLedger.ts)
 * in one process, a row per delivery × recipient. claimFresh claims nothing (everything goes
 * the long way, which the protocol allows); no message rows, no fence.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
  private readonly rows = new Map<string, Row>();
  private readonly index = new Map<string, { eventId: string; eventText?: string }>();

  constructor(private readonly clock: Clock = systemClock) {}

  private row(deliveryId: string, key: string): Row | undefined {
    return this.rows.get(`${deliveryId}|${key}`);
  }

  async claim(deliveryId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>> {
    const claims = new Map<string, Claim>();
    const now = this.clock.now().getTime();
    for (const r of requests) {
      const row = this.row(deliveryId, r.key);
      if (!row) {
        this.rows.set(`${deliveryId}|${r.key}`, { status: 'claimed', claimedAt: now, resend: false, notSent: false, resends: 0 });
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

  async claimFresh(_deliveryId: string, _messages: FreshMessage[]): Promise<Set<string>> {
    return new Set();
  }

  async refused(deliveryId: string, refusals: Refusal[]): Promise<void> {
    for (const r of refusals) {
      const row = this.row(deliveryId, r.key);
      if (row) row.status = 'failed';
    }
  }

  async release(deliveryId: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      const row = this.row(deliveryId, key);
      if (row?.status === 'claimed') row.claimedAt = 0;
    }
  }

  async handBack(deliveryId: string, keys: string[]): Promise<void> {
    for (const key of keys) {
      const row = this.row(deliveryId, key);
      if (row?.status === 'claimed') Object.assign(row, { claimedAt: 0, notSent: true });
    }
  }

  async pending(deliveryId: string, keys: string[]): Promise<Map<string, PendingRow>> {
    const out = new Map<string, PendingRow>();
    for (const key of keys) {
      const row = this.row(deliveryId, key);
      if (row)
        out.set(key, {
          ...(row.messageId ? { messageId: row.messageId } : {}),
          resend: row.resend,
          notSent: row.notSent,
          resends: row.resends,
        });
    }
    return out;
  }

  async plan(deliveryId: string, messages: PlannedMessage[]): Promise<void> {
    for (const m of messages) {
      this.index.set(m.messageId, { eventId: deliveryId, ...(m.eventText ? { eventText: m.eventText } : {}) });
      for (const key of m.keys) Object.assign(this.row(deliveryId, key) ?? {}, { messageId: m.messageId, notSent: false });
    }
  }

  async accepted(deliveryId: string, accepted: AcceptedMessage[]): Promise<void> {
    const at = this.clock.now().toISOString();
    for (const a of accepted) {
      for (const [id, row] of this.rows) {
        if (!id.startsWith(`${deliveryId}|`) || row.messageId !== a.plannedId || row.status !== 'claimed') continue;
        Object.assign(row, {
          status: 'accepted',
          messageId: a.messageId,
          ...(a.delivered ? { deliveryStatus: 'Delivered', deliveryAt: at } : {}),
        });
      }
      if (a.messageId !== a.plannedId) this.index.set(a.messageId, this.index.get(a.plannedId) ?? { eventId: deliveryId });
    }
  }

  async findMessage(messageId: string): Promise<{ eventId: string; eventText?: string } | undefined> {
    return this.index.get(messageId);
  }

  async recordReport(deliveryId: string, report: DeliveryReport, maxResends: number): Promise<ReportRecord> {
    const row = this.row(deliveryId, report.key);
    if (!row) return { kind: 'unknown' };
    if (row.deliveryAt && Date.parse(row.deliveryAt) > Date.parse(report.at)) return { kind: 'stale' };
    Object.assign(row, { deliveryStatus: report.status, deliveryAt: report.at });
    const failedNow = report.status === 'Failed' && row.status === 'accepted' && row.messageId === report.messageId;
    if (!failedNow) return { kind: 'recorded', resend: false };
    if (row.resends >= maxResends) {
      row.status = 'failed';
      return { kind: 'recorded', resend: false };
    }
    Object.assign(row, { status: 'claimed', claimedAt: 0, resend: true, notSent: false, messageId: undefined, resends: row.resends + 1 });
    return { kind: 'recorded', resend: true };
  }

  async outcomes(deliveryId: string): Promise<RecipientOutcome[]> {
    return [...this.rows]
      .filter(([id]) => id.startsWith(`${deliveryId}|`))
      .map(([id, row]) => ({
        key: id.slice(deliveryId.length + 1),
        status: row.status,
        ...(row.messageId ? { messageId: row.messageId } : {}),
        ...(row.deliveryStatus ? { deliveryStatus: row.deliveryStatus } : {}),
        resends: row.resends,
      }));
  }
}
