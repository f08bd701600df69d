/**
 * Turning untrusted input (a queue message, a line of a file) into a PimEvent, or into a
 * reason that names the event and the offending field (events.md "Bad input").
 */
import type { z } from 'zod';
import { pimEventSchema, type PimEvent } from './schema.js';
import { armScope } from './armScope.js';

export interface EventIssue {
  /** Dotted path of the offending field, e.g. `principal.id`; empty for the message as a whole. */
  path: string;
  message: string;
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    /** The event's id when the input had a usable one. */
    readonly eventId: string | undefined,
    readonly issues: EventIssue[],
  ) {
    super(describe(eventId, issues));
  }
}

/** What the input turned out to be: a valid event, or an invalid one with the reason. */
export type ParseResult = { kind: 'valid'; event: PimEvent } | { kind: 'invalid'; error: InvalidEventError };

/** Validates an already-decoded value (the host hands queue triggers a parsed object). */
export function parseEvent(input: unknown): ParseResult {
  // Before anything recurses over the value (zod, JSON.stringify of a poison record): a
  // hostile message thousands of levels deep would otherwise overflow the stack.
  if (depthExceeds(input, MAX_DEPTH)) {
    return {
      kind: 'invalid',
      error: new InvalidEventError(guessId(input), [{ path: '', message: `nested deeper than ${MAX_DEPTH} levels` }]),
    };
  }
  const result = pimEventSchema.safeParse(input);
  if (result.success) return { kind: 'valid', event: withPlainScope(result.data) };
  return { kind: 'invalid', error: new InvalidEventError(guessId(input), toIssues(result.error)) };
}

/**
 * An Azure scope in its one spelling (armScope.ts): an event at a subscription's alias is the
 * event at that subscription, for its admins, its confirmation and its ids alike.
 */
function withPlainScope(event: PimEvent): PimEvent {
  if (event.scope.kind !== 'azureResource') return event;
  const id = armScope(event.scope.id);
  return id === event.scope.id ? event : ({ ...event, scope: { ...event.scope, id } } as PimEvent);
}

/** Validates a JSON text: a message body or a line of a JSON Lines file. */
export function parseEventText(text: string): ParseResult {
  let value: unknown;
  try {
    // A UTF-8 byte order mark is an encoding detail, not content (RFC 8259 §8.1 lets a parser ignore it).
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    return { kind: 'invalid', error: new InvalidEventError(undefined, [{ path: '', message: `not valid JSON (${jsonErrorDetail(e)})` }]) };
  }
  return parseEvent(value);
}

/**
 * Where JSON.parse gave up, without its excerpt: V8 quotes the input ("Unexpected token 'J',
 * "Justificat"... is not valid JSON"), and the reason goes to logs and the poison queue.
 */
function jsonErrorDetail(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return `at position ${position}`;
  return /unexpected end/i.test(message) ? 'unexpected end of input' : 'unexpected character';
}

/** An event is 3 levels deep; anything much deeper is not one (and would recurse in zod and JSON.stringify). */
export const MAX_DEPTH = 16;

/** Iterative, so that the check itself cannot overflow the stack. */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function toIssues(error: z.ZodError): EventIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** A reason safe to log and to store: ids and field names, never the offending values. */
function describe(eventId: string | undefined, issues: EventIssue[]): string {
  const who = eventId ? `event ${eventId}` : 'event (no valid id)';
  const what = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
  const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : '';
  return `${who} is invalid: ${what}${more}`;
}

function guessId(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const id = (input as Record<string, unknown>)['id'];
  return typeof id === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;
}
