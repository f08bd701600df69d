/**
 * The grouped delivery's ledger (protocol: AcceptanceLedger in deliveryLedger.ts), in the same
 * table as TableDeliveryLedger: PartitionKey = event id, RowKey = recipient key, beside the
 * event's message rows (messageRows.ts); plus one index row per message (a delivery report
 * names only the message and the address): PartitionKey = `messages-<the id's first two hex
 * digits>`, RowKey = the id. The ids of one event share their first byte (deliveryOperationId),
 * so its index rows go in one write.
 *
 * The first delivery's claim reads nothing: it creates the event's message rows, members
 * listed, in one transaction with the fence row `fresh-claims` (created by the first, updated
 * under its ETag by each further one). Every other claim of the event (TableDeliveryLedger.claim)
 * writes the fence first and only then reads, so a first-delivery claim either lands before that
 * read (and is seen) or fails on the fence (and is claimed the long way): never both unseen.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { AcceptanceLedger, DeliveryReport, DeliveryStatus, FreshMessage, PendingRow, PlannedMessage, RecipientOutcome, ReportRecord } from './deliveryLedger.js';
import { FRESH_CLAIMS_ROW, claimedMember, membersOf, messageRowKey, recipientsOf, settle, awaitedMessage, type MessageRow } from './messageRows.js';
import { ensureTable, entityOrUndefined, isConflict, statusOf } from './tables.js';
import { systemClock, type Clock } from '../time/clock.js';

type Row = {
  partitionKey: string;
  rowKey: string;
  status: DeliveryStatus;
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
/** A string property holds at most 32K UTF-16 characters. */
const MAX_EVENT_TEXT = 30_000;
const EPOCH = new Date(0).toISOString();
/** Bytes of event text one index write may carry: well under the 4 MiB of a transaction. */
const MAX_TRANSACTION_BYTES = 3_000_000;

/** Where a message's index row is. */
export function messageIndexKeys(messageId: string): { partitionKey: string; rowKey: string } {
  const id = messageId.toLowerCase();
  return { partitionKey: `messages-${id.slice(0, 2)}`, rowKey: id };
}
/** The layout before the index was bucketed: one partition per message. Still read, never written. */
const legacyIndexKeys = (messageId: string) => ({ partitionKey: `message-${messageId.toLowerCase()}`, rowKey: '' });

