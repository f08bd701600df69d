/**
 * The delivery ledger: one row per event × recipient, so that a message delivered twice
 * (or a retry after a partial failure) sends each email once.
 *
 * Layout: PartitionKey = event id, RowKey = sha256 of the lower-cased address (addresses
 * may hold characters keys cannot; the address itself is not stored).
 *
 * Protocol per event (4 table operations in the common case, whatever the recipient count):
 *   1. read the event's partition                       (1 query)
 *   2. insert a `claimed` row for each new recipient    (1 transaction per 100)
 *   3. send
 *   4. mark rows `sent` / `failed`                      (1 transaction per 100)
 * A claim without an outcome means an earlier attempt died between 2 and 4: while its lease
 * is fresh another worker may be sending it (→ busy: retry later); once stale, the send is
 * taken over and the transport is told it may already have gone out (mayHaveBeenSent).
 */
import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { ensureTable, statusOf } from './tables.js';

export type DeliveryStatus = 'claimed' | 'sent' | 'failed';

export interface DeliveryRequest {
  /** sha256 of the lower-cased address: recipientKey(). */
  key: string;
  operationId: string;
  notification: string;
}

export type Claim =
  | { kind: 'send'; mayHaveBeenSent: boolean }
  | { kind: 'done'; status: 'sent' | 'failed' }
  /** Another worker claimed it moments ago and may be sending it right now. */
  | { kind: 'busy' };

export interface DeliveryOutcome {
  key: string;
  status: 'sent' | 'failed';
  messageId?: string;
  /** A short, address-free reason for failures. */
  error?: string;
}

export interface DeliveryLedger {
  claim(eventId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>>;
  complete(eventId: string, outcomes: DeliveryOutcome[]): Promise<void>;
  /**
   * Gives up claims this worker will not finish (a transient send failure): the next attempt
   * takes them over at once, as possibly sent, instead of waiting for the lease to run out.
   */
  release(eventId: string, keys: string[]): Promise<void>;
}

export function recipientKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 40);
}

/** A UUID (version-5 layout) derived from the event and the address: the same send, the same id. */
export function deliveryOperationId(eventId: string, address: string): string {
  const h = createHash('sha1').update(`pim-notify\n${eventId}\n${address.trim().toLowerCase()}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

type LedgerEntity = {
  partitionKey: string;
  rowKey: string;
  status: DeliveryStatus;
  operationId: string;
  notification: string;
  claimedAt: string;
  completedAt?: string;
  messageId?: string;
  error?: string;
  etag?: string;
};

const MAX_BATCH = 100;

export class TableDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(eventId: string, requests: DeliveryRequest[], leaseMs: number): Promise<Map<string, Claim>> {
    await ensureTable(this.client);
    // Two passes at most: if a concurrent worker inserts between our read and our insert,
    // the transaction fails as a whole (409) and the second read sees its rows.
    for (let attempt = 0; ; attempt++) {
      const existing = await this.read(eventId);
      const claims = new Map<string, Claim>();
      const inserts: LedgerEntity[] = [];
      const takeovers: LedgerEntity[] = [];
      const nowIso = this.now().toISOString();
      for (const r of requests) {
        const row = existing.get(r.key);
        if (!row) {
          inserts.push({ partitionKey: eventId, rowKey: r.key, status: 'claimed', operationId: r.operationId, notification: r.notification, claimedAt: nowIso });
          claims.set(r.key, { kind: 'send', mayHaveBeenSent: false });
        } else if (row.status === 'sent' || row.status === 'failed') {
          claims.set(r.key, { kind: 'done', status: row.status });
        } else if (Date.parse(row.claimedAt) + leaseMs > this.now().getTime()) {
          claims.set(r.key, { kind: 'busy' });
        } else {
          takeovers.push({ ...row, claimedAt: nowIso });
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
          // The ETag makes the takeover exclusive: of two workers taking over, one gets 412.
          const { etag, ...entity } = row;
          await this.client.updateEntity(entity, 'Merge', { etag });
        } catch (e) {
          if (statusOf(e) !== 412) throw e;
          claims.set(row.rowKey, { kind: 'busy' });
        }
      }
      return claims;
    }
  }

  async complete(eventId: string, outcomes: DeliveryOutcome[]): Promise<void> {
    const completedAt = this.now().toISOString();
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
        .map((key) => ['update', { partitionKey: eventId, rowKey: key, claimedAt: new Date(0).toISOString() }, 'Merge']);
      await this.client.submitTransaction(actions);
    }
  }

  private async read(eventId: string): Promise<Map<string, LedgerEntity>> {
    const rows = new Map<string, LedgerEntity>();
    const escaped = eventId.replace(/'/g, "''");
    for await (const e of this.client.listEntities<LedgerEntity>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } })) {
      rows.set(e.rowKey, e as LedgerEntity);
    }
    return rows;
  }
}

function isConflict(e: unknown): boolean {
  const status = statusOf(e);
  // A failed entity-group transaction reports the inner 409 (Azurite: sometimes as 400 with EntityAlreadyExists).
  return status === 409 || /EntityAlreadyExists|already exists/i.test(String((e as Error)?.message ?? ''));
}
