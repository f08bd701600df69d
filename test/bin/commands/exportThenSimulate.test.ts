/** export-directory against the local Graph/ARM endpoints writes a snapshot that simulate accepts. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { exportDirectory } from '../../../bin/commands/exportDirectory.js';
import { simulate } from '../../../bin/commands/simulate.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { SUB } from '../../support/sampleTenant.js';
import { sampleClock, sampleWorld } from '../../support/clock.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  vi.restoreAllMocks();
});

test('the exported sample tenant drives simulate like the original snapshot', async () => {
  const sample = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8'));
  const subscriptions: string[] = sample.azureResources
    .map((r: { id: string }) => r.id.split('/')[2])
    .filter((v: string, i: number, a: string[]) => a.indexOf(v) === i);
  if (subscriptions.length === 0) subscriptions.push(SUB);
  h = await startHarness(sample, { server: sampleWorld, env: { AZURE_SUBSCRIPTION_IDS: subscriptions.join(';') } });
  const dir = await mkdtemp(path.join(tmpdir(), 'export-'));
  const out = path.join(dir, 'tenant.json');
  vi.spyOn(console, 'log').mockImplementation(() => {});
  // export-directory takes its subscriptions from --subscription (else AZURE_SUBSCRIPTION_IDS in
  // the process environment), not from the injected directory's settings: name them.
  expect(await exportDirectory(['--out', out, ...subscriptions.flatMap((s) => ['--subscription', s])], { directory: h.directory })).toBe(0);

  const lines = async (snapshot: string) => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    const status = await simulate(['--directory', snapshot, '--events', events]);
    spy.mockRestore();
    return {
      status,
      emails: written
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { eventId: string; to: string; notification: string }),
    };
  };
  // An export holds what is in force when it is taken (the local Graph's instant, SAMPLE_NOW):
  // the sample events, dated at that instant, must give the same emails from it as from the
  // original snapshot (which answers as of each event's time).
  const events = path.join(dir, 'events.jsonl');
  const at = sampleClock.now().toISOString();
  const sampleEvents = (await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).split('\n').filter((l) => l.trim());
  await writeFile(events, sampleEvents.map((l) => JSON.stringify({ ...JSON.parse(l), occurredAt: at })).join('\n'));
  const exported = await lines(out);
  const original = await lines(fromPackageRoot('samples/contoso-directory.json'));
  expect(exported.status).toBe(0);
  expect(exported.emails.length).toBeGreaterThan(10);
  // Same people, same emails: the export lost nothing simulate needs.
  const key = (e: { eventId: string; to: string; notification: string }) => `${e.eventId} ${e.to.toLowerCase()} ${e.notification}`;
  expect(exported.emails.map(key).sort()).toEqual(original.emails.map(key).sort());
});
