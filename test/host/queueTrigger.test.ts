/** The queue trigger against Azurite: decoding, retries, poison, concurrency, outputs, logs. */
// First: the fixture module below is evaluated at import, before loadFunctionApp runs.
import '../../dev/host/register.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationContext } from '@azure/functions';
import type { IdleProgress, RegisteredFunction } from '../../dev/host/index.js';
import { control } from '../fixtures/hostApp/control.js';
import { forwarded } from '../fixtures/hostApp/queueFunctions.js';
import { base64, fastHostJson, loadFixtureApp, queue, queueEnv, sendStored, startHost, storedTexts, type StartedHost } from './support.js';

let functions: RegisteredFunction[];
let started: StartedHost | undefined;

beforeAll(async () => {
  functions = await loadFixtureApp();
});

afterEach(async () => {
  await started?.host.stop();
  started = undefined;
  control.queueWorker = () => undefined;
});

async function run(env: Record<string, string>, queues: Record<string, unknown> = {}): Promise<StartedHost> {
  started = await startHost(functions, ['queueWorker'], env, fastHostJson(queues));
  return started;
}

describe('queue trigger', () => {
  it('hands the handler the parsed JSON of a base64 message, with the trigger metadata', async () => {
    const env = queueEnv();
    const calls: Array<{ message: unknown; metadata: Record<string, unknown> }> = [];
    control.queueWorker = (message, context: InvocationContext) => {
      calls.push({ message, metadata: { ...context.triggerMetadata } });
    };
    const { host } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-1","n":2}'));
    await host.waitForIdle();

    expect(calls).toHaveLength(1);
    expect(calls[0]!.message).toEqual({ eventId: 'e-1', n: 2 });
    expect(calls[0]!.metadata).toMatchObject({ dequeueCount: 1, queueTrigger: '{"eventId":"e-1","n":2}' });
    for (const key of ['id', 'popReceipt', 'insertionTime', 'expirationTime', 'nextVisibleTime']) {
      expect(typeof calls[0]!.metadata[key], key).toBe('string');
    }
    expect(await storedTexts(env.TEST_QUEUE)).toEqual([]);
    expect(host.stats()).toEqual({ invocations: 1, failures: 0, poisoned: 0 });
  });

  it('hands over text that is not JSON as a string', async () => {
    const env = queueEnv();
    const seen: unknown[] = [];
    control.queueWorker = (message) => void seen.push(message);
    const { host } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('plain words'));
    await host.waitForIdle();
    expect(seen).toEqual(['plain words']);
  });

  it('reads raw text when messageEncoding is none', async () => {
    const env = queueEnv();
    const seen: unknown[] = [];
    control.queueWorker = (message, context) => {
      seen.push(message);
      context.extraOutputs.set(forwarded, { echoed: true });
    };
    const { host } = await run(env, { messageEncoding: 'none' });
    await sendStored(env.TEST_QUEUE, '{"raw":true}');
    await host.waitForIdle();
    expect(seen).toEqual([{ raw: true }]);
    expect(await storedTexts(env.TEST_OUTPUT_QUEUE)).toEqual(['{"echoed":true}']);
  });

  it('tries a failing message maxDequeueCount times, then moves its stored text to <queue>-poison', async () => {
    const env = queueEnv();
    const dequeueCounts: unknown[] = [];
    control.queueWorker = (_message, context) => {
      dequeueCounts.push(context.triggerMetadata?.dequeueCount);
      throw new Error('always fails');
    };
    const { host } = await run(env);
    const stored = base64('{"eventId":"e-poison"}');
    await sendStored(env.TEST_QUEUE, stored);
    await host.waitForIdle();

    expect(dequeueCounts).toEqual([1, 2, 3]);
    expect(await storedTexts(env.TEST_QUEUE)).toEqual([]);
    expect(await storedTexts(`${env.TEST_QUEUE}-poison`)).toEqual([stored]);
    expect(host.stats()).toEqual({ invocations: 3, failures: 3, poisoned: 1 });
  });

  it('retries a failure and completes the message when a later try succeeds', async () => {
    const env = queueEnv();
    const dequeueCounts: unknown[] = [];
    control.queueWorker = (_message, context) => {
      dequeueCounts.push(context.triggerMetadata?.dequeueCount);
      if (dequeueCounts.length === 1) return Promise.reject(new Error('transient'));
      return undefined;
    };
    // A visibility timeout of 1 s: waitForIdle must also wait for the invisible message.
    const { host } = await run(env, { visibilityTimeout: '00:00:01' });
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-retry"}'));
    await host.waitForIdle();

    expect(dequeueCounts).toEqual([1, 2]);
    expect(await storedTexts(`${env.TEST_QUEUE}-poison`)).toEqual([]);
    expect(host.stats()).toEqual({ invocations: 2, failures: 1, poisoned: 0 });
  });

  it('moves a message that is not base64 straight to poison, unseen by the handler', async () => {
    const env = queueEnv();
    let calls = 0;
    control.queueWorker = () => void calls++;
    const { host, logs } = await run(env);
    await sendStored(env.TEST_QUEUE, '{"not":"base64"}');
    await host.waitForIdle();

    expect(calls).toBe(0);
    expect(await storedTexts(`${env.TEST_QUEUE}-poison`)).toEqual(['{"not":"base64"}']);
    expect(host.stats()).toEqual({ invocations: 0, failures: 0, poisoned: 1 });
    expect(logs.some((l) => /cannot be decoded.*base64/.test(l))).toBe(true);
  });

  it.each([
    { batchSize: 4, newBatchThreshold: 0 },
    { batchSize: 3, newBatchThreshold: 2 },
  ])('keeps at most batchSize + newBatchThreshold messages in flight ($batchSize, $newBatchThreshold)', async (limits) => {
    const env = queueEnv();
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    control.queueWorker = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      done++;
    };
    for (let i = 0; i < 14; i++) await sendStored(env.TEST_QUEUE, base64(JSON.stringify({ i })));
    const { host } = await run(env, limits);
    await host.waitForIdle();

    expect(done).toBe(14);
    expect(maxInFlight).toBeLessThanOrEqual(limits.batchSize + limits.newBatchThreshold);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('delivers extra queue outputs, one base64 JSON message per array element', async () => {
    const env = queueEnv();
    control.queueWorker = (message, context) => {
      const { eventId } = message as { eventId: string };
      context.extraOutputs.set(forwarded, [
        { eventId, to: 'a' },
        { eventId, to: 'b' },
      ]);
    };
    const { host } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-out"}'));
    await host.waitForIdle();

    const texts = await storedTexts(env.TEST_OUTPUT_QUEUE);
    expect(texts.map((t) => JSON.parse(Buffer.from(t, 'base64').toString('utf8')))).toEqual([
      { eventId: 'e-out', to: 'a' },
      { eventId: 'e-out', to: 'b' },
    ]);
  });

  it('writes no outputs for a failed invocation', async () => {
    const env = queueEnv();
    control.queueWorker = (_message, context) => {
      context.extraOutputs.set(forwarded, { never: true });
      throw new Error('fails after setting outputs');
    };
    const { host } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-none"}'));
    await host.waitForIdle();
    expect(await storedTexts(env.TEST_OUTPUT_QUEUE)).toEqual([]);
    expect(host.stats().poisoned).toBe(1);
  });

  it('logs ids and dequeue counts, context logs with the function name, never the message body', async () => {
    const env = queueEnv();
    control.queueWorker = (_message, context) => {
      context.log('handled');
      context.warn('careful');
    };
    const { host, logs } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('{"secret":"s3cr3t-body"}'));
    await host.waitForIdle();

    expect(logs.some((l) => /^Executing 'queueWorker' \(invocationId=[0-9a-f-]{36}, messageId=\S+, dequeueCount=1\)$/.test(l))).toBe(true);
    expect(
      logs.some((l) => /^Executed 'queueWorker' \(Succeeded, invocationId=[0-9a-f-]{36}, messageId=\S+, dequeueCount=1\)$/.test(l)),
    ).toBe(true);
    expect(logs).toContain('[queueWorker] handled');
    expect(logs).toContain('[queueWorker] warning: careful');
    expect(logs.join('\n')).not.toContain('s3cr3t-body');
  });

  it('stop() waits for the invocation in flight, which completes its message', async () => {
    const env = queueEnv();
    let release: () => void = () => undefined;
    let entered = false;
    let finished = false;
    control.queueWorker = async () => {
      entered = true;
      await new Promise<void>((r) => (release = r));
      finished = true;
    };
    const { host } = await run(env);
    await sendStored(env.TEST_QUEUE, base64('{"eventId":"e-stop"}'));
    while (!entered) await new Promise((r) => setTimeout(r, 10));

    const stopping = host.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect((await queue(env.TEST_QUEUE).getProperties()).approximateMessagesCount).toBe(0);
  });
});

