/**
 * The delivery ledger in Table Storage; the protocol is described in deliveryLedger.ts.
 * PartitionKey = event id, RowKey = recipientKey(address) (the address itself is not stored).
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { Claim, DeliveryLedger, DeliveryOutcome, DeliveryRequest, DeliveryStatus } from './deliveryLedger.js';
import { FRESH_CLAIMS_ROW, recipientsOf, type MessageRow } from './messageRows.js';
import { ensureTable, isConflict } from './tables.js';
import { systemClock, type Clock } from '../time/clock.js';

export type LedgerEntity = {
  partitionKey: string;
  rowKey: string;
  status: DeliveryStatus;
  operationId: string;
  notification: string;
  claimedAt: string;
  completedAt?: string;
  messageId?: string;
  error?: string;
  /** The grouped delivery's planned message (tableAcceptanceLedger.ts). */
  acsMessageId?: string;
  etag?: string;
};

const MAX_BATCH = 100;

export class TableDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async claim(eventId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>> {
    await ensureTable(this.client);
    // The fence first, then the read: a first delivery's claim that reads nothing (claimFresh)
    // either landed before this read or now fails on the fence (messageRows.ts).
    await this.client.upsertEntity({ partitionKey: eventId, rowKey: FRESH_CLAIMS_ROW, fencedAt: this.clock.now().toISOString() }, 'Merge');
    // Two passes at most: if a concurrent worker inserts between our read and our insert,
    // the transaction fails as a whole (409) and the second read sees its rows.
    for (let attempt = 0; ; attempt++) {
      const existing = await this.read(eventId);
      const claims = new Map<string, Claim>();
      const inserts: LedgerEntity[] = [];
      const takeovers: LedgerEntity[] = [];
      const nowIso = this.clock.now().toISOString();
      for (const r of requests) {
        const row = existing.get(r.key);
        if (!row) {
          inserts.push(claimedRow(eventId, r, nowIso));
          claims.set(r.key, { kind: 'send', mayHaveBeenSent: false });
        } else if (row.status === 'sent' || row.status === 'failed' || row.status === 'accepted') {
          claims.set(r.key, { kind: 'done', status: row.status });
        } else if (Date.parse(row.claimedAt) + leaseMs > this.clock.now().getTime()) {
          claims.set(r.key, busyUntil(Date.parse(row.claimedAt) + leaseMs, this.clock.now()));
        } else {
          takeovers.push(row);
          claims.set(r.key, { kind: 'send', mayHaveBeenSent: true });
        }
      }
      try {
        for (let i = 0; i < inserts.length; i += MAX_BATCH) {
          const actions: TransactionAction[] = inserts.slice(i, i + MAX_BATCH).map((e) => ['create', e]);
          await this.client.submitTransaction(actions);
        }
      } catch (e) {
        if (attempt === 0 && isConflict(e)) continue;
        throw e;
      }
      for (const row of takeovers) {
        try {
          // Exclusive: of two workers taking over, one gets 412 (the row's ETag) or, for a member
          // of a claimed message without a row of its own yet, 409 (the create).
          const entity = { partitionKey: eventId, rowKey: row.rowKey, claimedAt: nowIso };
          if (row.etag) await this.client.updateEntity(entity, 'Merge', { etag: row.etag });
          else await this.client.createEntity(entity);
        } catch (e) {
          if (!isConflict(e)) throw e;
          claims.set(row.rowKey, busyUntil(this.clock.now().getTime() + leaseMs, this.clock.now()));
        }
      }
      return claims;
    }
  }

  async complete(eventId: string, outcomes: DeliveryOutcome[]): Promise<void> {
    const completedAt = this.clock.now().toISOString();
    for (let i = 0; i < outcomes.length; i += MAX_BATCH) {
      const actions: TransactionAction[] = outcomes.slice(i, i + MAX_BATCH).map((o) => [
        'upsert',
        {
          partitionKey: eventId,
          rowKey: o.key,
          status: o.status,
          completedAt,
          ...(o.messageId ? { messageId: o.messageId } : {}),
          ...(o.error ? { error: o.error.slice(0, 1000) } : {}),
        },
        'Merge',
      ]);
      await this.client.submitTransaction(actions);
    }
  }

  async release(eventId: string, keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += MAX_BATCH) {
      const actions: TransactionAction[] = keys
        .slice(i, i + MAX_BATCH)
        // Upsert: a member of a claimed message may have no row of its own yet (messageRows.ts).
        .map((key) => ['upsert', { partitionKey: eventId, rowKey: key, claimedAt: new Date(0).toISOString() }, 'Merge']);
      await this.client.submitTransaction(actions);
    }
  }

  /** The event's recipients as they stand: members of claimed messages included, accepts settled (messageRows.ts). */
  private async read(eventId: string): Promise<Map<string, LedgerEntity>> {
    const escaped = eventId.replace(/'/g, "''");
    const entities: (LedgerEntity & MessageRow)[] = [];
    for await (const e of this.client.listEntities<LedgerEntity & MessageRow>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } })) entities.push(e as LedgerEntity & MessageRow);
    return new Map(recipientsOf(entities).map((r) => [r.rowKey, r as LedgerEntity]));
  }
}

/** A new recipient's row, claimed by this worker at `claimedAt`. */
export function claimedRow(eventId: string, r: DeliveryRequest, claimedAt: string): LedgerEntity {
  return { partitionKey: eventId, rowKey: r.key, status: 'claimed', operationId: r.operationId, notification: r.notification, claimedAt };
}

/** A busy claim, with how long until its lease runs out (a retry sooner than that finds it busy again, unless its sender finishes). */
function busyUntil(leaseEndMs: number, now: Date): Claim {
  return { kind: 'busy', retryAfterMs: Math.max(0, leaseEndMs - now.getTime()) };
}

