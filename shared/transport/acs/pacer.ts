/**
 * One pause for every ACS request of the process: when ACS answers 429 it says, in
 * Retry-After, when the subscription's quota has room again. That is true for every send of
 * the app, not only the one that was refused, so the pause is shared (one pacer for sends,
 * one for status reads: ACS counts them apart) and every later request waits it out first
 * instead of spending a request to be told the same thing again.
 *
 * A wait longer than the caller's budget is not slept here: the caller is told how long, and
 * hands the work back to the queue for later (see delivery/deliver.ts).
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import { QuotaExceededError } from '../transport.js';

/** Used when a 429 carries no Retry-After; and the least pause (a Retry-After of 0 would have every send spin). */
const DEFAULT_PAUSE_MS = 5_000;
const MIN_PAUSE_MS = 500;

export class SendPacer {
  private until = 0;
  /** 429s seen (the benchmark reports them). */
  throttled = 0;

  // A monotonic timer: a pause is a duration, not a time of day, and must not jump with the wall clock.
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Every request of this kind waits at least `ms` from now. */
  pause(ms: number): void {
    this.throttled++;
    this.until = Math.max(this.until, this.now() + ms);
  }

  /** How long the next request has to wait. */
  waitMs(): number {
    return Math.max(0, this.until - this.now());
  }

  /** Waits out the pause if it fits in `budgetMs`; otherwise throws QuotaExceededError at once. */
  async ready(budgetMs: number): Promise<void> {
    const wait = this.waitMs();
    if (wait > budgetMs) throw new QuotaExceededError(`ACS asked to wait ${Math.ceil(wait / 1000)} s before the next request`, wait);
    if (wait > 0) await sleep(wait);
  }

  /**
   * A per-retry pipeline policy: waits out a short pause before each request and records every
   * 429. With `refuse429`, a 429 ends the call (QuotaExceededError) instead of letting the SDK's
   * retry sleep through a Retry-After that may be an hour long.
   */
  policy(options: { budgetMs: number; refuse429: boolean }): PipelinePolicy {
    return {
      name: 'acsSendPacer',
      sendRequest: async (request, next) => {
        const wait = this.waitMs();
        if (wait > 0 && wait <= options.budgetMs) await sleep(wait);
        const response = await next(request);
        if (response.status === 429) {
          const seconds = Number(response.headers.get('retry-after'));
          const header = response.headers.get('retry-after');
          const ms =
            header !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.max(MIN_PAUSE_MS, seconds * 1000) : DEFAULT_PAUSE_MS;
          this.pause(ms);
          if (options.refuse429)
            throw new QuotaExceededError(`ACS throttled ${request.method} (429); retry after ${Math.ceil(ms / 1000)} s`, ms);
        }
        return response;
      },
    };
  }
}

/** The process's pacers: one for sends, one for status reads. */
export interface AcsPacers {
  send: SendPacer;
  status: SendPacer;
}

export function createPacers(now?: () => number): AcsPacers {
  return { send: new SendPacer(now), status: new SendPacer(now) };
}
