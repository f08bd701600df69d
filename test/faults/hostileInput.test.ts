/**
 * Hostile input the generated set does not reach, each through the real notify function on
 * the local runner (its own Azurite, the embedded snapshot, the outbox): nesting thousands
 * of levels deep, control characters that JSON escaping inflates, messages whose exact bytes
 * a re-serialisation would change (duplicate keys, 1e999, big integers, bytes that are not
 * UTF-8), dates outside any sane range, a UTF-8 BOM in front of a valid event, a message too
 * close to the size limit to carry its reason, and invisible or direction-changing characters.
 *
 * Every bad message: in the poison queue once, with its reason, never retried (dequeueCount 1,
 * no failed invocation), its original text given back byte for byte.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../shared/composition/services.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { originalText, type PoisonRecord } from '../../shared/queues/poison.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { parseMessage } from '../support/mimeParse.js';
import {
  decodeStored,
  drainPoison,
  enqueueStored,
  expectedEmails,
  expectExactlyOnce,
  outboxFiles,
  sampleEvents,
  startOwnAzurite,
  startRunner,
  useOutboxApp,
  type OutboxApp,
  type OwnAzurite,
  type Runner,
} from '../support/faults.js';

let azurite: OwnAzurite;
let runner: Runner;
let app: OutboxApp;

beforeAll(async () => {
  azurite = await startOwnAzurite();
  app = await useOutboxApp(azurite.connectionString);
  runner = await startRunner(azurite.connectionString);
});

afterAll(async () => {
  await runner?.host.stop();
  await azurite?.dispose();
  await app?.cleanup();
});

interface Bad {
  name: string;
  stored: string;
  /** What the poison entry must start its reason with, and the field it must name. */
  reason: RegExp;
  field?: string;
}

function text(value: unknown): string {
  return JSON.stringify(value);
}

