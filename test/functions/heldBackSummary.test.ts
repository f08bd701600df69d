/**
 * The heldBackSummary timer as the host sees it (registration through the core stand-in) and
 * run by the local runner against Azurite with the outbox: a window that held emails back
 * yields one summary .eml, and running the timer again sends nothing more.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { holdTwoOfThree } from '../support/heldBack.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFunctions, loadFunctionApp, startLocalHost, type RegisteredFunction } from '../../dev/host/index.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { TableRateLimit } from '../../shared/rateLimit/tableRateLimit.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

let functions: RegisteredFunction[];
let outbox: string;

beforeAll(async () => {
  outbox = await mkdtemp(path.join(tmpdir(), 'held-back-'));
  functions = (await loadFunctionApp([fromPackageRoot('functions/heldBackSummary.ts')])).filter((f) => f.name === 'heldBackSummary');
});
afterAll(async () => outbox && rm(outbox, { recursive: true, force: true }));

describe('heldBackSummary function', () => {
  it('registers as a timer on %HELD_BACK_SCHEDULE%, every five minutes unless set', () => {
    expect(describeFunctions(functions).map((f) => JSON.stringify(f))).toEqual([
      '{"name":"heldBackSummary","trigger":"timer","schedule":"%HELD_BACK_SCHEDULE%"}',
    ]);
    expect(loadSettings({}).HELD_BACK_SCHEDULE).toBe('0 */5 * * * *');
  });

  it('sends one summary per closed window under the local runner, and nothing on the next run', async () => {
    const env = {
      ...process.env,
      AzureWebJobsStorage: storageConnectionString(),
      RECIPIENT_RATE_TABLE: uniqueTableName('Rate'),
      DELIVERY_TABLE: uniqueTableName('Led'),
      EMAIL_TRANSPORT: 'outbox',
      OUTBOX_DIR: outbox,
      DIRECTORY_SOURCE: 'snapshot',
      HELD_BACK_SCHEDULE: '0 */5 * * * *',
    };
    // getServices() reads process.env, as in the host; this file runs in its own worker.
    Object.assign(process.env, env);
    const rates = new TableRateLimit(
      TableClient.fromConnectionString(env.AzureWebJobsStorage, env.RECIPIENT_RATE_TABLE, { allowInsecureConnection: true }),
      { now: () => new Date('2026-12-01T06:30:00Z') },
    );
    await holdTwoOfThree(rates);
    const lines: string[] = [];
    const host = await startLocalHost({
      functions,
      storageConnectionString: env.AzureWebJobsStorage,
      env,
      timers: false,
      log: (l) => lines.push(l),
    });
    try {
      await host.runTimer('heldBackSummary');
      await host.runTimer('heldBackSummary');
      expect(host.stats(), lines.join('\n')).toMatchObject({ invocations: 2, failures: 0 });
    } finally {
      await host.stop();
    }
    const files = (await readdir(outbox)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = await readFile(path.join(outbox, files[0]!), 'utf8');
    expect(eml).toMatch(/^To: "?Lee Gu"? <lee\.gu@contoso\.com>/m);
    expect(eml.replace(/\r?\n /g, ' ')).toContain(
      'Subject: PIM: 2 more notifications were held back between Tue 1 Dec 2026 06:00 UTC and Tue 1 Dec 2026 07:00 UTC',
    );
    expect(lines.join('\n')).toMatch(/held-back summaries: 1 sent \(2 emails listed\)/);
  });
});
