/**
 * Text helpers for emails: unambiguous UTC dates, whole days between two instants, and
 * cleaning untrusted text before it reaches a template or a header. Pure.
 */
import { DateTime } from 'luxon';

/**
 * C0 and C1 controls, DEL and the Unicode line/paragraph separators: anything a mail client
 * or a header parser could treat as a line break or hide from the reader.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]+/g;

/** One line of text: every run of control characters (CR/LF included) becomes one space. */
export function singleLine(value: string): string {
  return value.replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Free text that may keep its line breaks (a justification): CRLF/CR/U+2028 become LF,
 * other controls a space, and runs of blank lines shrink to one.
 */
export function multiLine(value: string): string {
  return value
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_BUT_NEWLINE, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function utc(iso: string): DateTime {
  // en-US, not en-GB: en-GB abbreviates September as "Sept".
  return DateTime.fromISO(iso, { zone: 'utc', locale: 'en-US' });
}

/** `Mon 23 Nov 2026 10:00 UTC`: weekday, day, month name and zone leave nothing to guess. */
export function formatDateTime(iso: string): string {
  const d = utc(iso);
  return d.isValid ? d.toFormat("ccc d LLL yyyy HH:mm 'UTC'") : iso;
}

/** `Fri 1 Jan 2027`. */
export function formatDate(iso: string): string {
  const d = utc(iso);
  return d.isValid ? d.toFormat('ccc d LLL yyyy') : iso;
}

/**
 * For running text ("until …"): the date alone when the instant is midnight UTC, else the
 * date and time, since an activation that ends at 18:00 must say so.
 */
export function formatWhen(iso: string): string {
  const d = utc(iso);
  if (!d.isValid) return iso;
  return d.hour === 0 && d.minute === 0 ? formatDate(iso) : formatDateTime(iso);
}

/**
 * Whole days from `from` to `to`, rounded: a reminder scanned a few minutes before or after
 * the 14-day mark still says 14.
 */
export function daysBetween(fromIso: string, toIso: string): number {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Math.round(ms / 86_400_000);
}

/** `in 14 days`, `in 1 day`, `today` (for a reminder sent on or after the end). */
export function inDays(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? 'in 1 day' : `in ${days} days`;
}