export class TableAcceptanceLedger implements AcceptanceLedger {
  constructor(
    private readonly client: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  async pending(eventId: string, keys: string[]): Promise<Map<string, PendingRow>> {
    const wanted = new Set(keys);
    const rows = new Map<string, PendingRow>();
    for (const row of await this.rows(eventId)) {
      if (!wanted.has(row.rowKey)) continue;
      rows.set(row.rowKey, { ...(row.acsMessageId ? { messageId: row.acsMessageId } : {}), resend: row.resend === true, notSent: row.notSent === true, resends: row.resends ?? 0 });
    }
    return rows;
  }

  async plan(eventId: string, messages: PlannedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await ensureTable(this.client);
    // Index rows first: a report can then always find its event, even for a message whose rows we never got to write.
    await this.writeIndexes(messages.map((m) => ({ messageId: m.messageId, eventId, eventText: m.eventText })));
    // `resend` stays as it is: a resend planned, then handed back or cut short, is still a resend (its own id, deliverGrouped.ts).
    const updates = messages.flatMap((m) => m.keys.map((key) => ({ partitionKey: eventId, rowKey: key, acsMessageId: m.messageId, notSent: false })));
    await this.merge(updates);
  }

  async accepted(eventId: string, accepted: { plannedId: string; messageId: string }[]): Promise<void> {
    // Once per message, whatever its number of recipients: their rows name it already.
    const messages = new Map(accepted.map((a) => [a.plannedId, a.messageId]));
    for (const [plannedId, messageId] of messages) {
      if (messageId === plannedId) continue;
      const planned = await this.findMessage(plannedId);
      await this.writeIndexes([{ messageId, eventId, eventText: planned?.eventText, plannedId }]);
    }
    const acceptedAt = this.clock.now().toISOString();
    await this.merge([...messages].map(([plannedId, acceptedAs]) => ({ partitionKey: eventId, rowKey: messageRowKey(plannedId), acceptedAs, acceptedAt })));
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
      const [written, indexed] = await Promise.allSettled([this.client.submitTransaction(actions), this.writeIndexes(batch.map((m) => ({ messageId: m.messageId, eventId, eventText: m.eventText })))]);
      if (written!.status === 'rejected') {
        // Fenced off (another claim read the event) or claimed before: nothing of this batch was written.
        if (isConflict(written!.reason)) break;
        throw written!.reason;
      }
      if (indexed!.status === 'rejected') throw indexed!.reason;
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

  async findMessage(messageId: string): Promise<{ eventId: string; eventText?: string; plannedId?: string } | undefined> {
    type Index = { eventId: string; eventText?: string; plannedId?: string };
    const keys = messageIndexKeys(messageId);
    const legacy = legacyIndexKeys(messageId);
    const e = (await this.entity<Index>(keys.partitionKey, keys.rowKey)) ?? (await this.entity<Index>(legacy.partitionKey, legacy.rowKey));
    return e && { eventId: e.eventId, ...(e.eventText ? { eventText: e.eventText } : {}), ...(e.plannedId ? { plannedId: e.plannedId } : {}) };
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
      ...(r.acsMessageId ? { messageId: r.acsMessageId } : {}),
      ...(r.deliveryStatus ? { deliveryStatus: r.deliveryStatus } : {}),
      resends: r.resends ?? 0,
    }));
  }

  /** The event's recipients as they stand (messageRows.ts). */
  private async rows(eventId: string): Promise<Row[]> {
    const escaped = eventId.replace(/'/g, "''");
    const entities: (Row & MessageRow)[] = [];
    try {
      for await (const e of this.client.listEntities<Row & MessageRow>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } })) entities.push(e as Row & MessageRow);
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
      const message = (await this.entity<MessageRow>(eventId, messageRowKey(report.messageId))) ?? (await this.plannedMessage(eventId, report.messageId));
      if (message && membersOf(message).includes(report.key)) base = claimedMember(message, report.key) as Row;
    }
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

  /**
   * The index rows that lead a delivery report from a message id back to its event (and, for an
   * attempt id, to the planned one): one write per partition and 100 rows, all at once.
   */
  private async writeIndexes(rows: { messageId: string; eventId: string; eventText?: string | undefined; plannedId?: string }[]): Promise<void> {
    const byPartition = new Map<string, TransactionAction[]>();
    for (const { messageId, eventId, eventText, plannedId } of rows) {
      const keys = messageIndexKeys(messageId);
      const entity = { ...keys, eventId, ...(plannedId ? { plannedId } : {}), ...(eventText && eventText.length <= MAX_EVENT_TEXT ? { eventText } : {}) };
      const actions = byPartition.get(keys.partitionKey);
      if (actions) actions.push(['upsert', entity, 'Replace']);
      else byPartition.set(keys.partitionKey, [['upsert', entity, 'Replace']]);
    }
    const writes: Promise<unknown>[] = [];
    for (const actions of byPartition.values()) {
      // A transaction carries at most 4 MiB: rows that each keep a large event text go fewer at a
      // time (its size as it travels: UTF-8, JSON escapes and all).
      const largest = Math.max(...actions.map(([, e]) => Buffer.byteLength(JSON.stringify((e as { eventText?: string }).eventText ?? ''))));
      const perWrite = Math.max(1, Math.min(MAX_BATCH, Math.floor(MAX_TRANSACTION_BYTES / (largest + 1000))));
      for (let i = 0; i < actions.length; i += perWrite) {
        const chunk = actions.slice(i, i + perWrite);
        // A single row goes as a plain upsert: a transaction of one costs more than the row.
        writes.push(chunk.length === 1 ? this.client.upsertEntity(chunk[0]![1], 'Replace') : this.client.submitTransaction(chunk));
      }
    }
    await Promise.all(writes);
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
