/**
 * What an invalid message becomes in the poison queue: the original message, byte for byte,
 * beside the reason, so that nothing is lost and `pim-notify redrive` can put a corrected
 * message back. Messages the host itself moves there (after maxDequeueCount failures, or
 * text that is not base64) are the bare original; redrive understands both.
 *
 * "The original" is the message text the host decoded and handed to the function (its
 * `queueTrigger` metadata): with `messageEncoding: base64` that is the UTF-8 text of the
 * stored base64, so the record's bytes re-encode to exactly what was enqueued. It is kept
 * as text when JSON escapes it cheaply, else as base64 (control characters would grow
 * sixfold as `\u0000` escapes), never as re-serialised JSON: that would merge duplicate
 * keys, turn `1e999` into null and round big integers. One limit the function cannot
 * lift: bytes that are not UTF-8 reach it already replaced by U+FFFD (the host decodes
 * before the function runs); `lossyDecoding` says so.
 */
import { Buffer } from 'node:buffer';
import type { EventIssue } from '../events/parse.js';

/** Why a message was refused: an invalid PIM event (InvalidEventError) or delivery report (InvalidDeliveryReportError). */
export interface Rejection {
  message: string;
  eventId: string | undefined;
  issues: EventIssue[];
}

export interface PoisonRecord {
  poison: {
    reason: string;
    eventId?: string;
    fields: string[];
    rejectedAt: string;
    messageId?: string;
    dequeueCount?: number;
    /** The text holds U+FFFD: possibly bytes that were not UTF-8, replaced before the function saw them. */
    lossyDecoding?: boolean;
  };
  /** The original message text, when JSON carries it without much escaping. */
  messageText?: string;
  /** Else base64 of its UTF-8 bytes (with the host's encoding: exactly the stored message). */
  messageBase64?: string;
  /** The first characters, for people reading the queue (messageBase64 is opaque). */
  preview?: string;
  /** Records written before messageText/messageBase64: the message as parsed JSON. */
  message?: unknown;
}

const PREVIEW_CHARS = 200;

export function poisonRecord(text: string, error: Rejection, rejectedAt: Date, triggerMetadata?: Record<string, unknown>): PoisonRecord {
  const bytes = Buffer.from(text, 'utf8');
  const asBase64 = bytes.toString('base64');
  // JSON.stringify adds the quotes and escapes; base64 costs 4/3: keep the smaller.
  const original: Pick<PoisonRecord, 'messageText' | 'messageBase64' | 'preview'> =
    JSON.stringify(text).length - 2 <= asBase64.length
      ? { messageText: text }
      : { messageBase64: asBase64, preview: text.slice(0, PREVIEW_CHARS) };
  return {
    poison: {
      reason: error.message,
      eventId: error.eventId,
      fields: error.issues.map((i) => i.path),
      rejectedAt: rejectedAt.toISOString(),
      messageId: typeof triggerMetadata?.['id'] === 'string' ? triggerMetadata['id'] : undefined,
      dequeueCount: typeof triggerMetadata?.['dequeueCount'] === 'number' ? triggerMetadata['dequeueCount'] : undefined,
      ...(text.includes('\uFFFD') ? { lossyDecoding: true } : {}),
    },
    ...original,
  };
}

/**
 * The text the function was given for a trigger: the host's `queueTrigger` metadata (the
 * decoded message as is), else the handler's input (a string as is; a value the worker
 * parsed, re-serialised: only local callers that pass no metadata get there).
 */
export function messageTextOf(message: unknown, triggerMetadata?: Record<string, unknown>): string {
  const trigger = triggerMetadata?.['queueTrigger'];
  if (typeof trigger === 'string') return trigger;
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    return String(message); // too deep to serialise: nothing better is left
  }
}

/** The original message text from a poison entry of either kind (a record, or a bare message). */
export function originalText(entry: string): string {
  let value: unknown;
  try {
    value = JSON.parse(entry);
  } catch {
    return entry;
  }
  if (typeof value !== 'object' || value === null || !('poison' in value)) return entry;
  const record = value as PoisonRecord;
  if (typeof record.messageText === 'string') return record.messageText;
  if (typeof record.messageBase64 === 'string') return Buffer.from(record.messageBase64, 'base64').toString('utf8');
  if ('message' in record) return typeof record.message === 'string' ? record.message : JSON.stringify(record.message);
  return entry;
}

/** Azure Queue Storage's limit on a message, after the base64 encoding the host applies. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** Whether the record fits in one queue message as it will be stored: its JSON, UTF-8, base64-encoded. */
export function fitsInQueueMessage(record: PoisonRecord): boolean {
  return Math.ceil(Buffer.byteLength(JSON.stringify(record), 'utf8') / 3) * 4 <= MAX_QUEUE_MESSAGE_BYTES;
}

/**
 * What goes to the poison queue for an invalid message: the record with its reason, or, when
 * the message is too close to the size limit to carry one, the original text as is (the host
 * encodes it back to the stored bytes; the reason then lives only in the log line).
 */
export function poisonEntry(
  message: unknown,
  error: Rejection,
  rejectedAt: Date,
  triggerMetadata?: Record<string, unknown>,
): { value: PoisonRecord | string; annotated: boolean } {
  const text = messageTextOf(message, triggerMetadata);
  const record = poisonRecord(text, error, rejectedAt, triggerMetadata);
  return fitsInQueueMessage(record) ? { value: record, annotated: true } : { value: text, annotated: false };
}
