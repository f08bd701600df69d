/**
 * The core stand-in captures what the app registers through the real @azure/functions, also
 * under vitest (whose transformed modules import @azure/functions natively).
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { describeFunctions, loadFunctionApp, startLocalHost } from '../../dev/host/index.js';
import { control } from '../fixtures/hostApp/control.js';
import { storageConnectionString } from '../support/storage.js';
import { fastHostJson, fixtureEntries, loadFixtureApp, queueEnv } from './support.js';

describe('loadFunctionApp', () => {
  it('captures the real binding metadata of every registration', async () => {
    const functions = await loadFixtureApp();
    expect(functions.map((f) => f.name)).toEqual(['queueWorker', 'scheduledJob', 'startupJob', 'retryingJob']);

    const worker = functions.find((f) => f.name === 'queueWorker')!;
    expect(worker).toMatchObject({
      trigger: 'storageQueue',
      triggerType: 'queueTrigger',
      queueName: '%TEST_QUEUE%',
      connection: '%TEST_CONNECTION%',
      queueOutputs: [{ queueName: '%TEST_OUTPUT_QUEUE%', connection: 'AzureWebJobsStorage' }],
    });
    // The bindings are what @azure/functions hands the host: trigger "in", output "out".
    const bindings = Object.values(worker.bindings);
    expect(bindings).toContainEqual(expect.objectContaining({ type: 'queueTrigger', direction: 'in', queueName: '%TEST_QUEUE%' }));
    expect(bindings).toContainEqual(expect.objectContaining({ type: 'queue', direction: 'out', queueName: '%TEST_OUTPUT_QUEUE%' }));

    expect(functions.find((f) => f.name === 'startupJob')).toMatchObject({
      trigger: 'timer',
      triggerType: 'timerTrigger',
      schedule: '0 0 0 1 1 *',
      runOnStartup: true,
    });
    expect(functions.find((f) => f.name === 'retryingJob')?.retry).toEqual({ strategy: 'fixedDelay', maxRetryCount: 2, delayMs: 0 });
  });

  it('returns the registrations again on a second load, although the modules are cached', async () => {
    const first = await loadFixtureApp();
    const second = await loadFunctionApp(fixtureEntries);
    expect(second.map((f) => f.name)).toEqual(first.map((f) => f.name));
    expect(second[0]!.handler).toBe(first[0]!.handler);
  });

  it('registers the app handler itself: calling it reaches the app code', async () => {
    const [worker] = await loadFixtureApp();
    const seen: unknown[] = [];
    control.queueWorker = (message) => seen.push(message);
    await worker!.handler({ probe: 1 }, {});
    control.queueWorker = () => undefined;
    expect(seen).toEqual([{ probe: 1 }]);
  });

  it('resolves @azure/functions-core to the stand-in for any require in the process', async () => {
    await loadFixtureApp();
    const core = createRequire(import.meta.url)('@azure/functions-core') as Record<string, unknown>;
    expect(typeof core.registerFunction).toBe('function');
  });
});

describe('describeFunctions', () => {
  it('gives the cli.md line for each function, settings unresolved', async () => {
    const lines = describeFunctions(await loadFixtureApp()).map((line) => JSON.stringify(line));
    expect(lines).toEqual([
      '{"name":"queueWorker","trigger":"storageQueue","queueName":"%TEST_QUEUE%","connection":"%TEST_CONNECTION%"}',
      '{"name":"scheduledJob","trigger":"timer","schedule":"%TEST_SCHEDULE%"}',
      '{"name":"startupJob","trigger":"timer","schedule":"0 0 0 1 1 *"}',
      '{"name":"retryingJob","trigger":"timer","schedule":"0 0 8 * * 1"}',
    ]);
  });
});

describe('start-up resolution of %SETTING%', () => {
  async function start(names: string[], env: Record<string, string>) {
    const functions = (await loadFixtureApp()).filter((f) => names.includes(f.name));
    return startLocalHost({
      functions,
      storageConnectionString: storageConnectionString(),
      env,
      hostJson: fastHostJson(),
      log: () => undefined,
      timers: false,
    });
  }

  it('names the function and the missing setting', async () => {
    const { TEST_QUEUE: _unset, ...env } = queueEnv();
    await expect(start(['queueWorker'], env)).rejects.toThrow(/function "queueWorker".*"%TEST_QUEUE%".*app setting "TEST_QUEUE"/);
  });

  it('names a connection setting that holds no connection string', async () => {
    await expect(start(['queueWorker'], { ...queueEnv(), TEST_CONNECTION: 'OtherStorage' })).rejects.toThrow(
      /function "queueWorker".*connection "OtherStorage"/,
    );
  });

  it('rejects a schedule that is neither NCRONTAB nor TimeSpan', async () => {
    await expect(start(['scheduledJob'], { TEST_SCHEDULE: '0 8 * * 1' })).rejects.toThrow(/function "scheduledJob".*"0 8 \* \* 1"/);
  });

  it('starts when every setting resolves', async () => {
    const host = await start(['queueWorker', 'scheduledJob'], { ...queueEnv(), TEST_SCHEDULE: '00:05:00' });
    await host.stop();
    expect(host.stats()).toEqual({ invocations: 0, failures: 0, poisoned: 0 });
  });
});
