/**
 * Generated queue messages for the fault suite (fast-check): valid events (some carrying HTML
 * and header injection in their names and justification, some delivered twice, some with
 * hostile extra fields), invalid events whose offending field is known, text that is not JSON,
 * JSON that is not an event, and text that is not base64 at all. Each message says what must
 * become of it, so the suite can check the outcome message by message.
 */
import fc from 'fast-check';
import { ASSIGNMENT_EVENT_TYPES, LIMITS, type PimEvent } from '../../shared/events/schema.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { decodeMessage, handlerInput } from '../../dev/host/queueCodec.js';

export type GeneratedMessage =
  | {
      kind: 'valid';
      stored: string;
      event: PimEvent;
      /** true when names or the justification carry injection attempts. */
      hostile: boolean;
      /** Texts that must never reach a log line. */
      secrets: string[];
    }
  | {
      kind: 'invalid';
      stored: string;
      /** What the handler receives (and the poison record keeps as `message`). */
      value: unknown;
      /** The id the reason must name; undefined when the message has no valid id. */
      eventId: string | undefined;
      /** The dotted path the reason and `poison.fields` must name; undefined when only the prefix is known. */
      field: string | undefined;
      secrets: string[];
    }
  | { kind: 'undecodable'; stored: string; secrets: string[] };

/** Injection attempts for display names and justifications. */
export const INJECTIONS = [
  '<script>alert(1)</script>',
  '\r\nBcc: victim@evil.example',
  '\r\n\r\n<html><body>takeover',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '{{constructor.constructor}} {{{raw}}}',
  '\u2028Bcc: sep@evil.example',
  '\nSubject: spoofed\nX-Priority: 1',
  '=?utf-8?b?QmNjOiB4QGV2aWwuZXhhbXBsZQ==?=',
  '<a href="javascript:alert(1)">click</a>',
  '&amp; &lt;already&gt; escaped',
  'Ünïcödé ✓ 😀 \u202Ertl',
  '\u0000nul\u0007bell\u001b[31m',
  '%0d%0aBcc: urlenc@evil.example',
] as const;

type Spec =
  | { kind: 'valid'; base: number; shiftDays: number; hostile: HostileSpec | undefined; extra: boolean }
  | { kind: 'duplicate'; pick: number }
  | { kind: 'mutation'; base: number; mutation: Mutation }
  | { kind: 'notJson'; variant: 'plainSecret' | 'random' | 'truncated'; text: string; base: number; cut: number }
  | { kind: 'notEvent'; json: unknown }
  | { kind: 'undecodable'; variant: 'rawJson' | 'bang' | 'chopped' | 'url'; base: number };

interface HostileSpec {
  principal: string | undefined;
  actor: string | undefined;
  justification: string | undefined;
  scope: string | undefined;
}

type Mutation =
  | { path: 'id'; value: unknown }
  | {
      path:
        | 'tenantId'
        | 'occurredAt'
        | 'type'
        | 'scope'
        | 'scope.kind'
        | 'scope.id'
        | 'role'
        | 'role.id'
        | 'principal'
        | 'principal.id'
        | 'principal.type'
        | 'assignment'
        | 'assignment.permanent'
        | 'assignment.state'
        | 'actor.id';
      value: unknown;
    }
  | { path: 'principal.displayName' | 'request.justification' | 'request.ticketNumber' | 'scope.displayName'; value: unknown };

const payload = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const hostileText = fc.tuple(payload, payload).map(([a, b]) => `${a} ${b}`);

const hostileSpec: fc.Arbitrary<HostileSpec> = fc.record({
  principal: fc.option(hostileText, { nil: undefined }),
  actor: fc.option(hostileText, { nil: undefined }),
  justification: fc.option(
    fc.tuple(hostileText, fc.constantFrom('', '\r\nsecond line\r\n\r\n\r\nthird', 'x'.repeat(600))).map(([a, b]) => `${a}${b}`),
    { nil: undefined },
  ),
  scope: fc.option(hostileText, { nil: undefined }),
});

