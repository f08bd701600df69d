/**
 * The grouped delivery's columns on the delivery ledger's rows (protocol: AcceptanceLedger in
 * deliveryLedger.ts), in the same table as TableDeliveryLedger: PartitionKey = event id,
 * RowKey = recipient key; one accepted-row per message ACS took, RowKey = `accepted-<planned id>`
 * in the same partition (acceptedMessages.ts); plus one index row per message, PartitionKey =
 * `message-<id>`, RowKey = '' (a delivery report names only the message and the address).
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { acceptedRowKey, awaitedMessage, isAcceptedRow, isRecipientRow, withAcceptance, type AcceptedMessageRow } from './acceptedMessages.js';
import { type AcceptanceLedger, type DeliveryReport, type DeliveryStatus, type FreshMessage, type PendingRow, type PlannedMessage, type RecipientOutcome, type ReportRecord } from './deliveryLedger.js';
import { claimedRow, isConflict } from './tableDeliveryLedger.js';
import { ensureTable, statusOf } from './tables.js';

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

export const messageIndexKey = (messageId: string): string => `message-${messageId.toLowerCase()}`;

export class TableAcceptanceLedger implements AcceptanceLedger {
  constructor(
    private readonly client: TableClient,
    private readonly now: () => Date = () => new Date(),
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
    await Promise.all(messages.map((m) => this.writeIndex(m.messageId, eventId, m.eventText)));
    // `resend` stays as it is: a resend planned, then handed back or cut short, is still a resend (its own id, deliverGrouped.ts).
    const updates = messages.flatMap((m) => m.keys.map((key) => ({ partitionKey: eventId, rowKey: key, acsMessageId: m.messageId, notSent: false })));
    await this.merge(updates);
  }

  async accepted(eventId: string, accepted: { key: string; messageId: string; plannedId: string }[]): Promise<void> {
    // One row per message, whatever its number of recipients: their rows name it already.
    const messages = new Map(accepted.map((a) => [a.plannedId, a.messageId]));
    for (const [plannedId, messageId] of messages) {
      if (messageId === plannedId) continue;
      const planned = await this.findMessage(plannedId);
      await this.writeIndex(messageId, eventId, planned?.eventText);
    }
    const acceptedAt = this.now().toISOString();
    await this.merge([...messages].map(([plannedId, acsMessageId]) => ({ partitionKey: eventId, rowKey: acceptedRowKey(plannedId), acsMessageId, acceptedAt })));
  }

  async claimFresh(eventId: string, messages: FreshMessage[], onClaimed?: (messageIds: string[]) => void): Promise<Set<string>> {
    const claimed = new Set<string>();
    // Whole messages per transaction (all or nothing: a message is ours entirely or not at all), ≤ 100 rows each.
    const batches: FreshMessage[][] = [];
    let rows = 0;
    for (const m of messages) {
      const n = m.requests.length;
      if (n === 0 || n > MAX_BATCH) continue; // left for claim()
      const last = batches.at(-1);
      if (last && rows + n <= MAX_BATCH) {
        last.push(m);
        rows += n;
      } else {
        batches.push([m]);
        rows = n;
      }
    }
    if (batches.length === 0) return claimed;
    await ensureTable(this.client);
    const claimedAt = this.now().toISOString();
    const claim = async (batch: FreshMessage[]) => {
      const actions = batch.flatMap((m) =>
        m.requests.map((r): TransactionAction => ['create', { ...claimedRow(eventId, r, claimedAt), acsMessageId: m.messageId, resend: false, notSent: false }]),
      );
      // The index rows alongside the claims, both written before the batch may be sent. One for a
      // message that turns out not to be ours is harmless: an id is derived from its event and members.
      const [rowsWritten, ...indexes] = await Promise.allSettled([
        this.client.submitTransaction(actions),
        ...batch.map((m) => this.writeIndex(m.messageId, eventId, m.eventText)),
      ]);
      if (rowsWritten!.status === 'rejected') {
        // Some row exists already: nothing of this batch was written.
        if (isConflict(rowsWritten!.reason)) return;
        throw rowsWritten!.reason;
      }
      const unindexed = indexes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (unindexed) throw unindexed.reason;
      for (const m of batch) claimed.add(m.messageId);
      onClaimed?.(batch.map((m) => m.messageId));
    };
    const settled = await Promise.allSettled(batches.map(claim));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return claimed;
  }

  async handBack(eventId: string, keys: string[]): Promise<void> {
    await this.merge(keys.map((key) => ({ partitionKey: eventId, rowKey: key, claimedAt: EPOCH, notSent: true })));
  }

  async findMessage(messageId: string): Promise<{ eventId: string; eventText?: string } | undefined> {
    try {
      const e = await this.client.getEntity<{ eventId: string; eventText?: string }>(messageIndexKey(messageId), '');
      return { eventId: e.eventId, ...(e.eventText ? { eventText: e.eventText } : {}) };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw e;
    }
  }

  async recordReport(eventId: string, report: DeliveryReport, maxResends: number): Promise<ReportRecord> {
    // The ETag makes read-decide-write safe against a concurrent report or accept: on 412, decide again.
    for (;;) {
      let row: Row;
      try {
        row = await this.client.getEntity<Row>(eventId, report.key);
      } catch (e) {
        if (statusOf(e) === 404) return { kind: 'unknown' };
        throw e;
      }
      row = await this.settled(row);
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
        await this.client.updateEntity(update, 'Merge', { etag: row.etag! });
        return { kind: 'recorded', resend };
      } catch (e) {
        if (statusOf(e) !== 412) throw e;
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

  /** The event's recipient rows, each as its message's acceptance leaves it. */
  private async rows(eventId: string): Promise<Row[]> {
    const escaped = eventId.replace(/'/g, "''");
    const rows: Row[] = [];
    const accepted = new Map<string, AcceptedMessageRow>();
    try {
      for await (const e of this.client.listEntities<Row & AcceptedMessageRow>({ queryOptions: { filter: `PartitionKey eq '${escaped}'` } })) {
        if (isAcceptedRow(e.rowKey)) accepted.set(e.rowKey, e);
        else if (isRecipientRow(e.rowKey)) rows.push(e as Row);
      }
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    return rows.map((r) => withAcceptance(r, accepted));
  }

  /** One row as its message's acceptance leaves it (the ETag stays the row's own). */
  private async settled(row: Row): Promise<Row> {
    const planned = awaitedMessage(row);
    if (planned === undefined) return row;
    try {
      const message = await this.client.getEntity<AcceptedMessageRow>(row.partitionKey, acceptedRowKey(planned));
      return withAcceptance(row, new Map([[message.rowKey, message]]));
    } catch (e) {
      if (statusOf(e) === 404) return row;
      throw e;
    }
  }

  private async merge(entities: ({ partitionKey: string; rowKey: string } & Record<string, unknown>)[]): Promise<void> {
    // One transaction per 100 rows, all at once: each is a merge of its own rows, in no order.
    const chunks: TransactionAction[][] = [];
    for (let i = 0; i < entities.length; i += MAX_BATCH) chunks.push(entities.slice(i, i + MAX_BATCH).map((e) => ['upsert', e, 'Merge']));
    await Promise.all(chunks.map((actions) => this.client.submitTransaction(actions)));
  }

  /** The index row that leads a delivery report from the message id back to its event. */
  private async writeIndex(messageId: string, eventId: string, eventText: string | undefined): Promise<void> {
    await this.client.upsertEntity(
      { partitionKey: messageIndexKey(messageId), rowKey: '', eventId, ...(eventText && eventText.length <= MAX_EVENT_TEXT ? { eventText } : {}) },
      'Replace',
    );
  }
}

/** Already recorded, older than what is recorded, or about a message this person has since been sent again. */
function isStale(row: Row, report: DeliveryReport): boolean {
  if (row.deliveryMessageId === report.messageId && row.deliveryStatus === report.status) return true;
  if (row.deliveryAt && Date.parse(row.deliveryAt) > Date.parse(report.at)) return true;
  return (row.resends ?? 0) > 0 && !!row.acsMessageId && row.acsMessageId !== report.messageId;
}
