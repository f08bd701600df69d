/**
 * 1,000 generated messages (fast-check; FAULTS_SEED to replay another seed) through the real
 * notify function on the local runner, on an Azurite of this file's own, with the embedded
 * snapshot directory and the outbox sender. Valid events (some with HTML and header
 * injection in names and justifications, some delivered twice, some with hostile extra
 * fields) are mixed with invalid events, non-JSON, non-events and non-base64 text.
 *
 * Checked explicitly after the run: exactly the planned emails (no missing, no duplicate);
 * exact digest counts; every bad message in the poison queue with a reason naming its id and
 * field; injected text escaped in HTML and on one line in headers; no address or
 * justification in any log line; the runner still alive and processing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../shared/composition/services.js';
import { loadSettings, type Settings } from '../../shared/settings/settings.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import { requesterText } from '../../shared/render/format.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { originalText } from '../../shared/queues/poison.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { parseMessage, splitHeaders } from '../support/mimeParse.js';
import {
  decodeStored,
  drainPoison,
  enqueueStored,
  expectDigestCounts,
  expectedEmails,
  expectExactlyOnce,
  expectNoSecretsInLogs,
  outboxFiles,
  sampleEvents,
  startOwnAzurite,
  startRunner,
  useOutboxApp,
  type ExpectedEmail,
  type OutboxApp,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';
import { generateMessages, type GeneratedMessage } from '../support/faultsMessages.js';

const SEED = Number(process.env['FAULTS_SEED'] ?? 20261116);
const COUNT = 1000;

let azurite: OwnAzurite;
let runner: Runner;
let app: OutboxApp;
let outbox: string;
let activityTable: string;
let settings: Settings;
let directory: RoleDirectory;

beforeAll(async () => {
  azurite = await startOwnAzurite();
  app = await useOutboxApp(azurite.connectionString);
  ({ outbox, activityTable } = app);
  settings = loadSettings();
  directory = await createDirectory(settings);
  runner = await startRunner(azurite.connectionString);
});

afterAll(async () => {
  await runner?.host.stop();
  await azurite?.dispose();
  await app?.cleanup();
});

/** RFC 2047 encoded words (=?utf-8?Q?...?= / ?B?), adjacent ones joined as the RFC says. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

const ALLOWED_HEADERS = new Set([
  'from',
  'to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'x-pim-event-id',
  'x-pim-notification',
  'in-reply-to',
  'references',
  // Every message says it is automated (transport.ts AUTOMATED_MESSAGE_HEADERS).
  'auto-submitted',
  'x-auto-response-suppress',
]);

/** The checks on one email caused by an event with injected text. */
/** Returns how many injected texts it found in the email and checked the escaping of. */
function checkHostileEmail(eml: Buffer, event: PimEvent, file: string): number {
  let escapes = 0;
  const raw = eml.toString('latin1');
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  // Every header line is a known header or a folded continuation: nothing injected a header.
  const names = head
    .split('\r\n')
    .filter((l) => !/^[ \t]/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
  expect(
    names.filter((n) => !ALLOWED_HEADERS.has(n)),
    `${file}: unexpected headers`,
  ).toEqual([]);
  expect(
    names.filter((n) => n === 'subject'),
    file,
  ).toHaveLength(1);
  expect(head, file).not.toMatch(/[^\r]\n|\r[^\n]/); // no bare LF or CR in the header section

  const message = parseMessage(eml);
  const subject = decodeWords(splitHeaders(raw).headers.get('subject') ?? '');
  expect(subject, file).toMatch(/^PIM: /);
  // eslint-disable-next-line no-control-regex
  expect(subject, file).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);

  const html = message.parts.find((p) => /text\/html/.test(p.headers.get('content-type') ?? ''))?.body ?? '';
  const text = message.parts.find((p) => /text\/plain/.test(p.headers.get('content-type') ?? ''))?.body ?? '';
  expect(html.length, file).toBeGreaterThan(0);
  for (const markup of ['<script', '<img', 'onerror=', "onmouseover='", 'href="javascript', '<html><body>takeover']) {
    expect(html.includes(markup), `${file}: raw ${markup} in the HTML`).toBe(false);
  }
  // Names come from the directory, never from the event: the generated principals, actors
  // and scopes are unknown to it, so their injected names must not appear at all.
  const names2 = [event.principal?.displayName, event.actor?.displayName, event.scope.displayName].filter((n): n is string => Boolean(n));
  for (const name of names2) {
    const marker = /^NAME-\d+-[pas]/.exec(name)?.[0];
    if (!marker) continue;
    expect(
      raw.includes(marker) || subject.includes(marker) || text.includes(marker) || html.includes(marker),
      `${file}: the event's name ${marker} was shown`,
    ).toBe(false);
    escapes++;
  }
  expect(subject + text + html, `${file}: invisible or direction-changing characters`).not.toMatch(
    /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/,
  );
  const justification = event.request?.justification;
  if (justification && text.includes(requesterText(justification).split('\n')[0]!)) {
    for (const line of requesterText(justification).split('\n')) {
      expect(
        html.includes(Handlebars.escapeExpression(line)),
        `${file}: justification line ${JSON.stringify(line)} escaped in the HTML`,
      ).toBe(true);
      // Defanged: nothing a mail client could turn into a link.
      expect(line.replace(/\[:\/\/\]|\[@\]|\[\.\]/g, ''), file).not.toMatch(/:\/\/|@|\.\p{L}/u);
    }
    expect(text, `${file}: the justification is quoted`).toContain(`\u201C${requesterText(justification).split('\n')[0]!}`);
    escapes++;
  }
  return escapes;
}

