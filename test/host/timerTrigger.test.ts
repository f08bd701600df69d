/** The timer trigger: Timer object, runOnStartup, schedules, singleton, retry policy, stop. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RetryContext, Timer } from '@azure/functions';
import { nextOccurrences, type RegisteredFunction } from '../../dev/host/index.js';
import { control } from '../fixtures/hostApp/control.js';
import { eventually, loadFixtureApp, startHost, type StartedHost } from './support.js';

let functions: RegisteredFunction[];
let started: StartedHost | undefined;

beforeAll(async () => {
  functions = await loadFixtureApp();
});

afterEach(async () => {
  await started?.host.stop();
  started = undefined;
  control.scheduledJob = () => undefined;
  control.startupJob = () => undefined;
  control.retryingJob = () => undefined;
});

async function run(names: string[], env: Record<string, string> = {}, timers = false): Promise<StartedHost> {
  started = await startHost(functions, names, env, undefined, timers);
  return started;
}

describe('timer trigger', () => {
  it('runTimer invokes the handler with the host Timer object and awaits it', async () => {
    const timers: Timer[] = [];
    control.scheduledJob = async (timer) => {
      await new Promise((r) => setTimeout(r, 5));
      timers.push(timer);
    };
    const { host } = await run(['scheduledJob'], { TEST_SCHEDULE: '0 0 8 * * 1' });
    const before = new Date();
    await host.runTimer('scheduledJob');
    expect(timers).toHaveLength(1);
    const [first] = timers;
    expect(first).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    expect(first!.scheduleStatus.last).toBe('0001-01-01T00:00:00.000Z');
    expect(first!.scheduleStatus.next).toBe(nextOccurrences('0 0 8 * * 1', before, 1)[0]!.toISOString());
    expect(Date.parse(first!.scheduleStatus.lastUpdated)).toBeGreaterThanOrEqual(before.getTime());

    await host.runTimer('scheduledJob');
    expect(Date.parse(timers[1]!.scheduleStatus.last)).toBeGreaterThanOrEqual(before.getTime());
    expect(host.stats()).toEqual({ invocations: 2, failures: 0, poisoned: 0 });
  });

  it('never overlaps a timer with itself', async () => {
    let running = 0;
    let maxRunning = 0;
    control.scheduledJob = async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    };
    const { host } = await run(['scheduledJob'], { TEST_SCHEDULE: '01:00:00' });
    await Promise.all([host.runTimer('scheduledJob'), host.runTimer('scheduledJob'), host.runTimer('scheduledJob')]);
    expect(host.stats().invocations).toBe(3);
    expect(maxRunning).toBe(1);
  });

  it('fires runOnStartup once at start', async () => {
    let calls = 0;
    control.startupJob = () => void calls++;
    const { host } = await run(['startupJob'], {}, true);
    await host.waitForIdle();
    expect(calls).toBe(1);
  });

  it('does not run schedules or runOnStartup with timers: false', async () => {
    let calls = 0;
    control.startupJob = () => void calls++;
    const { host } = await run(['startupJob'], {}, false);
    await host.waitForIdle();
    expect(calls).toBe(0);
  });

  it.each(['*/1 * * * * *', '00:00:01'])('runs on schedule "%s" and keeps going after an exception', async (schedule) => {
    let calls = 0;
    control.scheduledJob = () => {
      calls++;
      if (calls === 1) throw new Error('first run fails');
    };
    const { host, logs } = await run(['scheduledJob'], { TEST_SCHEDULE: schedule }, true);
    await eventually(() => calls >= 2, 'a second scheduled run');
    await host.stop();
    expect(host.stats().failures).toBe(1);
    expect(logs.some((l) => /^Executed 'scheduledJob' \(Failed, invocationId=\S+\): Error: first run fails$/.test(l))).toBe(true);
  });

  it('retries per the retry policy with retryContext, then gives up', async () => {
    const contexts: Array<RetryContext | undefined> = [];
    control.retryingJob = (_timer, context) => {
      contexts.push(context.retryContext);
      throw new Error(`attempt ${contexts.length}`);
    };
    const { host } = await run(['retryingJob']);
    await host.runTimer('retryingJob');

    expect(contexts.map((c) => [c?.retryCount, c?.maxRetryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(contexts[0]?.exception).toBeUndefined();
    expect(contexts[2]?.exception?.message).toBe('attempt 2');
    expect(host.stats()).toEqual({ invocations: 3, failures: 3, poisoned: 0 });
  });

  it('stops retrying once an attempt succeeds', async () => {
    let calls = 0;
    control.retryingJob = () => {
      calls++;
      if (calls === 1) throw new Error('transient');
    };
    const { host } = await run(['retryingJob']);
    await host.runTimer('retryingJob');
    expect(host.stats()).toEqual({ invocations: 2, failures: 1, poisoned: 0 });
  });

  it('stop() waits for a timer run in flight', async () => {
    let release: () => void = () => undefined;
    let finished = false;
    control.scheduledJob = async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    };
    const { host } = await run(['scheduledJob'], { TEST_SCHEDULE: '01:00:00' });
    const running = host.runTimer('scheduledJob');
    await eventually(() => host.stats().invocations === 1, 'the run to start');
    const stopping = host.stop();
    release();
    await stopping;
    await running;
    expect(finished).toBe(true);
  });

  it('rejects runTimer for a name it does not run', async () => {
    const { host } = await run(['scheduledJob'], { TEST_SCHEDULE: '01:00:00' });
    await expect(host.runTimer('queueWorker')).rejects.toThrow(/no timer function named "queueWorker"/);
  });
});
