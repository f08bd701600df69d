/**
 * The timers' schedules, as the Functions host reads them (`%AUDIT_SCHEDULE%` and the others in
 * the timer bindings): each must parse, and its next run is shown in UTC. The parser is given
 * (the host's, dev/host/schedule.ts, from the command), so this file carries no copy of it.
 */
import type { Settings } from '../settings/settings.js';
import type { Clock } from '../time/clock.js';
import { SETTINGS } from '../settings/settings.js';
import { failed, messageOf, passed, type Check } from './check.js';

/** The next run after `after`; throws for an expression the host would refuse. */
export type NextRun = (expression: string, after: Date) => Date | undefined;

export const SCHEDULE_SETTINGS = [
  'AUDIT_SCHEDULE',
  'REQUESTS_SCHEDULE',
  'EXPIRY_SCHEDULE',
  'DIGEST_SCHEDULE',
  'HELD_BACK_SCHEDULE',
] as const;

export function timerChecks(settings: Pick<Settings, (typeof SCHEDULE_SETTINGS)[number]>, nextRun: NextRun, clock: Clock): Check[] {
  const now = clock.now();
  return SCHEDULE_SETTINGS.map((name) => {
    const expression = settings[name];
    const fix = `set ${name} to a 6-field NCRONTAB expression, seconds first, in UTC (default \`${SETTINGS[name].default}\`)`;
    try {
      const next = nextRun(expression, now);
      if (!next) return failed('timers', name, `\`${expression}\` never fires`, fix);
      return passed('timers', name, `\`${expression}\`: next run ${next.toISOString()}`);
    } catch (e) {
      return failed('timers', name, `\`${expression}\` is not a schedule the host accepts: ${messageOf(e)}`, fix);
    }
  });
}
