/**
 * The processing lease on Azurite: a received message stays invisible while its function runs,
 * renewed at half the lease as the host does, so an invocation longer than the lease is not
 * handed out a second time, and it is completed with the pop receipt of the latest renewal.
 */
// First: the fixture module below is evaluated at import, before loadFunctionApp runs.
import '../../dev/host/register.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost, type RegisteredFunction } from '../../dev/host/index.js';
import { control } from '../fixtures/hostApp/control.js';
import { storageConnectionString } from '../support/storage.js';
import { base64, fastHostJson, loadFixtureApp, queue, queueEnv, sendStored, storedTexts } from './support.js';

let functions: RegisteredFunction[];
let host: LocalHost | undefined;
const logs: string[] = [];

beforeAll(async () => {
  functions = await loadFixtureApp();
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
  logs.length = 0;
  control.queueWorker = () => undefined;
});

async function start(env: Record<string, string>, messageLeaseMs: number): Promise<LocalHost> {
  host = await startLocalHost({
    functions: functions.filter((fn) => fn.name === 'queueWorker'),
    storageConnectionString: storageConnectionString(),
    env,
    hostJson: fastHostJson(),
    timers: false,
    log: (line) => logs.push(line),
    messageLeaseMs,
  });
  return host;
}

describe('message lease', () => {
  it('keeps a message that takes longer than its lease: one delivery, completed with the renewed receipt', async () => {
    const env = queueEnv();
    const deliveries: unknown[] = [];
    control.queueWorker = async (_message, context) => {
      deliveries.push(context.triggerMetadata?.dequeueCount);
      // Three leases long: without renewals the message would be visible again twice over.
      await new Promise((r) => setTimeout(r, 3_000));
    };
    const running = await start(env, 1_000);
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-slow"}'));
    await running.waitForIdle();

    expect(deliveries).toEqual([1]);
    expect(running.stats()).toEqual({ invocations: 1, failures: 0, poisoned: 0 });
    // Completed: gone from the queue, not just invisible (approximateMessagesCount counts both).
    expect((await queue(env.TEST_QUEUE).getProperties()).approximateMessagesCount).toBe(0);
    expect(await storedTexts(`${env.TEST_QUEUE}-poison`)).toEqual([]);
    expect(logs.filter((l) => /could not renew|failed on message/.test(l))).toEqual([]);
  });
});
