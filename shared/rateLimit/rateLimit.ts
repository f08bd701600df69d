/**
 * The per-recipient rate limit port (Table Storage adapter: tableRateLimit.ts; in memory:
 * dev/doubles/memoryRateLimit.ts). A flood of events must not flood inboxes: per person
 * and fixed window, the first `limit` informational emails go out, the rest are held back and
 * listed in one summary after the window closes (usecases/heldBackSummary.ts).
 *
 * Shared across instances and exactly-once-safe:
 * - the decision for one (event, recipient) is written once, with the window's count in the
 *   same transaction, so a redelivered event gets the answer it got the first time and is
 *   never counted twice, whatever window it comes back in;
 * - the count is taken under optimistic concurrency (ETag): two workers never both take the
 *   last place of a window.
 */

/** What a held-back email is listed as in the summary: names from the directory, never the event. */
export interface HeldItem {
  eventId: string;
  notification: string;
  roleName: string;
  principalName: string;
  scopeName: string;
  /** When the event happened (ISO), as the event says; only shown, never used to count. */
  occurredAt: string;
}

export interface RateRequest {
  /** recipientKey(address). */
  key: string;
  /** Kept only until the summary is sent, so that it can be sent. */
  address: string;
  displayName?: string;
  item: HeldItem;
}

export type RateDecision = 'send' | 'held';

export interface RateOptions {
  /** Informational emails per person per window that are sent. */
  limit: number;
  windowMs: number;
  /**
   * false when the event is new (the event registry has just seen it first): no decision can
   * exist yet, so none is looked for; one written meanwhile by a racing copy still wins.
   */
  seenBefore: boolean;
}

/** A person's window that has emails held back. */
export interface DueSummary {
  key: string;
  address: string;
  displayName?: string;
  /** ISO instants; the end is exclusive. */
  windowStart: string;
  windowEnd: string;
}

export interface RateLimit {
  /**
   * Send or hold, per request, in the window of now: the same (event, recipient) always gets
   * the answer it got first. `limit` informational emails per person per window are sent.
   */
  decide(eventId: string, requests: RateRequest[], options: RateOptions): Promise<Map<string, RateDecision>>;
  /** Windows that ended at or before `closedBy` and still owe their person a summary. */
  dueSummaries(closedBy: Date): Promise<DueSummary[]>;
  /** What was held back for that person in that window, oldest first. */
  heldIn(due: DueSummary): Promise<HeldItem[]>;
  /** The summary went out (or was refused for good): the window owes nothing more. */
  summarised(due: DueSummary): Promise<void>;
}

/** Oldest first by the instant (events may give their time with an offset), then by event id. */
export function byOccurrence(a: HeldItem, b: HeldItem): number {
  return Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.eventId.localeCompare(b.eventId);
}

/** The fixed window `now` falls in: aligned to multiples of its length since the epoch (UTC). */
export function rateWindow(now: Date, windowMs: number): { start: string; end: string } {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start: new Date(start).toISOString(), end: new Date(start + windowMs).toISOString() };
}
