/**
 * One timer-triggered function, run as the host's timer extension runs it: the next
 * occurrence is computed after each run (so a run never overlaps itself and missed
 * occurrences are not queued up), runOnStartup fires once at start, an exception is logged
 * and the schedule goes on, and a function retry policy re-runs a failed invocation.
 * Schedule status lives in memory only: the local runner has no schedule monitor.
 */
import { randomUUID } from 'node:crypto';
import type { RetryContext, Timer } from '@azure/functions';
import type { RetryPolicy } from './functionApp.js';
import type { ResolvedFunction } from './resolve.js';
import { nextOccurrence, type Schedule } from './schedule.js';
import { errorSummary, type HostRuntime } from './runtime.js';

/** setTimeout's limit; longer waits are taken in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/** .NET's DateTime.MinValue: what the host reports as `last` before any run. */
const NEVER = new Date('0001-01-01T00:00:00.000Z');

export function retryDelayMs(policy: RetryPolicy, retryCount: number): number {
  if (policy.strategy === 'fixedDelay') return policy.delayMs ?? 0;
  const min = policy.minimumIntervalMs ?? 0;
  const max = policy.maximumIntervalMs ?? Number.MAX_SAFE_INTEGER;
  return Math.min(max, min * 2 ** Math.max(0, retryCount - 1));
}

export class TimerRunner {
  private readonly schedule: Schedule;
  private chain: Promise<void> = Promise.resolve();
  private last: Date = NEVER;
  private timeout: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly cancelWaits = new Set<() => void>();

  constructor(
    private readonly resolved: ResolvedFunction,
    private readonly runtime: HostRuntime,
  ) {
    this.schedule = resolved.schedule!;
  }

  get name(): string {
    return this.resolved.fn.name;
  }

  /** Starts the schedule (and runOnStartup); without it, only run() invokes the function. */
  start(): void {
    if (this.resolved.fn.runOnStartup) void this.run(new Date(), false);
    this.scheduleNext();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timeout);
    for (const cancel of this.cancelWaits) cancel();
    await this.chain;
  }

  /** Runs after any run in progress (singleton); resolves when done, whether it failed or not. */
  run(occurrence: Date, isPastDue: boolean): Promise<void> {
    this.runtime.inFlight++;
    this.runtime.activity++;
    const run = this.chain
      .then(() => this.invokeWithRetry(occurrence, isPastDue))
      .finally(() => {
        this.runtime.inFlight--;
        this.runtime.activity++;
      });
    this.chain = run.catch(() => undefined);
    return this.chain;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = nextOccurrence(this.schedule, new Date());
    if (!next) return;
    const arm = (): void => {
      const wait = next.getTime() - Date.now();
      if (wait > MAX_TIMEOUT_MS) {
        this.timeout = setTimeout(arm, MAX_TIMEOUT_MS);
        return;
      }
      this.timeout = setTimeout(
        () => {
          // Past due when the following occurrence has come too (the process was held up).
          const following = nextOccurrence(this.schedule, next);
          const isPastDue = following !== undefined && following.getTime() <= Date.now();
          void this.run(next, isPastDue).then(() => this.scheduleNext());
        },
        Math.max(0, wait),
      );
    };
    arm();
  }

  private timerInput(isPastDue: boolean): Timer {
    const now = new Date();
    const next = nextOccurrence(this.schedule, now) ?? now;
    return {
      isPastDue,
      schedule: { adjustForDST: this.schedule.kind === 'cron' },
      scheduleStatus: { last: this.last.toISOString(), next: next.toISOString(), lastUpdated: now.toISOString() },
    };
  }

  private async invokeWithRetry(occurrence: Date, isPastDue: boolean): Promise<void> {
    const fn = this.resolved.fn;
    const policy = fn.retry;
    let exception: RetryContext['exception'];
    for (let attempt = 0; ; attempt++) {
      const invocationId = randomUUID();
      const retryContext: RetryContext | undefined = policy
        ? { retryCount: attempt, maxRetryCount: policy.maxRetryCount, ...(exception ? { exception } : {}) }
        : undefined;
      const context = this.runtime.createContext(fn, invocationId, undefined, retryContext);
      const retryNote = policy ? `, retryCount=${attempt}` : '';
      this.runtime.log(`Executing '${fn.name}' (invocationId=${invocationId}, reason=timer${retryNote})`);
      this.runtime.stats.invocations++;
      try {
        await fn.handler(this.timerInput(isPastDue), context);
        this.runtime.log(`Executed '${fn.name}' (Succeeded, invocationId=${invocationId})`);
        break;
      } catch (error) {
        this.runtime.stats.failures++;
        this.runtime.log(`Executed '${fn.name}' (Failed, invocationId=${invocationId}): ${errorSummary(error)}`);
        const canRetry = policy && (policy.maxRetryCount === -1 || attempt < policy.maxRetryCount);
        if (!canRetry || this.stopped) break;
        exception =
          error instanceof Error
            ? { message: error.message, source: error.name, ...(error.stack ? { stackTrace: error.stack } : {}) }
            : { message: String(error) };
        await this.wait(retryDelayMs(policy, attempt + 1));
        if (this.stopped) break;
      }
    }
    this.last = occurrence;
  }

  /** A retry delay that stop() cuts short. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.cancelWaits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancelWaits.add(done);
    });
  }
}
