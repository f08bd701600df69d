import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../shared/email/email.js';
import { OutboxSender } from '../../shared/transport/outboxTransport.js';
import { renderNotification } from '../../shared/email/render.js';
import { modelFor, RENDER } from './fixtures.js';
import { parseMessage } from './mimeParse.js';

const root = mkdtempSync(join(tmpdir(), 'pim-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const email: OutgoingEmail = {
  ...renderNotification(modelFor('assignmentAlert'), RENDER),
  from: { address: 'pim-noreply@contoso.example', displayName: 'Privileged Identity Management' },
  to: { address: 'patti@contoso.example' },
  headers: { 'X-PIM-Event-Id': 'e-seed' },
};
const OP = '2f1c9a7e-5b3d-5e8f-9a1b-2c3d4e5f6a7b';

describe('OutboxSender', () => {
  it('creates the folder and writes <operationId>.eml with the message', async () => {
    const dir = join(root, 'new', 'nested');
    const result = await new OutboxSender({ dir }).send(email, { operationId: OP, mayHaveBeenSent: false });
    expect(result).toEqual({ messageId: `${OP}.eml`, alreadySent: false });
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    const message = parseMessage(readFileSync(join(dir, `${OP}.eml`)));
    expect(message.headers.get('subject')).toContain('PIM:');
    expect(message.headers.get('message-id')).toBe(`<${OP}@contoso.example>`);
    expect(message.parts).toHaveLength(2);
  });

  it('writes one file for two sends of the same operationId, the second reporting alreadySent', async () => {
    const dir = join(root, 'twice');
    const sender = new OutboxSender({ dir });
    const first = await sender.send(email, { operationId: OP, mayHaveBeenSent: false });
    const firstBytes = readFileSync(join(dir, `${OP}.eml`));
    const second = await sender.send({ ...email, subject: 'PIM: changed' }, { operationId: OP, mayHaveBeenSent: true });
    expect(first.alreadySent).toBe(false);
    expect(second).toEqual({ messageId: `${OP}.eml`, alreadySent: true });
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    expect(readFileSync(join(dir, `${OP}.eml`)).equals(firstBytes)).toBe(true);
  });

  it('writes one file when two sends of the same operationId race, and leaves no temporary file', async () => {
    const dir = join(root, 'race');
    const sender = new OutboxSender({ dir });
    const results = await Promise.all([1, 2, 3, 4].map(() => sender.send(email, { operationId: OP, mayHaveBeenSent: false })));
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    expect(results.filter((r) => !r.alreadySent)).toHaveLength(1);
  });

  it('keeps different operationIds apart and never writes outside the folder', async () => {
    const dir = join(root, 'many');
    const sender = new OutboxSender({ dir });
    await sender.send(email, { operationId: 'a', mayHaveBeenSent: false });
    await sender.send(email, { operationId: 'b', mayHaveBeenSent: false });
    const escaped = await sender.send(email, { operationId: '../escape', mayHaveBeenSent: false });
    expect(escaped.messageId).toMatch(/^[0-9a-f]{64}\.eml$/);
    expect(readdirSync(dir).sort()).toEqual(['a.eml', 'b.eml', escaped.messageId].sort());
    expect(readdirSync(root)).not.toContain('escape.eml');
  });
});
