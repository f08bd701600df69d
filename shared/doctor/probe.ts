/**
 * One read of the app's, made once and judged from what it threw and what went over the wire:
 * - it threw a 401/403: the permission its call lacks, with the grant that fixes it;
 * - it threw a 400: "query refused", naming the call (Microsoft refused a shape the app sends);
 * - it threw anything else: what it said;
 * - it returned, but a list was refused (400) in every shape the app tried: "query refused", as
 *   if it had thrown (the app goes on, but reads nothing of that list);
 * - it returned, but a call on the way was refused (a read the app skips or falls back from):
 *   a warning naming that call and what the app does without it;
 * - otherwise passed, with what it read.
 */
import { graphPermissionFor } from '../permissions/graph.js';
import { failed, messageOf, passed, warned, type Check, type CheckArea } from './check.js';
import { describeCall, type CallRecorder, type RecordedCall } from './calls.js';
import { QUERY_REFUSED_FIX, armReaderFix, graphPermissionFix } from './fixes.js';

/** Statuses a client retries or that mean "none": not a refusal. */
const NOT_REFUSED = new Set([404, 429, 503, 504]);

export interface ProbeContext {
  recorder: CallRecorder;
  graphBaseUrl: string;
}

export async function probeRead(ctx: ProbeContext, area: CheckArea, name: string, read: () => Promise<string>): Promise<Check> {
  const mark = ctx.recorder.mark();
  let detail: string;
  try {
    detail = await read();
  } catch (e) {
    return refusal(ctx, area, name, e, ctx.recorder.since(mark));
  }
  const calls = ctx.recorder.since(mark);
  const refused = calls.filter(isRefused);
  const first = refused[0];
  if (!first) return passed(area, name, detail);
  const unread = refused.find((call) => call.status === 400 && !calls.some((c) => c.status < 300 && resourceOf(c) === resourceOf(call)));
  if (unread) return failed(area, name, `query refused: ${describeCall(unread)}`, QUERY_REFUSED_FIX);
  const fix = fixFor(ctx, first);
  return warned(
    area,
    name,
    `${detail}; but ${describeCall(first)} was refused${refused.length > 1 ? ` (and ${refused.length - 1} more call(s))` : ''}, and the app goes on without it`,
    fix,
  );
}

/** The path a call reads, without its query: the list, whatever shape it was asked in. */
function resourceOf(call: RecordedCall): string {
  return call.path
    .split('?')[0]!
    .replace(/^\/(v1\.0|beta)(?=\/)/i, '')
    .toLowerCase();
}

function isRefused(call: RecordedCall): boolean {
  return call.status >= 400 && !NOT_REFUSED.has(call.status);
}

function refusal(ctx: ProbeContext, area: CheckArea, name: string, error: unknown, calls: RecordedCall[]): Check {
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  const call = [...calls].reverse().find(isRefused);
  if (call && (status === undefined || status === call.status)) {
    if (call.status === 400) return failed(area, name, `query refused: ${describeCall(call)}`, QUERY_REFUSED_FIX);
    if (call.status === 401 || call.status === 403)
      return failed(area, name, `permission missing (${permissionOf(call) ?? 'see the call'}): ${describeCall(call)}`, fixFor(ctx, call));
    return failed(area, name, `${describeCall(call)}: ${messageOf(error)}`);
  }
  return failed(area, name, messageOf(error));
}

function isArm(call: RecordedCall): boolean {
  return /^\/(subscriptions|providers)\b/i.test(call.path);
}

/** The Graph permission or the ARM role the call lacks. */
function permissionOf(call: RecordedCall): string | undefined {
  if (isArm(call)) return `Reader on ${armScope(call.path)}`;
  return graphPermissionFor(call.path.replace(/^\/(v1\.0|beta)(?=\/)/i, ''));
}

function armScope(path: string): string {
  return /^\/subscriptions\/[^/?]+/i.exec(path)?.[0] ?? '/';
}

function fixFor(ctx: ProbeContext, call: RecordedCall): string | undefined {
  if (call.status === 400) return QUERY_REFUSED_FIX;
  if (call.status !== 401 && call.status !== 403) return undefined;
  if (isArm(call)) return armReaderFix(armScope(call.path));
  const permission = permissionOf(call);
  return permission ? graphPermissionFix(ctx.graphBaseUrl, permission) : 'grant the call its permission: docs/deploy.md step 2';
}
