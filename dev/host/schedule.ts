/**
 * Timer schedules as the Functions host reads them: an NCRONTAB expression with six fields
 * (seconds first) evaluated in UTC, or else a TimeSpan `hh:mm:ss` meaning "every interval".
 * The host tries NCRONTAB first, then TimeSpan; so do we.
 */
import { Cron } from 'croner';
import { parseTimeSpan } from './hostJson.js';

export type Schedule =
  { kind: 'cron'; expression: string; next(from: Date): Date | undefined } | { kind: 'interval'; expression: string; intervalMs: number };

export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  if (text.split(/\s+/).length === 6) {
    // domAndDow false: day-of-month and day-of-week combine with OR, as in NCRONTAB.
    const cron = new Cron(text, { timezone: 'UTC', mode: '6-part', domAndDow: false, paused: true });
    return { kind: 'cron', expression: text, next: (from) => cron.nextRun(from) ?? undefined };
  }
  let intervalMs: number;
  try {
    intervalMs = parseTimeSpan(text);
  } catch {
    throw new Error(`schedule "${expression}" is neither a 6-field NCRONTAB expression nor a TimeSpan (hh:mm:ss)`);
  }
  if (intervalMs <= 0) throw new Error(`schedule "${expression}": the TimeSpan must be positive`);
  return { kind: 'interval', expression: text, intervalMs };
}

export function nextOccurrence(schedule: Schedule, from: Date): Date | undefined {
  if (schedule.kind === 'interval') return new Date(from.getTime() + schedule.intervalMs);
  return schedule.next(from);
}

/** The next `count` occurrences strictly after `from`. */
export function nextOccurrences(schedule: string | Schedule, from: Date, count: number): Date[] {
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  const result: Date[] = [];
  let cursor = from;
  while (result.length < count) {
    const next = nextOccurrence(parsed, cursor);
    if (!next) break;
    result.push(next);
    cursor = next;
  }
  return result;
}