describe('hostile input through the notify function', () => {
  it(
    'poisons each bad message once with its reason and its exact original; accepts a BOM; strips invisible characters',
    { timeout: 120_000 },
    async () => {
      const all = await sampleEvents();
      const base = all.find((e) => e.type === 'roleAssigned')!;
      const approval = all.find((e) => e.type === 'activationPendingApproval')!;
      const body = text({ ...base, id: 'placeholder' }).slice(1, -1);

      const deep = `{"id":"deep-1",${body.replace('"id":"placeholder",', '')},"extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      // Raw control characters are not JSON, and each would grow to a 6-byte \u escape in a record.
      const inflated = `{"id":"ctl-1","x":"${'\u0001'.repeat(12_000)}"}`;
      const exact = `{"id":"dup-1","id":"dup-2","big":123456789012345678901234567890,"inf":1e999,"type":"roleStolen","tenantId":"${base.tenantId}"}`;
      const bad: Bad[] = [
        { name: 'deep nesting', stored: encodeMessage(deep), reason: /^event deep-1 is invalid: nested deeper than \d+ levels/, field: '' },
        {
          name: 'control characters',
          stored: encodeMessage(inflated),
          reason: /^event \(no valid id\) is invalid: not valid JSON/,
          field: '',
        },
        {
          name: 'duplicate keys, 1e999, big integer',
          stored: encodeMessage(exact),
          reason: /^event dup-2 is invalid: type/,
          field: 'type',
        },
        {
          name: 'year 0000',
          stored: encodeMessage(text({ ...base, id: 'date-1', occurredAt: '0000-01-01T00:00:00Z' })),
          reason: /^event date-1 is invalid: occurredAt: must be between/,
          field: 'occurredAt',
        },
        {
          name: 'end in year 9999',
          stored: encodeMessage(
            text({ ...base, id: 'date-2', assignment: { state: 'active', permanent: false, endDateTime: '9999-12-31T00:00:00Z' } }),
          ),
          reason: /^event date-2 is invalid: assignment\.endDateTime: must be between/,
          field: 'assignment.endDateTime',
        },
      ];
      // 49,152 bytes is the most a 64 KiB base64 message holds: this one fits, its record would not.
      const nearLimit = `{"id":"big-1","type":"roleStolen","pad":"${'y'.repeat(48_950)}"}`;
      const notUtf8 = Buffer.concat([
        Buffer.from('{"id":"bin-1","type":"x","n":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]).toString('base64');
      const bom = { ...base, id: 'bom-1' } as PimEvent;
      const bidi = {
        ...approval,
        id: 'bidi-1',
        request: { ...approval.request, justification: 'Invoice\u202Efdp.exe \u200Bzero\u200Dwidth\uFEFF done' },
      } as PimEvent;

      await enqueueStored(azurite.connectionString, [
        ...bad.map((b) => b.stored),
        encodeMessage(nearLimit),
        notUtf8,
        Buffer.from('\uFEFF' + text(bom), 'utf8').toString('base64'),
        encodeMessage(text(bidi)),
      ]);
      await runner.host.waitForIdle({ timeoutMs: 90_000 });

      const entries = await drainPoison(azurite.connectionString);
      const records = new Map<string, { stored: string; record: PoisonRecord | undefined }>();
      for (const stored of entries) {
        const decoded = decodeStored(stored);
        let record: PoisonRecord | undefined;
        try {
          const value = JSON.parse(decoded) as PoisonRecord;
          record = typeof value === 'object' && value !== null && 'poison' in value ? value : undefined;
        } catch {
          record = undefined;
        }
        records.set(encodeMessage(originalText(decoded)), { stored, record });
      }

      for (const b of bad) {
        const entry = records.get(b.stored);
        expect(entry, `${b.name}: in the poison queue with its exact original`).toBeDefined();
        const r = entry!.record!;
        expect(r, `${b.name}: a record with its reason`).toBeDefined();
        expect(r.poison.reason, b.name).toMatch(b.reason);
        if (b.field !== undefined) expect(r.poison.fields, b.name).toContain(b.field);
        expect(r.poison.dequeueCount, `${b.name}: never retried`).toBe(1);
        // Sized as it will be stored: the record itself fits a queue message.
        expect(entry!.stored.length, b.name).toBeLessThanOrEqual(64 * 1024);
      }
      // Control characters: carried as base64 (4/3 of the bytes), not as 6-byte escapes.
      expect(records.get(bad[1]!.stored)!.record!.messageBase64).toBeDefined();
      expect(records.get(bad[1]!.stored)!.stored.length).toBeLessThan(30_000);
      // Duplicate keys, 1e999 and the big integer are still there, as written.
      expect(records.get(bad[2]!.stored)!.record!.messageText).toBe(exact);

      // Too close to the limit to carry a reason: moved as is, still not retried.
      expect(records.get(encodeMessage(nearLimit))?.record, 'moved bare').toBeUndefined();
      expect(runner.logs.some((l) => /event big-1 is invalid.*too large to annotate, moved as is/.test(l))).toBe(true);

      // Not UTF-8: the host decodes before the function, so the record says what was lost.
      const lossy = [...records.values()].find((e) => e.record?.poison.eventId === 'bin-1');
      expect(lossy?.record?.poison.lossyDecoding).toBe(true);

      expect(records.size).toBe(bad.length + 2);
      expect(runner.host.stats().failures, 'no message was retried').toBe(0);

      // The BOM-prefixed event and the bidi one are valid and mailed, each email once.
      const settings = loadSettings();
      const directory = await createDirectory(settings);
      const expected = await expectedEmails([bom, bidi], directory, settings);
      expect(expected.size).toBeGreaterThan(1);
      const files = await outboxFiles(app.outbox);
      expectExactlyOnce(
        files.map((f) => f.replace(/\.eml$/, '')),
        expected,
      );
      for (const e of expected.values()) {
        if (e.eventId !== 'bidi-1') continue;
        const message = parseMessage(await readFile(path.join(app.outbox, `${e.operationId}.eml`)));
        for (const part of message.parts) {
          expect(part.body).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
          if (/text\/plain/.test(part.headers.get('content-type') ?? '')) expect(part.body).toContain('Invoicefdp[.]exe zerowidth done');
        }
      }
    },
  );
});
