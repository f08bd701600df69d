import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/transport/transport.js';
import { OutboxTransport } from '../../shared/transport/outboxTransport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import { renderNotification } from '../../shared/render/render.js';
import { modelFor, RENDER } from '../support/renderFixtures.js';
import { parseMessage } from '../support/mimeParse.js';

const root = mkdtempSync(join(tmpdir(), 'pim-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const email: Message = personalMessage({
  ...renderNotification(modelFor('assignmentAlert'), RENDER),
  from: { address: 'pim-noreply@contoso.example', displayName: 'Privileged Identity Management' },
  to: { address: 'patti@contoso.example' },
  headers: { 'X-PIM-Event-Id': 'e-seed' },
});
const OP = '2f1c9a7e-5b3d-5e8f-9a1b-2c3d4e5f6a7b';

describe('OutboxTransport', () => {
  it('creates the folder and writes <operationId>.eml with the message; the file is the mailbox: delivered', async () => {
    const dir = join(root, 'new', 'nested');
    const result = await new OutboxTransport({ dir }).accept(email, { operationId: OP, mayHaveBeenSent: false });
    expect(result).toEqual({ messageId: OP, alreadyAccepted: false, delivered: true });
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    const message = parseMessage(readFileSync(join(dir, `${OP}.eml`)));
    expect(message.headers.get('subject')).toContain('PIM:');
    expect(message.headers.get('to')).toContain('patti@contoso.example');
    expect(message.headers.get('message-id')).toBe(`<${OP}@contoso.example>`);
    expect(message.parts).toHaveLength(2);
  });

  it('writes one file for two accepts of the same operationId, the second reporting alreadyAccepted', async () => {
    const dir = join(root, 'twice');
    const transport = new OutboxTransport({ dir });
    const first = await transport.accept(email, { operationId: OP, mayHaveBeenSent: false });
    const firstBytes = readFileSync(join(dir, `${OP}.eml`));
    const second = await transport.accept({ ...email, subject: 'PIM: changed' }, { operationId: OP, mayHaveBeenSent: true });
    expect(first.alreadyAccepted).toBe(false);
    expect(second).toEqual({ messageId: OP, alreadyAccepted: true, delivered: true });
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    expect(readFileSync(join(dir, `${OP}.eml`)).equals(firstBytes)).toBe(true);
  });

  it('writes one file when two accepts of the same operationId race, and leaves no temporary file', async () => {
    const dir = join(root, 'race');
    const transport = new OutboxTransport({ dir });
    const results = await Promise.all([1, 2, 3, 4].map(() => transport.accept(email, { operationId: OP, mayHaveBeenSent: false })));
    expect(readdirSync(dir)).toEqual([`${OP}.eml`]);
    expect(results.filter((r) => !r.alreadyAccepted)).toHaveLength(1);
  });

  it('keeps different operationIds apart and never writes outside the folder', async () => {
    const dir = join(root, 'many');
    const transport = new OutboxTransport({ dir });
    await transport.accept(email, { operationId: 'a', mayHaveBeenSent: false });
    await transport.accept(email, { operationId: 'b', mayHaveBeenSent: false });
    const escaped = await transport.accept(email, { operationId: '../escape', mayHaveBeenSent: false });
    expect(escaped).toEqual({ messageId: '../escape', alreadyAccepted: false, delivered: true });
    // An id that could leave the folder is hashed into the file name.
    const hashed = `${createHash('sha256').update('../escape').digest('hex')}.eml`;
    expect(readdirSync(dir).sort()).toEqual(['a.eml', 'b.eml', hashed].sort());
    expect(readdirSync(root)).not.toContain('escape.eml');
  });

  it('carries one recipient per message, and writes nothing for more', async () => {
    const dir = join(root, 'one');
    const transport = new OutboxTransport({ dir });
    expect(transport.maxRecipients).toBe(1);
    const two: Message = { ...email, to: [], bcc: [{ address: 'patti@contoso.example' }, { address: 'megan@contoso.example' }] };
    await expect(transport.accept(two, { operationId: OP, mayHaveBeenSent: false })).rejects.toThrow(/one recipient per message, got 2/);
    // A lone Bcc recipient is that person's own message.
    await transport.accept(
      { ...email, to: [], bcc: [{ address: 'megan@contoso.example' }] },
      { operationId: 'bcc', mayHaveBeenSent: false },
    );
    expect(readdirSync(dir)).toEqual(['bcc.eml']);
  });
});