describe(`${COUNT} generated messages, malformed, hostile and valid (seed ${SEED})`, () => {
  it(
    'sends each valid email once, counts exactly, poisons every bad message with its reason, leaks nothing',
    { timeout: 150_000 },
    async () => {
      const messages = generateMessages(await sampleEvents(), COUNT, SEED);
      const valid = messages.filter((m): m is Extract<GeneratedMessage, { kind: 'valid' }> => m.kind === 'valid');
      const invalid = messages.filter((m): m is Extract<GeneratedMessage, { kind: 'invalid' }> => m.kind === 'invalid');
      const undecodable = messages.filter((m) => m.kind === 'undecodable');
      // The mix the generator is meant to give (a seed that does not is a generator bug, not a pass).
      expect(valid.length).toBeGreaterThan(250);
      expect(valid.filter((m) => m.hostile).length).toBeGreaterThan(100);
      expect(invalid.length).toBeGreaterThan(350);
      expect(undecodable.length).toBeGreaterThan(50);
      expect(new Set(valid.map((m) => m.event.id)).size).toBeLessThan(valid.length); // some delivered twice

      await enqueueStored(
        azurite.connectionString,
        messages.map((m) => m.stored),
      );
      await runner.host.waitForIdle({ timeoutMs: 120_000 });

      const events = valid.map((m) => m.event);
      const expected = await expectedEmails(events, directory, settings);
      expect(expected.size).toBeGreaterThan(valid.length);

      // 1. Every valid event's emails, each exactly once, nothing else.
      const files = await outboxFiles(outbox);
      expectExactlyOnce(
        files.map((f) => f.replace(/\.eml$/, '')),
        expected,
      );

      // 2. Digest counts exact: countWeek over the activity table = distinct valid ids per tile.
      await expectDigestCounts(azurite.connectionString, activityTable, events);

      // 3. Every bad message in the poison queue, with a reason naming its id and field.
      const poisoned = (await drainPoison(azurite.connectionString)).map((stored) => {
        let record: unknown;
        try {
          record = JSON.parse(decodeStored(stored));
        } catch {
          record = undefined;
        }
        return {
          stored,
          record:
            typeof record === 'object' && record !== null && 'poison' in record
              ? (record as { poison: Record<string, unknown>; message: unknown })
              : undefined,
        };
      });
      const bare = poisoned.filter((p) => !p.record).map((p) => p.stored);
      expect(bare.sort(), 'undecodable messages are moved unchanged').toEqual(undecodable.map((m) => m.stored).sort());
      const records = poisoned.flatMap((p) => (p.record ? [{ ...p.record, original: originalText(decodeStored(p.stored)) }] : []));
      expect(records).toHaveLength(invalid.length);
      // Keyed by the stored message: the record must give back exactly the bytes that were enqueued.
      const pending = new Map<string, Extract<GeneratedMessage, { kind: 'invalid' }>[]>();
      for (const m of invalid) pending.set(m.stored, [...(pending.get(m.stored) ?? []), m]);
      for (const r of records) {
        const key = encodeMessage(r.original);
        const m = pending.get(key)?.pop();
        expect(m, `a poison record for a message that was not sent as invalid: ${key.slice(0, 200)}`).toBeDefined();
        const reason = String(r.poison['reason']);
        const fields = r.poison['fields'] as string[];
        const who = m!.eventId ? `event ${m!.eventId} is invalid: ` : 'event (no valid id) is invalid: ';
        expect(reason.startsWith(who), `${reason} should start with ${who}`).toBe(true);
        if (m!.field) {
          expect(fields, reason).toContain(m!.field);
          expect(reason, reason).toContain(`${m!.field}: `);
        } else if (m!.field === '') {
          expect(fields, reason).toContain('');
        }
        expect(r.poison['dequeueCount'], 'invalid events are never retried').toBe(1);
        expect(typeof r.poison['messageId']).toBe('string');
      }

      // 4. Nothing crashed the runner, and nothing failed: two copies of one message racing
      // (the second sees the first's fresh claims) defer the second instead of failing it.
      const failed = runner.logs.filter((l) => /^Executed 'notify' \(Failed/.test(l));
      expect(failed).toEqual([]);
      const twice = new Set(valid.map((m) => m.event.id).filter((id, i, all) => all.indexOf(id) !== i));
      const deferred = runner.logs.filter((l) => /emails held by another worker's lease; queued again/.test(l));
      for (const line of deferred) expect(twice.has(/event ([A-Za-z0-9._:-]+): emails held/.exec(line)?.[1] ?? ''), line).toBe(true);
      expect(runner.host.stats()).toEqual({
        invocations: COUNT - undecodable.length + deferred.length,
        failures: 0,
        poisoned: undecodable.length,
      });

      // 5. Injected text: sent, escaped in the HTML, on one line in the headers.
      const byEvent = new Map<string, ExpectedEmail[]>();
      for (const e of expected.values()) byEvent.set(e.eventId, [...(byEvent.get(e.eventId) ?? []), e]);
      const hostile = [...new Map(valid.filter((m) => m.hostile).map((m) => [m.event.id, m.event])).values()];
      let checked = 0;
      let escapes = 0;
      for (const event of hostile) {
        for (const email of byEvent.get(event.id) ?? []) {
          escapes += checkHostileEmail(await readFile(path.join(outbox, `${email.operationId}.eml`)), event, email.operationId);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(100);
      expect(escapes, 'injected names and justifications found in the emails and checked').toBeGreaterThan(100);

      // 6. Logs: ids and counts, never an address, a justification or an injected name.
      expect(runner.logs.length).toBeGreaterThan(COUNT);
      expectNoSecretsInLogs(
        runner.logs,
        messages.flatMap((m) => m.secrets),
      );

      // 7. Still processing: a later message goes through.
      const later = { ...valid[0]!.event, id: 'after-the-storm' };
      await enqueueStored(azurite.connectionString, [encodeMessage(later)]);
      await runner.host.waitForIdle({ timeoutMs: 30_000 });
      const laterExpected = await expectedEmails([later], directory, settings);
      const after = new Set(await outboxFiles(outbox));
      for (const id of laterExpected.keys()) expect(after.has(`${id}.eml`)).toBe(true);
    },
  );
});
