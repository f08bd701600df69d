/**
 * Plumbing for the fault suite (test/faults): an Azurite of its own (the notify function
 * listens on the fixed queue `pim-events`, which the shared Azurite's e2e test uses), the
 * local runner with every log line captured, queue helpers, and the invariant checks every
 * run ends with: exactly the planned emails, exact digest counts, every invalid message in
 * the poison queue with its reason, no address or justification in the logs.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { expect } from 'vitest';
import { freePort, startAzurite, type AzuriteHandle } from '../../dev/host/azurite.js';
import { loadFunctionApp, readHostJson, startLocalHost, type LocalHost } from '../../dev/host/index.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { parseEventsText } from '../../dev/eventFile.js';
import type { PimEvent } from '../../shared/events/schema.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import type { DigestTiles } from '../../shared/render/render.js';
import { planNotifications, type NotifySettings } from '../../shared/planning/planNotifications.js';
import { countWeek, emptyTiles, tileOf } from '../../shared/usecases/weeklyDigest.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { toActivityRow } from '../../shared/activity/activityStore.js';
import { EVENTS_QUEUE, POISON_QUEUE } from '../../shared/queues/queues.js';
import { isoWeekOf, parseIsoWeek } from '../../shared/time/isoWeek.js';
import { uniqueTableName } from './storage.js';

/** An Azurite on fixed ports with its data on disk, so it can be stopped and started again mid-run. */
export interface OwnAzurite {
  connectionString: string;
  location: string;
  stop(): Promise<void>;
  /** Starts it again on the same ports with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

export interface OutboxApp {
  outbox: string;
  activityTable: string;
  /** Deletes the outbox folder. */
  cleanup(): Promise<void>;
}

/**
 * Points the app (process.env, read by getServices) at this suite's Azurite, with the embedded
 * snapshot, the outbox transport in a fresh folder and fresh tables; `extra` adds settings.
 */
export async function useOutboxApp(connectionString: string, extra: Record<string, string> = {}): Promise<OutboxApp> {
  const outbox = await mkdtemp(path.join(tmpdir(), 'faults-outbox-'));
  const activityTable = uniqueTableName('FaultAct');
  Object.assign(process.env, {
    AzureWebJobsStorage: connectionString,
    ACTIVITY_TABLE: activityTable,
    DELIVERY_TABLE: uniqueTableName('FaultLed'),
    RECIPIENT_RATE_TABLE: uniqueTableName('Rate'),
    OUTBOX_DIR: outbox,
    DIRECTORY_SOURCE: 'snapshot',
    EMAIL_TRANSPORT: 'outbox',
    // These tests expect every planned email of many sample events: the rate limit, which
    // holds a flood's informational emails back, is off (its own tests: test/trust/flood.test.ts).
    RECIPIENT_RATE_LIMIT: '0',
    ...extra,
  });
  return { outbox, activityTable, cleanup: () => rm(outbox, { recursive: true, force: true }) };
}

export async function startOwnAzurite(): Promise<OwnAzurite> {
  const location = await mkdtemp(path.join(tmpdir(), 'faults-azurite-'));
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  let handle: AzuriteHandle | undefined = await startAzurite({ location, ports });
  const own: OwnAzurite = {
    connectionString: handle.connectionString,
    location,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async start() {
      if (handle) return;
      handle = await startAzurite({ location, ports });
    },
    async dispose() {
      await own.stop();
      await rm(location, { recursive: true, force: true });
    },
  };
  return own;
}

/** The sample events (samples/events.jsonl): the bases the generators vary. */
export async function sampleEvents(): Promise<PimEvent[]> {
  return parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => e.event);
}

export interface Runner {
  host: LocalHost;
  /** Every line the host and the functions logged (context.log included), in order. */
  logs: string[];
}

/**
 * The local runner on functions/notify.ts, with short visibility and polling so retries take
 * milliseconds. Services come from process.env (getServices) unless the test injected some
 * with setServicesForTesting.
 */
/** `messageLeaseMs`: the runner's processing lease (the host's 10 minutes unless given). */
export async function startRunner(
  connectionString: string,
  queues: { visibilityTimeoutMs?: number; maxDequeueCount?: number; messageLeaseMs?: number } = {},
): Promise<Runner> {
  const functions = await loadFunctionApp([fromPackageRoot('functions/notify.ts')]);
  const hostJson = readHostJson(fromPackageRoot('host.json'));
  const logs: string[] = [];
  const host = await startLocalHost({
    functions: functions.filter((f) => f.name === 'notify'),
    storageConnectionString: connectionString,
    env: { ...process.env, AzureWebJobsStorage: connectionString },
    hostJson: {
      ...hostJson,
      queues: {
        ...hostJson.queues,
        maxPollingIntervalMs: 100,
        visibilityTimeoutMs: queues.visibilityTimeoutMs ?? 100,
        maxDequeueCount: queues.maxDequeueCount ?? hostJson.queues.maxDequeueCount,
      },
    },
    timers: false,
    log: (line) => logs.push(line),
    messageLeaseMs: queues.messageLeaseMs,
  });
  return { host, logs };
}

