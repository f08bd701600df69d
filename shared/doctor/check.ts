/**
 * What `pim-notify doctor` reports: one check per read the app will make, each passed, or
 * what is wrong and the command or portal step that fixes it. A failed check is one that
 * stops mail from going out (or its delivery reports from coming back): the command exits
 * non-zero; a warning names something to look at that does not (exit 0).
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** Where a check looks, in the order the doctor prints them. */
export type CheckArea = 'settings' | 'graph' | 'arm' | 'acs' | 'eventGrid' | 'storage' | 'timers';

export interface Check {
  area: CheckArea;
  /** What was checked, e.g. `directory role holders` or `queue pim-events`. */
  name: string;
  status: CheckStatus;
  /** What was found: on a pass what was read, otherwise what is wrong. */
  detail: string;
  /** The command or portal step that fixes it (never on a pass). */
  fix?: string;
}

export const passed = (area: CheckArea, name: string, detail: string): Check => ({ area, name, status: 'pass', detail });

export const warned = (area: CheckArea, name: string, detail: string, fix?: string): Check => ({
  area,
  name,
  status: 'warn',
  detail,
  ...(fix ? { fix } : {}),
});

export const failed = (area: CheckArea, name: string, detail: string, fix?: string): Check => ({
  area,
  name,
  status: 'fail',
  detail,
  ...(fix ? { fix } : {}),
});

/** Whether anything found stops mailing: the command's exit status is 1 then. */
export function blocksMailing(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** One line per check (the fix, when there is one, on the next line, indented). */
export function formatCheck(check: Check): string {
  const line = `${MARK[check.status]} ${check.area}: ${check.name}: ${check.detail}`;
  return check.fix ? `${line}\n       fix: ${check.fix}` : line;
}

/** The last line: how many of each, and whether mail can go out. */
export function summary(checks: readonly Check[]): string {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const verdict = blocksMailing(checks) ? 'something blocks mailing: fix the FAIL lines first' : 'nothing blocks mailing';
  return `${count('pass')} passed, ${count('warn')} warning(s), ${count('fail')} failed: ${verdict}`;
}

/** An error's message without a query string's ids, for a line. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
