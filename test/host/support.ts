/** Helpers for the local-runner tests: the fixture app, a fast host.json, queue access. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueServiceClient } from '@azure/storage-queue';
import {
  loadFunctionApp,
  parseHostJson,
  startLocalHost,
  type HostJson,
  type LocalHost,
  type RegisteredFunction,
} from '../../dev/host/index.js';
import { storageConnectionString, uniqueQueueName } from '../support/storage.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hostApp');
export const fixtureEntries = [path.join(fixtures, 'queueFunctions.ts'), path.join(fixtures, 'timerFunctions.ts')];

export function loadFixtureApp(): Promise<RegisteredFunction[]> {
  return loadFunctionApp(fixtureEntries);
}

/** Small numbers so retries and polling take milliseconds, not the production seconds. */
export function fastHostJson(queues: Record<string, unknown> = {}): HostJson {
  return parseHostJson({
    version: '2.0',
    extensions: { queues: { maxDequeueCount: 3, visibilityTimeout: '00:00:00', maxPollingInterval: '00:00:00.200', ...queues } },
  });
}

export interface QueueEnv extends Record<string, string> {
  TEST_QUEUE: string;
  TEST_OUTPUT_QUEUE: string;
  TEST_CONNECTION: string;
}

export function queueEnv(): QueueEnv {
  return { TEST_QUEUE: uniqueQueueName('in'), TEST_OUTPUT_QUEUE: uniqueQueueName('out'), TEST_CONNECTION: 'AzureWebJobsStorage' };
}

export function queue(name: string) {
  return QueueServiceClient.fromConnectionString(storageConnectionString()).getQueueClient(name);
}

export async function sendStored(name: string, storedText: string): Promise<void> {
  const client = queue(name);
  await client.createIfNotExists();
  await client.sendMessage(storedText);
}

export const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Every stored text in a queue (up to 32), leaving the messages in place. */
export async function storedTexts(name: string): Promise<string[]> {
  const client = queue(name);
  if (!(await client.exists())) return [];
  const peeked = await client.peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((m) => m.messageText);
}

export interface StartedHost {
  host: LocalHost;
  logs: string[];
}

export async function startHost(
  functions: RegisteredFunction[],
  names: string[],
  env: Record<string, string>,
  hostJson: HostJson = fastHostJson(),
  timers = false,
): Promise<StartedHost> {
  const logs: string[] = [];
  const host = await startLocalHost({
    functions: functions.filter((fn) => names.includes(fn.name)),
    storageConnectionString: storageConnectionString(),
    env,
    hostJson,
    timers,
    log: (line) => logs.push(line),
  });
  return { host, logs };
}

/** Polls a condition (no duration is asserted: the test fails by timeout only if it never holds). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
