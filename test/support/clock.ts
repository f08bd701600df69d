/**
 * Clocks for tests. Fixtures built on the sample tenant (samples/contoso-directory.json) carry
 * its fixed dates, so tests that run the app on it run the app's clock in the sample's world:
 * a clock that reads SAMPLE_NOW when made and then moves with real time (leases, waits and
 * caches still see time pass). Everything the test dates itself is relative to the same clock.
 */
import type { Clock } from '../../shared/time/clock.js';

/** The instant the sample tenant's figures describe (samples/README.md, "The clock"). */
export const SAMPLE_NOW = '2026-11-23T06:00:00Z';

export interface TestClock extends Clock {
  /** Moves the clock forward (or back, negative) by `ms`. */
  advance(ms: number): void;
  /** An ISO instant `minutes` before this clock's now. */
  minutesAgo(minutes: number): string;
}

/** A clock that starts at `start` and runs with real time from there. */
export function runningClockFrom(start: string | Date): TestClock {
  const offset = (typeof start === 'string' ? Date.parse(start) : start.getTime()) - Date.now();
  let moved = 0;
  const clock: TestClock = {
    now: () => new Date(Date.now() + offset + moved),
    advance: (ms) => void (moved += ms),
    minutesAgo: (minutes) => new Date(clock.now().getTime() - minutes * 60_000).toISOString(),
  };
  return clock;
}

/**
 * The sample world's clock for one test file (each file is its own module instance): the sample
 * tenant and the small tenants modelled on it are served, and the app run, as of SAMPLE_NOW.
 */
export const sampleClock = runningClockFrom(SAMPLE_NOW);

/** What a local Graph or ARM serving such a tenant takes as its world's instant. */
export const sampleWorld = { now: (): Date => sampleClock.now() };
