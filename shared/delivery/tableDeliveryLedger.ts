/**
 * The delivery ledger in Table Storage (protocol: deliveryLedger.ts). One table: PartitionKey =
 * the delivery's id (an event id, a digest's week, a held-back window), RowKey = recipient key
 * (the address itself is not stored), beside the delivery's message rows (messageRows.ts); and
 * the index rows that lead a report's message id back to its delivery (messageIndex.ts).
 *
 * The first delivery's claim reads nothing: it creates the delivery's message rows, members
 * listed, in one transaction with the fence row `fresh-claims` (created by the first, updated
 * under its ETag by each further one). Every other claim (claim()) writes the fence first and
 * only then reads, so a first-delivery claim either lands before that read (and is seen) or
 * fails on the fence (and is claimed the long way): never both unseen.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
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
} from './deliveryLedger.js';
import { findIndexedMessage, writeIndexes, type IndexedMessage } from './messageIndex.js';
import {
  FRESH_CLAIMS_ROW,
  claimedMember,
  membersOf,
  messageRowKey,
  present,
  recipientsOf,
  settle,
  awaitedMessage,
  type MessageRow,
} from './messageRows.js';
import { ensureTable, entityOrUndefined, isConflict, statusOf } from '../storage/tables.js';
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
  /** The message the row is planned into (deliveryLedger.ts: plan). */
  acsMessageId?: string;
  etag?: string;
};

type Row = {
  partitionKey: string;
  rowKey: string;
  status: DeliveryStatus;
  notification?: string;
  acsMessageId?: string;
  acceptedAt?: string;
  deliveryStatus?: string;
  deliveryAt?: string;
  deliveryMessageId?: string;
  deliveryDetail?: string;
  resends?: number;
  resend?: boolean;
  notSent?: boolean;
  etag?: string;
};

