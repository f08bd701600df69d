/**
 * The benchmark must keep running (issue 6): `npm run bench -- --quick`, on compiled output in a
 * scratch package (its own dist/, so a concurrent test never sees dist/ half rewritten), must
 * write a results file with every figure present and sane. No timing thresholds: a slow CI
 * machine is not a failure; a field gone missing, NaN or zero is.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { fromPackageRoot } from '../../shared/packageRoot.js';

const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), 'pim-bench-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const positive = expect.any(Number);

function expectPositive(value: unknown, name: string): void {
  expect(typeof value, name).toBe('number');
  expect(Number.isFinite(value as number), `${name} is finite`).toBe(true);
  expect(value as number, name).toBeGreaterThan(0);
}

describe('npm run bench -- --quick', () => {
  it('runs end to end and writes every figure', { timeout: 360_000 }, async () => {
    for (const file of ['package.json', 'host.json']) copyFileSync(fromPackageRoot(file), path.join(scratch, file));
    symlinkSync(fromPackageRoot('node_modules'), path.join(scratch, 'node_modules'), 'dir');
    await run(
      process.execPath,
      [
        fromPackageRoot('node_modules/typescript/bin/tsc'),
        '-p',
        fromPackageRoot('tsconfig.build.json'),
        '--outDir',
        path.join(scratch, 'dist'),
      ],
      { maxBuffer: 16 << 20 },
    );
    const out = path.join(scratch, 'results.json');
    await run(process.execPath, [path.join(scratch, 'dist/bench/run.js'), '--quick', '--out', out], { cwd: scratch, maxBuffer: 16 << 20 });

    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.mode).toBe('quick');
    for (const field of ['events', 'eventsPerSecond', 'p50Ms', 'p95Ms', 'graphRequestsPerEvent', 'tableOperationsPerEvent', 'emails']) {
      expectPositive(r.notify[field], `notify.${field}`);
    }
    expect(r.notify.events).toBe(50);
    expect(r.notify.failures).toBe(0);
    expect(r.notify.p95Ms).toBeGreaterThanOrEqual(r.notify.p50Ms);
    expect(r.notify.tableOperationsDesignMinimumPerEvent).toBe(4);
    for (const field of [
      'acsRequestsPerRecipient',
      'processingP95Ms',
      'largeEventSeconds',
      'eventsPerHourCustomDomain',
      'eventsPerHourManagedDomain',
    ]) {
      expectPositive(r.delivery[field], `delivery.${field}`);
    }
    expect(r.delivery).toMatchObject({ lost: 0, duplicates: 0 });
    expect(r.delivery.largeEvent.recipients).toBe(1000);
    expectPositive(r.delivery.sequential.acsRequestsPerRecipient, 'delivery.sequential.acsRequestsPerRecipient');
    // Events of 1, 10, 100 and 1,000 recipients through the whole use case: each size measured, grouped as the rules plan it
    // (size − 1 additional recipients sharing one email, in messages of 50, and the activating person's own notice).
    const bySize = r.delivery.processingByRecipients as Record<
      string,
      { events: number; messagesPerEvent: number; p50Ms: number; p95Ms: number }
    >;
    expect(Object.keys(bySize).sort((a, b) => Number(a) - Number(b))).toEqual(['1', '10', '100', '1000']);
    for (const [size, x] of Object.entries(bySize)) {
      expect(x.events, `events of ${size}`).toBe(2);
      expect(x.messagesPerEvent, `messages per event of ${size}`).toBe(Number(size) === 1 ? 1 : Math.ceil((Number(size) - 1) / 50) + 1);
      expectPositive(x.p95Ms, `processingByRecipients[${size}].p95Ms`);
      expect(x.p95Ms).toBeGreaterThanOrEqual(x.p50Ms);
    }
    // The weekly digest through the production transport: one message per recipient, no status read; the send-and-poll baseline polls.
    expectPositive(r.delivery.digestAcsRequestsPerRecipient, 'delivery.digestAcsRequestsPerRecipient');
    expect(r.delivery.digestAcsStatusReadsPerRecipient).toBe(0);
    expect(r.delivery.digest).toMatchObject({ lost: 0, duplicates: 0, acsStatusReads: 0, acsMessages: r.delivery.digest.recipients });
    expectPositive(r.delivery.digest.recipients, 'delivery.digest.recipients');
    expect(r.delivery.digest.sendAndPoll).toMatchObject({
      lost: 0,
      duplicates: 0,
      recipients: r.delivery.digest.recipients,
      acsMessages: r.delivery.digest.recipients,
    });
    expectPositive(r.delivery.digest.sendAndPoll.acsStatusReadsPerRecipient, 'delivery.digest.sendAndPoll.acsStatusReadsPerRecipient');
    const fanOutRecipients = Object.entries(bySize).reduce((a, [size, x]) => a + Number(size) * x.events, 0);
    // Every recipient's report recorded: the events', the sized events' and the large event's.
    expect(r.delivery.grouped.outcomesRecorded).toBe(r.delivery.grouped.recipients + fanOutRecipients + r.delivery.largeEvent.recipients);
    for (const field of ['rows', 'seconds', 'scanSeconds', 'ratioToScan']) expectPositive(r.digest[field], `digest.${field}`);
    expect(r.digest.rows).toBe(2000);
    expect(Object.keys(r.digest.peakRssMiB).sort()).toEqual(['200', '2000']);
    for (const [rows, mib] of Object.entries(r.digest.peakRssMiB)) expectPositive(mib, `digest.peakRssMiB[${rows}]`);
    expectPositive(r.coldStart.importMs, 'coldStart.importMs');
    expectPositive(r.coldStart.baselineMs, 'coldStart.baselineMs');
    expectPositive(r.render.emailsPerSecond, 'render.emailsPerSecond');
    expect(r.render).toMatchObject({ template: expect.any(String), bytes: positive });
    for (const field of [
      'requests',
      'endToEndP50Ms',
      'endToEndP95Ms',
      'graphRequestsPerHour',
      'armRequestsPerHourPerSubscription',
      'approvalEmails',
    ])
      expectPositive(r.requests[field], `requests.${field}`);
    expect(r.requests.requests).toBe(20);
    expect(r.requests.endToEndP95Ms).toBeGreaterThanOrEqual(r.requests.endToEndP50Ms);
  });
});
