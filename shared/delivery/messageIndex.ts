/**
 * The index of the delivery table: a delivery report names only the message and the address,
 * so one row per message leads from its id back to its delivery (and, for an attempt id, to the
 * planned one; for an event, to the event's text, for a resend). PartitionKey =
 * `messages-<the id's first two hex digits>`, RowKey = the id. The ids of one delivery share
 * their first byte (deliveryOperationId), so its index rows go in one write.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { entityOrUndefined } from '../storage/tables.js';

const MAX_BATCH = 100;
/** A string property holds at most 32K UTF-16 characters. */
const MAX_EVENT_TEXT = 30_000;
/** Bytes of event text one index write may carry: well under the 4 MiB of a transaction. */
const MAX_TRANSACTION_BYTES = 3_000_000;

export interface IndexedMessage {
  eventId: string;
  eventText?: string;
  plannedId?: string;
}

/**
 * The event's JSON text with U+2028 and U+2029 written as escapes. Both may appear in JSON only
 * inside strings, where the escape means the same character, so the event read back is the same
 * event; raw, they make a transaction fail (Azurite answers 500, every time, for the whole batch).
 */
export function storableJson(text: string): string {
  return text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Where a message's index row is. */
export function messageIndexKeys(messageId: string): { partitionKey: string; rowKey: string } {
  const id = messageId.toLowerCase();
  return { partitionKey: `messages-${id.slice(0, 2)}`, rowKey: id };
}
/** The layout before the index was bucketed: one partition per message. Still read, never written. */
const legacyIndexKeys = (messageId: string) => ({ partitionKey: `message-${messageId.toLowerCase()}`, rowKey: '' });

export async function findIndexedMessage(client: TableClient, messageId: string): Promise<IndexedMessage | undefined> {
  const keys = messageIndexKeys(messageId);
  const legacy = legacyIndexKeys(messageId);
  const e =
    (await entityOrUndefined<IndexedMessage>(client, keys.partitionKey, keys.rowKey)) ??
    (await entityOrUndefined<IndexedMessage>(client, legacy.partitionKey, legacy.rowKey));
  return (
    e && { eventId: e.eventId, ...(e.eventText ? { eventText: e.eventText } : {}), ...(e.plannedId ? { plannedId: e.plannedId } : {}) }
  );
}

/**
 * The index rows that lead a delivery report from a message id back to its event (and, for an
 * attempt id, to the planned one): one write per partition and 100 rows, all at once.
 */
export async function writeIndexes(
  client: TableClient,
  rows: { messageId: string; eventId: string; eventText?: string | undefined; plannedId?: string }[],
): Promise<void> {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const { messageId, eventId, eventText, plannedId } of rows) {
    const keys = messageIndexKeys(messageId);
    const kept = eventText === undefined ? undefined : storableJson(eventText);
    const entity = {
      ...keys,
      eventId,
      ...(plannedId ? { plannedId } : {}),
      ...(kept && kept.length <= MAX_EVENT_TEXT ? { eventText: kept } : {}),
    };
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
      writes.push(chunk.length === 1 ? client.upsertEntity(chunk[0]![1], 'Replace') : client.submitTransaction(chunk));
    }
  }
  await Promise.all(writes);
}