/**
 * What `pim-notify start --once` waits on: waitForIdle with no time limit returns only when
 * all work is done, messages still invisible (a crashed run's, or awaiting a retry) included,
 * and reports progress on the way. A backlog never makes it fail.
 */
describe('waiting for all work', () => {
  it(
    'outlasts invisible messages and slow work without a time limit, reporting queued and in-flight counts',
    { timeout: 30_000 },
    async () => {
      const env = queueEnv();
      const done: number[] = [];
      control.queueWorker = async (message) => {
        await new Promise((r) => setTimeout(r, 300)); // slow work: each message takes a while
        done.push((message as { n: number }).n);
      };
      const client = queue(env.TEST_QUEUE);
      await client.createIfNotExists();
      // As a killed run leaves them: invisible for a while, then back.
      for (let n = 0; n < 3; n++) await client.sendMessage(base64(JSON.stringify({ n })), { visibilityTimeout: 2 });
      await client.sendMessage(base64(JSON.stringify({ n: 3 })));
      started = await run(env, { batchSize: 1, newBatchThreshold: 0 });

      // A short limit gives up while the messages are invisible: the old `start` behaviour.
      await expect(started.host.waitForIdle({ timeoutMs: 500 })).rejects.toThrow(/not idle/);

      const progress: IdleProgress[] = [];
      await started.host.waitForIdle({ timeoutMs: Infinity, progressMs: 200, onProgress: (p) => progress.push(p) });
      expect(done.sort()).toEqual([0, 1, 2, 3]);
      expect(
        progress.some((p) => p.queued > 0),
        'progress showed the queued messages',
      ).toBe(true);
      expect(progress.at(-1)!.stats.invocations).toBeGreaterThan(0);
    },
  );
});