const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);
const badString = fc.oneof(
  fc.constantFrom('', 'not-a-guid', '12345678-1234-1234-1234-12345678901Z', 'yesterday'),
  fc.string({ maxLength: 12 }),
);
const huge = (min: number) => fc.integer({ min, max: 30_000 }).map((n) => 'x'.repeat(n));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    path: fc.constant('id' as const),
    value: fc.oneof(wrongType, fc.constantFrom('', 'has space', 'semi;colon', "quote'd", 'x'.repeat(129), 'ünï')),
  }),
  fc.record({ path: fc.constant('tenantId' as const), value: fc.oneof(wrongType, badString) }),
  fc.record({
    path: fc.constant('occurredAt' as const),
    value: fc.oneof(wrongType, fc.constantFrom('yesterday', '2026-11-16T09:12:00', '2026-13-45T99:00:00Z', '16/11/2026')),
  }),
  fc.record({
    path: fc.constant('type' as const),
    value: fc.oneof(wrongType, fc.constantFrom(undefined, 'roleStolen', 'ROLEASSIGNED', '')),
  }),
  fc.record({ path: fc.constant('scope' as const), value: fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 5 })) }),
  fc.record({ path: fc.constant('scope.kind' as const), value: fc.oneof(wrongType, fc.constantFrom('tenant', 'Directory')) }),
  fc.record({
    path: fc.constant('scope.id' as const),
    value: fc.oneof(wrongType, fc.constantFrom('', 'subscriptions/x', 'x'.repeat(LIMITS.scopeId + 1))),
  }),
  fc.record({ path: fc.constant('role' as const), value: fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 5 })) }),
  fc.record({ path: fc.constant('role.id' as const), value: fc.oneof(wrongType, badString) }),
  fc.record({
    path: fc.constant('principal' as const),
    value: fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 5 })),
  }),
  fc.record({ path: fc.constant('principal.id' as const), value: fc.oneof(wrongType, badString) }),
  fc.record({ path: fc.constant('principal.type' as const), value: fc.oneof(fc.integer(), fc.constantFrom('robot', 'User', '')) }),
  fc.record({ path: fc.constant('assignment' as const), value: fc.oneof(fc.constant(undefined), fc.integer(), fc.constant('active')) }),
  fc.record({ path: fc.constant('assignment.permanent' as const), value: fc.oneof(fc.constantFrom('yes', 'true', 1, null)) }),
  fc.record({ path: fc.constant('assignment.state' as const), value: fc.oneof(wrongType, fc.constantFrom('Eligible', 'permanent')) }),
  fc.record({ path: fc.constant('actor.id' as const), value: fc.oneof(wrongType, badString) }),
  fc.record({
    path: fc.constant('principal.displayName' as const),
    value: fc.oneof(
      huge(LIMITS.displayName + 1),
      wrongType.filter((v) => v !== null),
    ),
  }),
  fc.record({
    path: fc.constant('request.justification' as const),
    value: fc.oneof(huge(LIMITS.justification + 1), fc.integer(), fc.array(fc.string(), { maxLength: 2 })),
  }),
  fc.record({ path: fc.constant('request.ticketNumber' as const), value: fc.oneof(huge(LIMITS.ticket + 1), fc.boolean()) }),
  fc.record({ path: fc.constant('scope.displayName' as const), value: fc.oneof(huge(LIMITS.displayName + 1), fc.integer()) }),
);

function spec(bases: number): fc.Arbitrary<Spec> {
  const base = fc.nat({ max: bases - 1 });
  return fc.oneof(
    {
      weight: 30,
      arbitrary: fc.record({
        kind: fc.constant('valid' as const),
        base,
        shiftDays: fc.integer({ min: -8, max: 8 }),
        hostile: fc.option(hostileSpec, { nil: undefined, freq: 2 }),
        extra: fc.boolean(),
      }),
    },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }) },
    { weight: 35, arbitrary: fc.record({ kind: fc.constant('mutation' as const), base, mutation }) },
    {
      weight: 10,
      arbitrary: fc.record({
        kind: fc.constant('notJson' as const),
        variant: fc.constantFrom('plainSecret' as const, 'random' as const, 'truncated' as const),
        text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }),
        base,
        cut: fc.nat(),
      }),
    },
    {
      weight: 7,
      arbitrary: fc.record({
        kind: fc.constant('notEvent' as const),
        json: fc.oneof(
          fc.integer(),
          fc.constant(null),
          fc.boolean(),
          fc.array(fc.integer(), { maxLength: 4 }),
          fc.constant({}),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
      }),
    },
    {
      weight: 10,
      arbitrary: fc.record({
        kind: fc.constant('undecodable' as const),
        variant: fc.constantFrom('rawJson' as const, 'bang' as const, 'chopped' as const, 'url' as const),
        base,
      }),
    },
  );
}

