/**
 * What an invalid message becomes in the poison queue: the original message, untouched,
 * beside the reason, so that nothing is lost and `pim-notify redrive` can put a corrected
 * message back. Messages the host itself moves there (after maxDequeueCount failures) are
 * the bare original; redrive understands both.
 */
import type { InvalidEventError } from '../events/parse.js';

export interface PoisonRecord {
  poison: {
    reason: string;
    eventId?: string;
    fields: string[];
    rejectedAt: string;
    messageId?: string;
    dequeueCount?: number;
  };
  /** The message exactly as the function received it (parsed JSON, or the raw text). */
  message: unknown;
}

export function poisonRecord(message: unknown, error: InvalidEventError, triggerMetadata?: Record<string, unknown>): PoisonRecord {
  return {
    poison: {
      reason: error.message,
      eventId: error.eventId,
      fields: error.issues.map((i) => i.path),
      rejectedAt: new Date().toISOString(),
      messageId: typeof triggerMetadata?.['id'] === 'string' ? triggerMetadata['id'] : undefined,
      dequeueCount: typeof triggerMetadata?.['dequeueCount'] === 'number' ? triggerMetadata['dequeueCount'] : undefined,
    },
    message,
  };
}

/** The message to put back on the events queue from a poison entry of either kind. */
export function originalMessage(entry: unknown): unknown {
  if (typeof entry === 'object' && entry !== null && 'poison' in entry && 'message' in entry) {
    return (entry as PoisonRecord).message;
  }
  return entry;
}

/** Azure Queue Storage's limit on a message, after the base64 encoding the host applies. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** Whether the record fits in one queue message once base64-encoded. */
export function fitsInQueueMessage(record: PoisonRecord): boolean {
  return Math.ceil(Buffer.byteLength(JSON.stringify(record), 'utf8') / 3) * 4 <= MAX_QUEUE_MESSAGE_BYTES;
}

/**
 * An invalid message too close to the size limit to carry its reason: thrown so that the host
 * moves the untouched original to the poison queue after its retries (nothing is lost; the
 * reason is in the logs). Rare: the message itself must be within ~1 KiB of the limit.
 */
export class PoisonRecordTooLargeError extends Error {
  override readonly name = 'PoisonRecordTooLargeError';
}
