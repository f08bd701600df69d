/**
 * End to end on real parts: base64 events on the pim-events queue (Azurite) → the local
 * runner → the notify function → .eml files in the outbox, activity rows, poison queue.
 */
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionApp, readHostJson, startLocalHost, type LocalHost } from '../../dev/host/index.js';
import { parseEventsText } from '../../dev/eventFile.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { createDirectory } from '../../shared/composition/services.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { encodeMessage } from '../../shared/queues/queues.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const cs = storageConnectionString();
let host: LocalHost;
let outbox: string;
const activityTable = uniqueTableName('Act');

async function sampleEvents() {
  return parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => e.event);
}

beforeAll(async () => {
  outbox = await mkdtemp(path.join(tmpdir(), 'outbox-'));
  Object.assign(process.env, {
    AzureWebJobsStorage: cs,
    ACTIVITY_TABLE: activityTable,
    DELIVERY_TABLE: uniqueTableName('Led'),
    RECIPIENT_RATE_TABLE: uniqueTableName('Rate'),
    OUTBOX_DIR: outbox,
  });
  const functions = await loadFunctionApp([fromPackageRoot('functions/notify.ts')]);
  const hostJson = readHostJson(fromPackageRoot('host.json'));
  host = await startLocalHost({
    functions,
    storageConnectionString: cs,
    env: process.env,
    hostJson: { ...hostJson, queues: { ...hostJson.queues, maxPollingIntervalMs: 100, visibilityTimeoutMs: 100 } },
    timers: false,
    log: () => {},
  });
});

afterAll(async () => {
  await host?.stop();
});

describe('notify, end to end', () => {
  it('turns queue messages into emails once, poisons bad ones with a reason and keeps going', async () => {
    const events = (await sampleEvents()).slice(0, 6);
    const queue = new QueueClient(cs, 'pim-events');
    await queue.createIfNotExists();
    await queue.sendMessage(encodeMessage(events[0]));
    await queue.sendMessage(encodeMessage(events[0])); // the same message delivered twice
    await queue.sendMessage(encodeMessage('{"id": "broken", not json'));
    await queue.sendMessage(encodeMessage({ ...events[1], principal: { id: 'not-a-guid' } }));
    for (const e of events.slice(1)) await queue.sendMessage(encodeMessage(e));
    await host.waitForIdle({ timeoutMs: 60_000 });

    // Exactly the emails the plan says, each once.
    const settings = loadSettings();
    const directory = await createDirectory(settings);
    const expected = new Set<string>();
    for (const e of events) for (const p of (await planNotifications(e, directory, settings)).emails) expected.add(`${p.operationId}.eml`);
    const files = (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    expect(files.sort()).toEqual([...expected].sort());
    expect(files.length).toBeGreaterThan(events.length);

    const eml = await readFile(path.join(outbox, files[0]!), 'utf8');
    expect(eml).toMatch(/^Subject: PIM: /m);
    expect(eml).toMatch(/Content-Type: multipart\/alternative/);

    // Both bad messages are in the poison queue, with their reasons, not retried.
    const poison = new QueueClient(cs, 'pim-events-poison');
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32 });
    const records = receivedMessageItems.map((m) => JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')));
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.poison.reason).sort()).toEqual(
      [
        expect.stringMatching(/^event \(no valid id\) is invalid: not valid JSON/),
        expect.stringMatching(new RegExp(`^event ${events[1]!.id} is invalid: principal\\.id`)),
      ].sort((a, b) => (String(a) < String(b) ? -1 : 1)),
    );
    expect(records.every((r) => r.poison.dequeueCount === 1)).toBe(true);
    expect(records.some((r) => r.messageText === '{"id": "broken", not json')).toBe(true);

    // One activity row per event id, whatever the redelivery.
    const table = TableClient.fromConnectionString(cs, activityTable, { allowInsecureConnection: true });
    const rows: string[] = [];
    for await (const r of table.listEntities()) rows.push(r.rowKey!);
    expect(rows.sort()).toEqual(events.map((e) => e.id).sort());
  });
});