/** `count` messages from the seed, deterministic for a given seed and base events. */
export function generateMessages(bases: PimEvent[], count: number, seed: number): GeneratedMessage[] {
  const specs = fc.sample(spec(bases.length), { numRuns: count, seed });
  const out: GeneratedMessage[] = [];
  const valids: Extract<GeneratedMessage, { kind: 'valid' }>[] = [];
  specs.forEach((s, i) => {
    const message = materialize(s, i, bases, valids);
    if (message.kind === 'valid') valids.push(message);
    out.push(message);
  });
  return out;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function freshValid(
  base: PimEvent,
  i: number,
  shiftDays: number,
  hostile: HostileSpec | undefined,
  extra: boolean,
): Extract<GeneratedMessage, { kind: 'valid' }> {
  const e = clone(base) as PimEvent & Record<string, unknown>;
  e.id = `ok-${i}`;
  e.occurredAt = new Date(Date.parse(base.occurredAt) + shiftDays * 86_400_000).toISOString();
  const secrets: string[] = [];
  let isHostile = false;
  if (hostile && e.type !== 'pimEnabled') {
    if (hostile.principal !== undefined) {
      // A principal the directory does not know: its name comes from the event (events.md).
      const name = `NAME-${i}-p ${hostile.principal}`.slice(0, LIMITS.displayName);
      e.principal = { id: guidFor(i, 1), displayName: name, type: 'user' };
      secrets.push(`NAME-${i}-p`);
      isHostile = true;
    }
    if (hostile.actor !== undefined) {
      e.actor = { id: guidFor(i, 2), displayName: `NAME-${i}-a ${hostile.actor}`.slice(0, LIMITS.displayName) };
      secrets.push(`NAME-${i}-a`);
      isHostile = true;
    }
    if (hostile.justification !== undefined) {
      e.request = { ...e.request, justification: `JUST-${i}-j ${hostile.justification}`.slice(0, LIMITS.justification) };
      secrets.push(`JUST-${i}-j`);
      isHostile = true;
    }
    if (hostile.scope !== undefined && e.scope.kind === 'azureResource') {
      e.scope = { ...e.scope, displayName: `NAME-${i}-s ${hostile.scope}`.slice(0, LIMITS.displayName) };
      isHostile = true;
    }
  }
  const justification = e.request?.justification;
  if (justification) secrets.push(justification.slice(0, 40));
  const sent: Record<string, unknown> = extra
    ? // Unknown fields are ignored, never an error (events.md), hostile ones included.
      JSON.parse(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"extraField":"${i}",${JSON.stringify(e).slice(1)}`)
    : e;
  return { kind: 'valid', stored: encodeMessage(JSON.stringify(sent)), event: e, hostile: isHostile, secrets };
}

function materialize(s: Spec, i: number, bases: PimEvent[], valids: Extract<GeneratedMessage, { kind: 'valid' }>[]): GeneratedMessage {
  switch (s.kind) {
    case 'valid':
      return freshValid(bases[s.base]!, i, s.shiftDays, s.hostile, s.extra);
    case 'duplicate': {
      // The same message delivered again: it must notify and count once.
      const earlier = valids[s.pick % Math.max(valids.length, 1)];
      return earlier ? { ...earlier, secrets: [...earlier.secrets] } : freshValid(bases[0]!, i, 0, undefined, false);
    }
    case 'mutation':
      return mutate(bases[s.base]!, i, s.mutation);
    case 'notJson': {
      const secret = `JUST-${i}-t`;
      let text: string;
      if (s.variant === 'plainSecret') text = `${secret} please approve ${s.text}`;
      else if (s.variant === 'truncated') {
        const { request: _ignored, ...rest } = clone(bases[s.base]!);
        const e = { request: { justification: `${secret} ${s.text}` }, ...rest, id: `trunc-${i}` };
        const json = JSON.stringify(e);
        text = json.slice(0, 1 + (s.cut % (json.length - 2)));
      } else text = s.text;
      // What arrives is the UTF-8 round trip (a cut through a surrogate pair becomes U+FFFD).
      text = Buffer.from(text, 'utf8').toString('utf8');
      if (isJson(text)) text = `${secret}${text}`; // e.g. "1" or "[]": keep this category not-JSON
      const value = handlerInput(text);
      return { kind: 'invalid', stored: encodeMessage(text), value, eventId: undefined, field: '', secrets: [secret] };
    }
    case 'notEvent': {
      const text = JSON.stringify(s.json);
      const field = typeof s.json === 'object' && s.json !== null && !Array.isArray(s.json) ? undefined : '';
      return { kind: 'invalid', stored: encodeMessage(text), value: handlerInput(text), eventId: undefined, field, secrets: [] };
    }
    case 'undecodable': {
      const secret = `JUST-${i}-u`;
      const e = { ...clone(bases[s.base]!), id: `raw-${i}`, request: { justification: `${secret} raw` } };
      const json = JSON.stringify(e);
      const b64 = encodeMessage(json);
      let stored: string;
      if (s.variant === 'rawJson')
        stored = json; // the producer forgot to base64-encode
      else if (s.variant === 'bang') stored = `!${b64}`;
      else if (s.variant === 'url')
        stored = `${b64.replace(/=+$/, '')}-_`; // base64url is not base64
      else stored = b64.length % 4 === 0 ? b64.slice(0, -1) : b64;
      if (decodeMessage(stored, 'base64').ok) stored = `*${stored}`;
      return { kind: 'undecodable', stored, secrets: [secret] };
    }
  }
}

function mutate(base: PimEvent, i: number, m: Mutation): GeneratedMessage {
  const e = clone(base) as Record<string, unknown>;
  const id = `bad-${i}`;
  e['id'] = id;
  let field: string | undefined = m.path;
  const [head, tail] = m.path.split('.') as [string, string | undefined];
  const value = m.value;
  if (tail === undefined) {
    if (value === undefined) delete e[head];
    else e[head] = value;
  } else {
    const parent = (typeof e[head] === 'object' && e[head] !== null ? { ...(e[head] as object) } : {}) as Record<string, unknown>;
    // A parent the base lacks: give it a valid shape first, so the only fault is the mutated field.
    if (head === 'role' && !('id' in parent)) parent['id'] = '62e90394-69f5-4237-9190-012177145e10';
    if (head === 'principal' && !('id' in parent)) parent['id'] = guidFor(i, 3);
    if (head === 'actor' && !('id' in parent)) parent['id'] = guidFor(i, 4);
    if (head === 'assignment' && !('state' in parent)) Object.assign(parent, { state: 'active', permanent: false });
    parent[tail] = value;
    e[head] = parent;
  }
  // Fields some types may omit: removing them from such a type is no fault, so add the fault differently.
  if (base.type === 'pimEnabled' && (m.path === 'role' || m.path === 'principal') && value === undefined) e[head] = 42;
  // A group's access has no role: removing it is no fault either.
  if (base.scope.kind === 'group' && m.path === 'role' && value === undefined) e[head] = 42;
  if (m.path === 'assignment' && value === undefined && !(ASSIGNMENT_EVENT_TYPES as readonly string[]).includes(base.type))
    e['assignment'] = 'active';
  if (m.path === 'type') field = 'type';
  const eventId = m.path === 'id' ? undefined : id;
  if (m.path === 'id' && typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value))
    throw new Error(`generator bug: valid id ${value}`);
  const text = JSON.stringify(e);
  const secrets: string[] = [];
  const justification = (e['request'] as { justification?: unknown } | undefined)?.justification;
  if (typeof justification === 'string' && justification.length >= 6 && !/^x+$/.test(justification))
    secrets.push(justification.slice(0, 40));
  return { kind: 'invalid', stored: encodeMessage(text), value: handlerInput(text), eventId, field, secrets };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A GUID no directory holds, unique per message. */
function guidFor(i: number, kind: number): string {
  return `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
}
