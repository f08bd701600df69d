/**
 * send and redrive against a dedicated Azurite (the shared one's pim-events queue belongs to
 * the end-to-end test, whose runner would consume these messages).
 */
import { QueueClient } from '@azure/storage-queue';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { redrive } from '../../../bin/commands/redrive.js';
import { send } from '../../../bin/commands/send.js';
import { startAzurite, type AzuriteHandle } from '../../../dev/host/azurite.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { decodeMessage, encodeMessage } from '../../../shared/queues/queues.js';
import { capture } from './support.js';

let azurite: AzuriteHandle;
let events: QueueClient;
let poison: QueueClient;
const saved = process.env['AzureWebJobsStorage'];

beforeAll(async () => {
  azurite = await startAzurite();
  process.env['AzureWebJobsStorage'] = azurite.connectionString;
  events = new QueueClient(azurite.connectionString, 'pim-events');
  poison = new QueueClient(azurite.connectionString, 'pim-events-poison');
});
afterAll(async () => {
  if (saved === undefined) delete process.env['AzureWebJobsStorage'];
  else process.env['AzureWebJobsStorage'] = saved;
  await azurite?.stop();
});
beforeEach(async () => {
  await events.createIfNotExists();
  await poison.createIfNotExists();
  await events.clearMessages();
  await poison.clearMessages();
});

async function drain(queue: QueueClient): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return out;
    for (const m of receivedMessageItems) {
      const text = decodeMessage(m.messageText)!;
      try {
        out.push(JSON.parse(text));
      } catch {
        out.push(text);
      }
    }
  }
}

describe('pim-notify send', () => {
  it('puts every event on pim-events as base64 JSON', async () => {
    const r = await capture(() => send([fromPackageRoot('samples/events.jsonl')]));
    expect(r.status).toBe(0);
    const lines = (await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(((await drain(events)) as Array<{ id: string }>).map((e) => e.id).sort()).toEqual(lines.sort());
  });

  it('refuses a file with invalid events unless --allow-invalid, which sends them as they are', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'send-'));
    const file = path.join(dir, 'e.jsonl');
    await writeFile(file, '{"id":"bad"}\nnot json\n');
    const refused = await capture(() => send([file]));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/e\.jsonl:1: event bad is invalid/);
    expect(await drain(events)).toEqual([]);
    expect((await capture(() => send([file, '--allow-invalid']))).status).toBe(2);
    expect(await drain(events)).toEqual([{ id: 'bad' }, 'not json']);
  });
});

describe('pim-notify redrive', () => {
  it('moves back what now validates (both poison shapes), keeps the rest; --dry-run moves nothing; --all moves all', async () => {
    const valid = JSON.parse((await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).split('\n')[2]!);
    await poison.sendMessage(encodeMessage({ poison: { reason: 'was invalid' }, message: valid }));
    await poison.sendMessage(encodeMessage({ ...valid, id: 'host-poisoned' })); // bare original, as the host stores it
    await poison.sendMessage(encodeMessage({ poison: { reason: 'still invalid' }, message: { id: 'nope' } }));

    const dry = await capture(() => redrive(['--dry-run']));
    expect(dry.stdout).toMatch(/2 would move, 1 kept/);
    expect(await drain(events)).toEqual([]);

    // The dry run left every message visible again, so a real run right after sees them all.
    const real = await capture(() => redrive([]));
    expect(real.stdout).toMatch(/kept .*event nope is invalid/);
    expect(((await drain(events)) as Array<{ id: string }>).map((e) => e.id).sort()).toEqual([valid.id, 'host-poisoned'].sort());

    // The kept one is visible again at once: --all takes it.
    await capture(() => redrive(['--all']));
    expect(await drain(events)).toEqual([{ id: 'nope' }]);
    expect(await drain(poison)).toEqual([]);
  });
});
