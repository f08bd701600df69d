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

/**
 * Invisible characters that change what the reader sees without being seen: format
 * characters (Unicode category Cf: bidi overrides and isolates such as U+202E, zero-width
 * space/joiners, word joiner, BOM, soft hyphen, interlinear annotations, tag characters),
 * variation selectors, and the Hangul/Braille fillers that render as blanks.
 */
// The class lists combining and joining characters on purpose: they are what it removes.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}\u115F\u1160\u3164\uFFA0\u2800\u034F\u180B-\u180F]/gu;

/** Untrusted text without its invisible characters (removed, not replaced: they occupy no space). */
export function visibleOnly(value: string): string {
  return value.replace(INVISIBLE, '');
}

/** One line of text: invisible characters removed, every run of control characters (CR/LF included) one space. */
export function singleLine(value: string): string {
  return visibleOnly(value).replace(CONTROL, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Free text that may keep its line breaks (a justification): CRLF/CR/U+2028 become LF,
 * other controls a space, and runs of blank lines shrink to one.
 */
export function multiLine(value: string): string {
  return visibleOnly(value)
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_BUT_NEWLINE, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Text a requester typed, made unclickable in any mail client: clients turn anything that
 * looks like a URL, a domain or an address into a link, in plain text and HTML alike, so
 * a scheme's `://` becomes `[://]`, a dot before a letter (a domain label, `www.`, the
 * ideographic and full-width dots too) `[.]`, and `@` `[@]`. The text stays readable.
 */
export function defang(value: string): string {
  return value
    .replace(/:\/\//g, '[://]')
    .replace(/[.\u3002\uFF0E\uFF61](?=\p{L})/gu, '[.]')
    .replace(/[@\uFF20]/g, '[@]');
}

/** Requester-supplied free text (a justification, a ticket): cleaned, line breaks kept, defanged. */
export function requesterText(value: string): string {
  return defang(multiLine(value));
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
