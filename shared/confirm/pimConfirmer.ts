/**
 * The PimConfirmer port: before anything is mailed, is the event what PIM itself says
 * happened? Anyone who can write to `pim-events` can put a well-formed event there; only PIM's
 * own records (requests, schedules) tell a real event from a forged one.
 *
 * Adapters: pimRecordConfirmer.ts (Graph and ARM, production) and uncheckedConfirmer.ts (the
 * embedded snapshot has no requests to compare with, and CONFIRM_WITH_PIM=false).
 */
import type { PimEvent } from '../events/schema.js';

export type Confirmation =
  /** PIM's records show it: `by` names what (for the log, ids only). */
  | { kind: 'confirmed'; by: string }
  /** PIM's records contradict it, or it is absent and the event is too old for replication lag. */
  | { kind: 'notConfirmed'; reason: string }
  /**
   * Not (yet) in PIM's records, but the event is recent: PIM's read APIs can lag its audit log by
   * a little. Looked at again after `retryAfterMs`, until CONFIRM_LAG_SECONDS after occurredAt.
   */
  | { kind: 'notYet'; reason: string; retryAfterMs: number }
  /** Not checked (no records to compare with, or the setting is off); `warn`: say so in the log. */
  | { kind: 'unchecked'; reason: string; warn: boolean };

export interface PimConfirmer {
  confirm(event: PimEvent): Promise<Confirmation>;
}

/** The poison reason of an event PIM does not confirm (docs/trust.md). */
export function notConfirmedReason(detail: string): string {
  return `not confirmed by PIM: ${detail}`;
}