export function eventsQueue(connectionString: string): QueueClient {
  return new QueueClient(connectionString, EVENTS_QUEUE);
}

/** Puts stored texts (already base64, or deliberately not) on pim-events, a few at a time. */
export async function enqueueStored(connectionString: string, texts: string[], concurrency = 16): Promise<void> {
  const queue = eventsQueue(connectionString);
  await queue.createIfNotExists();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < texts.length) {
        const text = texts[next++]!;
        await queue.sendMessage(text);
      }
    }),
  );
}

/** Every message of the poison queue as stored (base64 text), removing them. */
export async function drainPoison(connectionString: string): Promise<string[]> {
  const poison = new QueueClient(connectionString, POISON_QUEUE);
  if (!(await poison.exists())) return [];
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (receivedMessageItems.length === 0) return texts;
    for (const m of receivedMessageItems) {
      texts.push(m.messageText);
      await poison.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

/** Both queues empty, for the next scenario on the same Azurite. */
export async function clearQueues(connectionString: string): Promise<void> {
  for (const name of [EVENTS_QUEUE, POISON_QUEUE]) {
    const q = new QueueClient(connectionString, name);
    if (await q.exists()) await q.clearMessages();
  }
}

export interface ExpectedEmail {
  eventId: string;
  operationId: string;
  address: string;
  notification: string;
}

/** Every email the valid events should cause (planNotifications, the same code `simulate` runs), by operation id. */
export async function expectedEmails(
  events: PimEvent[],
  directory: RoleDirectory,
  settings: NotifySettings,
): Promise<Map<string, ExpectedEmail>> {
  const expected = new Map<string, ExpectedEmail>();
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    for (const p of (await planNotifications(event, directory, settings)).emails) {
      expect(expected.has(p.operationId), `two planned emails share operation id ${p.operationId}`).toBe(false);
      expected.set(p.operationId, {
        eventId: event.id,
        operationId: p.operationId,
        address: p.recipient.address.toLowerCase(),
        notification: p.recipient.notification,
      });
    }
  }
  return expected;
}

/** The .eml files of an outbox folder (temporary files excluded). */
export async function outboxFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
}

/** No missing, no extra: sent operation ids against the plan, each exactly once. */
export function expectExactlyOnce(sentOperationIds: string[], expected: Map<string, ExpectedEmail>): void {
  const counts = new Map<string, number>();
  for (const id of sentOperationIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const missing = [...expected.keys()].filter((id) => !counts.has(id));
  const extra = [...counts.keys()].filter((id) => !expected.has(id));
  expect({ duplicates, missing: missing.map((id) => expected.get(id)?.eventId), extra }).toEqual({
    duplicates: [],
    missing: [],
    extra: [],
  });
}

/** The digest tiles the distinct valid events should give, per `tenantId|week`. */
export function expectedTiles(events: PimEvent[]): Map<string, DigestTiles> {
  const tiles = new Map<string, DigestTiles>();
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const key = `${e.tenantId.toLowerCase()}|${isoWeekOf(e.occurredAt).id}`;
    if (!tiles.has(key)) tiles.set(key, emptyTiles());
    const tile = tileOf(toActivityRow(e));
    if (tile) tiles.get(key)![tile]++;
  }
  return tiles;
}

/** countWeek over the activity table equals the distinct valid ids per tile, for every week the events touch; and nothing else is recorded. */
export async function expectDigestCounts(connectionString: string, activityTable: string, events: PimEvent[]): Promise<void> {
  const store = new TableActivityStore(
    TableClient.fromConnectionString(connectionString, activityTable, { allowInsecureConnection: true }),
  );
  const expected = expectedTiles(events);
  for (const [key, tiles] of expected) {
    const [tenantId, weekId] = key.split('|') as [string, string];
    expect({ key, tiles: await countWeek(store, tenantId, parseIsoWeek(weekId)) }).toEqual({ key, tiles });
  }
  // The table holds exactly the valid ids: no invalid event, no duplicate.
  const table = TableClient.fromConnectionString(connectionString, activityTable, { allowInsecureConnection: true });
  const rows: string[] = [];
  for await (const r of table.listEntities({ queryOptions: { select: ['RowKey'] } })) rows.push(String(r.rowKey));
  expect(rows.sort()).toEqual([...new Set(events.map((e) => e.id))].sort());
}

/** Email addresses, justifications and other secrets: none may appear in any log line. */
export function expectNoSecretsInLogs(logs: string[], secrets: string[]): void {
  const addressLike = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
  const withAddress = logs.filter((l) => addressLike.test(l));
  expect(withAddress, 'log lines with an email address').toEqual([]);
  const needles = [...new Set(secrets.filter((s) => s.length >= 6))];
  const leaks = logs.filter((l) => needles.some((s) => l.includes(s)));
  expect(leaks.slice(0, 5), 'log lines with a justification or other secret text').toEqual([]);
}

export function decodeStored(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
