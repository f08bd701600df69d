/**
 * A poisoned message keeps its reason whenever it fitted the queue as it arrived with room for
 * the reason, however JSON-hostile its text (quotes double under JSON, control characters grow
 * sixfold), and the original comes back byte for byte (redrive).
 */
import { describe, expect, it } from 'vitest';
import { MAX_QUEUE_MESSAGE_BYTES, fitsInQueueMessage, originalText, poisonEntry } from '../../shared/queues/poison.js';
import { decodeMessage, encodeMessage } from '../../shared/queues/queueMessage.js';

const reason = { message: 'not a PIM event: id: Required', eventId: undefined, issues: [{ path: 'id', message: 'Required' }] };
const NOW = new Date('2026-12-06T07:00:00Z');

/** `size` characters, `quotes` of them `"`, spread through the text. */
function quoteHeavy(size: number, quotes: number): string {
  const every = Math.floor(size / quotes);
  return Array.from({ length: size }, (_, i) => (i % every === 0 && i / every < quotes ? '"' : 'a')).join('');
}

describe('poison entries of hostile messages', () => {
  it('a 42 KB message with 7,000 quotes (56 KB stored) keeps its reason, and its text comes back exactly', () => {
    const text = `{"x":"${quoteHeavy(42 * 1024, 7_000)}"}`;
    expect(encodeMessage(text).length).toBeLessThanOrEqual(MAX_QUEUE_MESSAGE_BYTES - 7 * 1024);
    const entry = poisonEntry(text, reason, NOW);
    expect(entry.annotated).toBe(true);
    if (typeof entry.value === 'string') throw new Error('expected a record');
    expect(entry.value.poison.reason).toBe(reason.message);
    expect(fitsInQueueMessage(entry.value)).toBe(true);
    expect(originalText(JSON.stringify(entry.value))).toBe(text);
  });

  it('backslashes and control characters likewise: 40 KB with 20 KB of them still carries the reason', () => {
    const controls = '\u0000\u0001\u0002\t\n\r\u001b\u001f';
    const text = Array.from({ length: 40 * 1024 }, (_, i) => (i % 2 === 0 ? 'a' : i % 3 === 0 ? '\\' : controls[i % 8])).join('') + '"~`';
    const entry = poisonEntry(text, reason, NOW);
    expect(entry.annotated).toBe(true);
    expect(originalText(JSON.stringify(entry.value))).toBe(text);
  });

  it('a text that uses its stand-ins itself still comes back exactly', () => {
    const text = `"\\~\`^|#@$%&*_!?;<>{}[]+=¡¢` + '"'.repeat(100);
    const entry = poisonEntry(text, reason, NOW);
    expect(originalText(JSON.stringify(entry.value))).toBe(text);
  });

  it('plain text stays plain, and a message near the limit still goes bare', () => {
    const plain = poisonEntry('{"id":"x"}', reason, NOW);
    expect(plain.value).toMatchObject({ messageText: '{"id":"x"}' });
    expect(poisonEntry('x'.repeat(49_100), reason, NOW)).toMatchObject({ annotated: false });
  });
});

describe('base64 as the host decodes it (.NET Convert.FromBase64String)', () => {
  const text = JSON.stringify({ id: 'e1', note: 'x'.repeat(300) });
  const b64 = Buffer.from(text).toString('base64');
  it('skips space, tab, CR and LF: MIME-style lines of 76 characters decode', () => {
    expect(decodeMessage(b64.replace(/.{76}/g, '$&\r\n'))).toBe(text);
    expect(decodeMessage(` ${b64.slice(0, 8)}\t${b64.slice(8)}\n`)).toBe(text);
  });
  it('refuses any other white space, as .NET does', () => {
    expect(decodeMessage(`${b64.slice(0, 8)}\u00a0${b64.slice(8)}`)).toBeUndefined();
    expect(decodeMessage(`${b64.slice(0, 8)}\u2028${b64.slice(8)}`)).toBeUndefined();
    expect(decodeMessage(`\uFEFF${b64}`)).toBeUndefined();
  });
});
