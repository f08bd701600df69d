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
