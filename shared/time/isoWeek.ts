/**
 * ISO weeks in UTC (Monday 00:00 UTC to the next Monday 00:00 UTC), the digest's unit and
 * the activity table's partition. Luxon does the calendar arithmetic (week-years, 53-week
 * years) so we do not.
 */
import { DateTime } from 'luxon';

export interface IsoWeek {
  /** `2026-W47` */
  id: string;
  /** Inclusive start, ISO instant. */
  start: string;
  /** Exclusive end, ISO instant. */
  end: string;
}

const WEEK = /^(\d{4})-W(\d{2})$/;

export function isoWeekOf(instant: string | Date): IsoWeek {
  const dt = (typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }) : DateTime.fromJSDate(instant)).toUTC();
  if (!dt.isValid) throw new Error(`not a date-time: ${String(instant)}`);
  return weekFrom(dt.startOf('week'));
}

export function parseIsoWeek(id: string): IsoWeek {
  const m = WEEK.exec(id);
  if (!m) throw new Error(`"${id}" is not an ISO week: use YYYY-Www, e.g. 2026-W47`);
  const start = DateTime.fromObject({ weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday: 1 }, { zone: 'utc' });
  if (!start.isValid || start.weekNumber !== Number(m[2]))
    throw new Error(
      `${id} does not exist (that year has ${DateTime.fromObject({ weekYear: Number(m[1]) }, { zone: 'utc' }).weeksInWeekYear} weeks)`,
    );
  return weekFrom(start);
}

/** The week before: the one a Monday-morning digest summarises, and the comparison week. */
export function previousWeek(week: IsoWeek): IsoWeek {
  return isoWeekOf(DateTime.fromISO(week.start, { zone: 'utc' }).minus({ weeks: 1 }).toJSDate());
}

function weekFrom(start: DateTime): IsoWeek {
  return {
    id: `${start.weekYear}-W${String(start.weekNumber).padStart(2, '0')}`,
    start: start.toISO({ suppressMilliseconds: true })!.replace('+00:00', 'Z'),
    end: start.plus({ weeks: 1 }).toISO({ suppressMilliseconds: true })!.replace('+00:00', 'Z'),
  };
}
