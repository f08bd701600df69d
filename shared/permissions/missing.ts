/**
 * A missing permission (Graph or ARM answered 403) is a configuration state, not a failure to
 * retry: the timers report it once per process, clearly (which permission, for which call),
 * and go on with what they can do. The clients' errors already say both; here they are
 * recognised by name and status, so use cases need not import the adapters.
 */
import type { Log } from '../log.js';

export interface PermissionError extends Error {
  statusCode: number;
  /** The Graph permission, or the ARM role and where, the call lacks (set by the clients). */
  permission?: string;
}

const CLIENT_ERRORS = new Set(['GraphRequestError', 'ArmRequestError']);

export function missingPermission(error: unknown): PermissionError | undefined {
  if (!(error instanceof Error) || !CLIENT_ERRORS.has(error.name)) return undefined;
  return (error as Partial<PermissionError>).statusCode === 403 ? (error as PermissionError) : undefined;
}

const reported = new Set<string>();

/**
 * Logs the error once per process and permission (many calls, each with its own ids in the
 * path, need the same one: one line, naming the first call) with what the app does
 * meanwhile; true the first time.
 */
export function reportMissingPermission(log: Log, error: PermissionError, meanwhile: string): boolean {
  const key = error.permission ? `${error.name}: ${error.permission}` : error.message.replace(/\?.*$/, '');
  if (reported.has(key)) return false;
  reported.add(key);
  log(
    'error',
    `missing permission: ${error.message}. Meanwhile ${meanwhile}. Reported once; grant it (docs/deploy.md, or the postprovision hook's commands) and it is used on the next run.`,
  );
  return true;
}

/** A run that a missing permission stopped: reported once (reportMissingPermission), tried again next run. */
export interface Blocked {
  kind: 'blocked';
  /** The 403 the run stopped at, naming the permission its call lacks. */
  error: PermissionError;
}

/** Runs `work`; a missing permission is reported once and gives `{ kind: 'blocked' }` instead of a failed run. */
export async function unlessPermissionMissing<T>(log: Log, meanwhile: string, work: () => Promise<T>): Promise<T | Blocked> {
  try {
    return await work();
  } catch (e) {
    const missing = missingPermission(e);
    if (!missing) throw e;
    reportMissingPermission(log, missing, meanwhile);
    return { kind: 'blocked', error: missing };
  }
}

/** For tests: forget what was reported. */
export function forgetReportedPermissions(): void {
  reported.clear();
}
