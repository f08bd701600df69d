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
  /**
   * The original text with `"` and `\\` replaced by characters it does not hold (stand-in per
   * original character), so that JSON carries it unescaped: what keeps a quote-heavy message and
   * its reason within the queue's limit (JSON would double each quote). Reversed by originalText.
   */
  messageTextSubstituted?: { text: string; substitutes: Record<string, string> };
  /** Else base64 of its UTF-8 bytes (with the host's encoding: exactly the stored message). */
  messageBase64?: string;
  /** The first characters, for people reading the queue (messageBase64 is opaque). */
  preview?: string;
  /** Records written before messageText/messageBase64: the message as parsed JSON. */
  message?: unknown;
}

const PREVIEW_CHARS = 200;

export function poisonRecord(text: string, error: Rejection, rejectedAt: Date, triggerMetadata?: Record<string, unknown>): PoisonRecord {
  const record = withOriginal(text, error, rejectedAt, triggerMetadata, readableOriginal(text));
  if (fitsInQueueMessage(record)) return record;
  // Too large as text or base64: the text with its escapes swapped out may still carry the reason.
  const substituted = substitute(text);
  return substituted ? withOriginal(text, error, rejectedAt, triggerMetadata, { messageTextSubstituted: substituted }) : record;
}

function withOriginal(
  text: string,
  error: Rejection,
  rejectedAt: Date,
  triggerMetadata: Record<string, unknown> | undefined,
  original: Original,
): PoisonRecord {
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

type Original = Pick<PoisonRecord, 'messageText' | 'messageTextSubstituted' | 'messageBase64' | 'preview'>;

/** Characters JSON writes as themselves, one byte each, tried first as stand-ins. */
const ASCII_STAND_INS = '~`^|#@$%&*_!?;<>{}[]+=';
/** Then two-byte ones (U+00A1 on), still cheaper than a quote's escape in bulk and far cheaper than `\\u0000`. */
const FIRST_WIDE_STAND_IN = 0xa1;
const LAST_WIDE_STAND_IN = 0x7ff;

/**
 * The original as people read it: the text (JSON escapes `"`, `\\` and control characters), or
 * base64 (4/3) beside a preview when that is smaller (control characters grow sixfold as
 * `\\u0000`). When neither fits the queue with the reason, poisonRecord swaps the escaped
 * characters for ones the text does not hold (substitute). Every form gives back exactly the
 * text (originalText).
 */
function readableOriginal(text: string): Original {
  const asBase64 = Buffer.from(text, 'utf8').toString('base64');
  return JSON.stringify(text).length - 2 <= asBase64.length
    ? { messageText: text }
    : { messageBase64: asBase64, preview: text.slice(0, PREVIEW_CHARS) };
}

function substitute(text: string): PoisonRecord['messageTextSubstituted'] | undefined {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  const present = new Set(counts.keys());
  // The most frequent get the one-byte stand-ins.
  const needed = [...present]
    .filter((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20)
    .sort((a, b) => counts.get(b)! - counts.get(a)!);
  if (needed.length === 0) return undefined;
  const free = function* (): Generator<string> {
    for (const c of ASCII_STAND_INS) if (!present.has(c)) yield c;
    for (let code = FIRST_WIDE_STAND_IN; code <= LAST_WIDE_STAND_IN; code++) {
      const c = String.fromCharCode(code);
      if (!present.has(c)) yield c;
    }
  };
  const standIns = free();
  const substitutes: Record<string, string> = {};
  for (const c of needed) {
    const next = standIns.next();
    if (next.done) return undefined;
    substitutes[c] = next.value;
  }
  return { text: [...text].map((c) => substitutes[c] ?? c).join(''), substitutes };
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
  const substituted = record.messageTextSubstituted;
  if (substituted && typeof substituted.text === 'string') {
    const back = new Map(Object.entries(substituted.substitutes ?? {}).map(([from, to]) => [to, from]));
    return [...substituted.text].map((c) => back.get(c) ?? c).join('');
  }
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