const MAX_BATCH = 100;
const EPOCH = new Date(0).toISOString();
/** ACS's spelling of a delivery report's status for a message in the mailbox (EmailDeliveryReportStatus). */
const DELIVERED = 'Delivered';

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

  async refused(deliveryId: string, refusals: Refusal[]): Promise<void> {
    const completedAt = this.clock.now().toISOString();
    await this.merge(
      refusals.map((r) => ({ partitionKey: deliveryId, rowKey: r.key, status: 'failed', completedAt, error: r.error.slice(0, 1000) })),
    );
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

  async pending(eventId: string, keys: string[]): Promise<Map<string, PendingRow>> {
    const wanted = new Set(keys);
    const rows = new Map<string, PendingRow>();
    for (const row of await this.rows(eventId)) {
      if (!wanted.has(row.rowKey)) continue;
      rows.set(row.rowKey, {
        ...(row.acsMessageId ? { messageId: row.acsMessageId } : {}),
        resend: row.resend === true,
        notSent: row.notSent === true,
        resends: row.resends ?? 0,
      });
    }
    return rows;
  }

  async plan(eventId: string, messages: PlannedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await ensureTable(this.client);
    // Index rows first: a report can then always find its event, even for a message whose rows we never got to write.
    await writeIndexes(
      this.client,
      messages.map((m) => ({ messageId: m.messageId, eventId, eventText: m.eventText })),
    );
    // `resend` stays as it is: a resend planned, then handed back or cut short, is still a resend (its own id, deliver.ts).
    const updates = messages.flatMap((m) =>
      m.keys.map((key) => ({ partitionKey: eventId, rowKey: key, acsMessageId: m.messageId, notSent: false })),
    );
    await this.merge(updates);
  }

  async accepted(eventId: string, accepted: AcceptedMessage[]): Promise<void> {
    // Once per message, whatever its number of recipients: their rows name it already.
    const messages = new Map(accepted.map((a) => [a.plannedId, a]));
    for (const { plannedId, messageId } of messages.values()) {
      if (messageId === plannedId) continue;
      const planned = await this.findMessage(plannedId);
      await writeIndexes(this.client, [{ messageId, eventId, eventText: planned?.eventText, plannedId }]);
    }
    const acceptedAt = this.clock.now().toISOString();
    await this.merge(
      [...messages.values()].map(({ plannedId, messageId, delivered }) => ({
        partitionKey: eventId,
        rowKey: messageRowKey(plannedId),
        acceptedAs: messageId,
        acceptedAt,
        // The transport is the mailbox: its acceptance is every member's Delivered report, as ACS's would be.
        ...(delivered ? { deliveryStatus: DELIVERED, deliveryAt: acceptedAt, deliveryMessageId: messageId } : {}),
      })),
    );
  }

  async claimFresh(eventId: string, messages: FreshMessage[], onClaimed?: (messageIds: string[]) => void): Promise<Set<string>> {
    const claimed = new Set<string>();
    const fresh = messages.filter((m) => m.requests.length > 0);
    if (fresh.length === 0) return claimed;
    await ensureTable(this.client);
    const claimedAt = this.clock.now().toISOString();
    // One transaction per 99 messages and the fence, one after the other: each proves through the
    // fence's ETag that no other claim has read the event since the one before.
    let fence: string | undefined;
    for (let i = 0; i < fresh.length; i += MAX_BATCH - 1) {
      const batch = fresh.slice(i, i + MAX_BATCH - 1);
      const actions: TransactionAction[] = [
        fence === undefined
          ? ['create', { partitionKey: eventId, rowKey: FRESH_CLAIMS_ROW, since: claimedAt }]
          : ['update', { partitionKey: eventId, rowKey: FRESH_CLAIMS_ROW, since: claimedAt }, 'Merge', { etag: fence }],
        ...batch.map((m): TransactionAction => ['create', messageClaim(eventId, m, claimedAt)]),
      ];
      // The index rows alongside, both written before the batch may be sent. One for a message that
      // turns out not to be ours is harmless: an id is derived from its event and members.
      const [written, indexed] = await Promise.allSettled([
        this.client.submitTransaction(actions),
        writeIndexes(
          this.client,
          batch.map((m) => ({ messageId: m.messageId, eventId, eventText: m.eventText })),
        ),
      ]);
      if (written!.status === 'rejected') {
        // Fenced off (another claim read the event) or claimed before: nothing of this batch was written.
        if (isConflict(written!.reason)) break;
        throw written!.reason;
      }
      if (indexed!.status === 'rejected') {
        // Claimed but not findable by a report: given back untouched, so the retry sends them at
        // once (the long way) instead of finding them busy for a whole lease.
        await this.handBack(
          eventId,
          batch.flatMap((m) => m.requests.map((r) => r.key)),
        );
        throw indexed!.reason;
      }
      for (const m of batch) claimed.add(m.messageId);
      onClaimed?.(batch.map((m) => m.messageId));
      fence = written!.value.subResponses.find((r) => r.rowKey === FRESH_CLAIMS_ROW)?.etag;
      if (!fence) break; // the rest the long way
    }
    return claimed;
  }

  async handBack(eventId: string, keys: string[]): Promise<void> {
    await this.merge(keys.map((key) => ({ partitionKey: eventId, rowKey: key, claimedAt: EPOCH, notSent: true })));
  }

  findMessage(messageId: string): Promise<IndexedMessage | undefined> {
    return findIndexedMessage(this.client, messageId);
  }

  async recordReport(eventId: string, report: DeliveryReport, maxResends: number): Promise<ReportRecord> {
    // The ETag (or, for a member without a row of its own, the create) makes read-decide-write
    // safe against a concurrent report or accept: on 412 or 409, decide again.
    for (;;) {
      const row = await this.recipient(eventId, report);
      if (!row) return { kind: 'unknown' };
      if (isStale(row, report)) return { kind: 'stale' };
      const delivery = {
        deliveryStatus: report.status,
        deliveryAt: report.at,
        deliveryMessageId: report.messageId,
        deliveryDetail: (report.detail ?? '').slice(0, 500),
      };
      const failed = report.status === 'Failed';
      // About the message the row awaits, whose accept is not written yet: recorded now, the retry
      // would look like a duplicate and never resend. (A row without one was reset for a resend:
      // the report is about its earlier message.)
      if (failed && row.status === 'claimed' && row.acsMessageId) return { kind: 'early' };
      const resends = row.resends ?? 0;
      // Only an accepted row goes back for a resend: before the accept is written the sender still
      // holds it (the report is retried), and after a crash the takeover asks ACS and resends itself.
      const resend = failed && row.status === 'accepted' && row.acsMessageId === report.messageId && resends < maxResends;
      const giveUp = failed && row.status === 'accepted' && row.acsMessageId === report.messageId && !resend;
      const update = {
        partitionKey: eventId,
        rowKey: report.key,
        ...delivery,
        ...(resend ? { status: 'claimed', claimedAt: EPOCH, resend: true, notSent: false, acsMessageId: '', resends: resends + 1 } : {}),
        ...(giveUp ? { status: 'failed', error: `ACS reported Failed for ${resends + 1} messages in a row` } : {}),
      };
      try {
        if (row.etag) await this.client.updateEntity(update, 'Merge', { etag: row.etag });
        else await this.client.createEntity(update);
        return { kind: 'recorded', resend };
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  async outcomes(eventId: string): Promise<RecipientOutcome[]> {
    return (await this.rows(eventId)).map((r) => ({
      key: r.rowKey,
      status: r.status,
      ...present({ messageId: r.acsMessageId, notification: r.notification, acceptedAt: r.acceptedAt }),
      ...present({ deliveryStatus: r.deliveryStatus, deliveryAt: r.deliveryAt }),
      resends: r.resends ?? 0,
    }));
  }

  /** The event's recipients as they stand: members of claimed messages included, accepts settled (messageRows.ts). */
  private async read(eventId: string): Promise<Map<string, LedgerEntity>> {
    const escaped = eventId.replace(/'/g, "''");
    const entities: (LedgerEntity & MessageRow)[] = [];
    for await (const e of this.client.listEntities<LedgerEntity & MessageRow>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } }))
      entities.push(e as LedgerEntity & MessageRow);
    return new Map(recipientsOf(entities).map((r) => [r.rowKey, r as LedgerEntity]));
  }

  /** The event's recipients as they stand (messageRows.ts). */
  private async rows(eventId: string): Promise<Row[]> {
    const escaped = eventId.replace(/'/g, "''");
    const entities: (Row & MessageRow)[] = [];
    try {
      for await (const e of this.client.listEntities<Row & MessageRow>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } }))
        entities.push(e as Row & MessageRow);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    return recipientsOf<Row>(entities);
  }

  /**
   * One recipient as it stands, by point reads: the own row, the message's claim it is a member
   * of (found from the report's message, or through the index for an attempt id), the accept.
   */
  private async recipient(eventId: string, report: DeliveryReport): Promise<Row | undefined> {
    const own = await this.entity<Row>(eventId, report.key);
    let base: Row | undefined;
    if (!own?.status) {
      const message =
        (await this.entity<MessageRow>(eventId, messageRowKey(report.messageId))) ?? (await this.plannedMessage(eventId, report.messageId));
      if (message && membersOf(message).includes(report.key)) base = claimedMember(message, report.key) as Row;
    }
    // A member planned again into a message of its own (a refused shared message, deliver.ts): its claim is another message's.
    if (!own?.status && !base && own?.acsMessageId) return (await this.rows(eventId)).find((r) => r.rowKey === report.key);
    // A row of its own without a status is a member's overlay: without its message it says nothing.
    if (!own?.status && !base) return undefined;
    const row = { ...base, ...own } as Row;
    const planned = awaitedMessage(row);
    const message = planned === undefined ? undefined : await this.entity<MessageRow>(eventId, messageRowKey(planned));
    return message ? settle(row, new Map([[message.rowKey, message]])) : row;
  }

  private async plannedMessage(eventId: string, messageId: string): Promise<MessageRow | undefined> {
    const plannedId = (await this.findMessage(messageId))?.plannedId;
    return plannedId ? this.entity<MessageRow>(eventId, messageRowKey(plannedId)) : undefined;
  }

  private entity<T extends object>(partitionKey: string, rowKey: string): Promise<(T & { etag?: string }) | undefined> {
    return entityOrUndefined<T>(this.client, partitionKey, rowKey);
  }

  private async merge(entities: ({ partitionKey: string; rowKey: string } & Record<string, unknown>)[]): Promise<void> {
    // One transaction per 100 rows, all at once: each is a merge of its own rows, in no order.
    const chunks: TransactionAction[][] = [];
    for (let i = 0; i < entities.length; i += MAX_BATCH) chunks.push(entities.slice(i, i + MAX_BATCH).map((e) => ['upsert', e, 'Merge']));
    await Promise.all(chunks.map((actions) => this.client.submitTransaction(actions)));
  }
}

