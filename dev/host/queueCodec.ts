/**
 * Queue message text as the Storage Queues extension reads and writes it. The queue SDK
 * does no encoding itself; with `messageEncoding: base64` (the host's default) the stored
 * text is base64 of the UTF-8 body.
 */
import { decodeMessage as decodeBase64, encodeMessage } from '../../shared/queues/queueMessage.js';

export type MessageEncoding = 'base64' | 'none';

export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

export function decodeMessage(stored: string, encoding: MessageEncoding): Decoded {
  if (encoding === 'none') return { ok: true, text: stored };
  const text = decodeBase64(stored);
  if (text === undefined) return { ok: false, reason: 'message text is not valid base64 (host.json messageEncoding is base64)' };
  return { ok: true, text };
}

export function encodeText(text: string, encoding: MessageEncoding): string {
  return encoding === 'none' ? text : encodeMessage(text);
}

/** What the handler receives: the parsed value when the text is JSON, else the text (as the worker does). */
export function handlerInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The stored texts for one output binding value: an array is one message per element;
 * strings are written as they are, other values as JSON; undefined/null write nothing.
 */
export function encodeOutput(value: unknown, encoding: MessageEncoding): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items
    .filter((item) => item !== undefined && item !== null)
    .map((item) => {
      if (Buffer.isBuffer(item) || item instanceof Uint8Array) {
        const bytes = Buffer.from(item);
        return encoding === 'none' ? bytes.toString('utf8') : bytes.toString('base64');
      }
      return encodeText(typeof item === 'string' ? item : JSON.stringify(item), encoding);
    });
}
