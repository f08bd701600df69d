/**
 * The two source functions as the host sees them (registrations via the core stand-in) and run
 * by the local runner. The runner test uses its own Azurite: the functions write to the real
 * `pim-events` queue, which other end-to-end tests consume from the shared one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import { describeFunctions, loadFunctionApp, startLocalHost, type RegisteredFunction } from '../../dev/host/index.js';
import { startAzurite, type AzuriteHandle } from '../../dev/host/azurite.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { EVENTS_QUEUE } from '../../shared/queues/queues.js';
import { uniqueTableName } from '../support/storage.js';
import { queuedEvents } from '../support/queuedEvents.js';

let functions: RegisteredFunction[];
let azurite: AzuriteHandle | undefined;

beforeAll(async () => {
  functions = (
    await loadFunctionApp([fromPackageRoot('functions/auditCollector.ts'), fromPackageRoot('functions/expiryScanner.ts')])
  ).filter((f) => ['auditCollector', 'expiryScanner'].includes(f.name));
});
afterAll(async () => azurite?.stop());

describe('source functions', () => {
  it('register as timers on %AUDIT_SCHEDULE% and %EXPIRY_SCHEDULE%, settings with defaults', () => {
    expect(describeFunctions(functions).map((f) => JSON.stringify(f))).toEqual([
      '{"name":"auditCollector","trigger":"timer","schedule":"%AUDIT_SCHEDULE%"}',
      '{"name":"expiryScanner","trigger":"timer","schedule":"%EXPIRY_SCHEDULE%"}',
    ]);
    for (const fn of functions) expect(fn).toMatchObject({ triggerType: 'timerTrigger' });
    expect(loadSettings({}).AUDIT_SCHEDULE).toBe('0 */5 * * * *');
    expect(loadSettings({}).EXPIRY_SCHEDULE).toBe('0 0 6 * * *');
  });

  it('runs expiryScanner under the local runner on the sample directory, emitting nothing twice', async () => {
    azurite = await startAzurite();
    const env = {
      ...process.env,
      AzureWebJobsStorage: azurite.connectionString,
      SOURCES_TABLE: uniqueTableName('Fn'),
      AUDIT_SCHEDULE: '0 */5 * * * *',
      EXPIRY_SCHEDULE: '0 0 6 * * *',
    };
    // getServices() reads process.env, as in the host; this file runs in its own worker.
    Object.assign(process.env, env);
    const lines: string[] = [];
    const host = await startLocalHost({
      functions,
      storageConnectionString: azurite.connectionString,
      env,
      timers: false,
      log: (l) => lines.push(l),
    });
    try {
      await host.runTimer('expiryScanner');
      const queue = new QueueClient(azurite.connectionString, EVENTS_QUEUE);
      const first = await queuedEvents(queue);
      await host.runTimer('expiryScanner');
      const second = await queuedEvents(queue);
      expect(host.stats(), lines.join('\n')).toMatchObject({ invocations: 2, failures: 0 });
      expect(second.map((e) => e.id)).toEqual(first.map((e) => e.id));
      for (const e of first) expect(e.id).toMatch(/^expiry:(expiring14d|expiring1d|expired):[0-9a-f]{40}$/);
      expect(lines.join('\n')).toMatch(/expiry scan: \d+ assignments/);
    } finally {
      await host.stop();
    }
  });
});