/** A message's claim on an event's first delivery: its members instead of a row each. */
function messageClaim(eventId: string, m: FreshMessage, claimedAt: string): MessageRow & Record<string, unknown> {
  return {
    partitionKey: eventId,
    rowKey: messageRowKey(m.messageId),
    members: m.requests.map((r) => r.key).join(','),
    notification: m.requests[0]!.notification,
    claimedAt,
  };
}

/** Already recorded, older than what is recorded, or about a message this person has since been sent again. */
function isStale(row: Row, report: DeliveryReport): boolean {
  if (row.deliveryMessageId === report.messageId && row.deliveryStatus === report.status) return true;
  if (row.deliveryAt && Date.parse(row.deliveryAt) > Date.parse(report.at)) return true;
  return (row.resends ?? 0) > 0 && !!row.acsMessageId && row.acsMessageId !== report.messageId;
}

/** A new recipient's row, claimed by this worker at `claimedAt`. */
export function claimedRow(eventId: string, r: DeliveryRequest, claimedAt: string): LedgerEntity {
  return { partitionKey: eventId, rowKey: r.key, status: 'claimed', operationId: r.operationId, notification: r.notification, claimedAt };
}

/** A busy claim, with how long until its lease runs out (a retry sooner than that finds it busy again, unless its sender finishes). */
function busyUntil(leaseEndMs: number, now: Date): Claim {
  return { kind: 'busy', retryAfterMs: Math.max(0, leaseEndMs - now.getTime()) };
}
