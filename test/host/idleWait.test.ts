/**
 * What `pim-notify start --once` waits on: waitForIdle with no time limit returns only when
 * all work is done, messages still invisible (a crashed run's, or awaiting a retry) included,
 * and reports progress on the way. A backlog never makes it fail.
 */
// First: the fixture module below is evaluated at import, before loadFunctionApp runs.
import '../../dev/host/register.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IdleProgress, RegisteredFunction } from '../../dev/host/index.js';
import { control } from '../fixtures/hostApp/control.js';
import { base64, fastHostJson, loadFixtureApp, queue, queueEnv, startHost, type StartedHost } from './support.js';

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

describe('waiting for all work', () => {
  it('outlasts invisible messages and slow work without a time limit, reporting queued and in-flight counts', { timeout: 30_000 }, async () => {
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
    started = await startHost(functions, ['queueWorker'], env, fastHostJson({ batchSize: 1, newBatchThreshold: 0 }));

    // A short limit gives up while the messages are invisible: the old `start` behaviour.
    await expect(started.host.waitForIdle({ timeoutMs: 500 })).rejects.toThrow(/not idle/);

    const progress: IdleProgress[] = [];
    await started.host.waitForIdle({ timeoutMs: Infinity, progressMs: 200, onProgress: (p) => progress.push(p) });
    expect(done.sort()).toEqual([0, 1, 2, 3]);
    expect(progress.some((p) => p.queued > 0), 'progress showed the queued messages').toBe(true);
    expect(progress.at(-1)!.stats.invocations).toBeGreaterThan(0);
  });
});
