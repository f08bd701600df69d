/**
 * The app's one clock. Everything in shared/ and functions/ that asks "what time is it" asks
 * a Clock it was given, so a test pins time by passing one instead of faking timers for the
 * whole process, and the same input gives the same answer on any day. Only this file reads
 * the system clock (the lint rules in eslint.config.js refuse `Date.now()` and `new Date()`
 * elsewhere in shipped code).
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The system's clock: what the composition root gives the app in Azure and under `npm start`. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at `instant` (an ISO string or a Date): "as of" views and tests. */
export function pinnedClock(instant: Date | string): Clock {
  const at = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(at)) throw new RangeError(`pinnedClock: ${String(instant)} is not a date`);
  return { now: () => new Date(at) };
}
