/** simulate and digest as docs/cli.md says: output lines, exit statuses, --out files. */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { digest } from '../../../bin/commands/digest.js';
import { simulate } from '../../../bin/commands/simulate.js';
import { main } from '../../../bin/cli.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { capture, jsonLines } from './support.js';

const SNAPSHOT = fromPackageRoot('samples/contoso-directory.json');
const EVENTS = fromPackageRoot('samples/events.jsonl');

async function tmp(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-'));
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

describe('pim-notify simulate', () => {
  it('explains every email on the samples, and its summary names truncated and unnotified events (issue 11)', async () => {
    const r = await capture(() => simulate(['--directory', SNAPSHOT, '--events', EVENTS]));
    expect(r.status).toBe(0);
    for (const line of jsonLines(r.stdout)) expect((line['reasons'] as unknown[]).length).toBeGreaterThan(0);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^simulated \d+ event\(s\), \d+ email\(s\); truncated: none; unnotified: /);

    const lines = (await readFile(EVENTS, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const pimEnabled = lines.find((l) => l['type'] === 'pimEnabled')!;
    const completed = lines.find((l) => l['type'] === 'activationCompleted')!;
    // An Azure role nobody is named to approve: its Owners hear, but no approver can act.
    const azurePending = {
      ...lines.find((l) => l['type'] === 'activationPendingApproval' && (l['scope'] as { kind: string }).kind === 'azureResource')!,
      id: 'no-approver',
      role: { id: 'a795c7a0-d4a2-40c1-ae25-d81f01202912' },
    };
    const file = await tmp('events.jsonl', [pimEnabled, completed, azurePending].map((l) => JSON.stringify(l)).join('\n'));
    vi.stubEnv('MAX_RECIPIENTS_PER_EVENT', '2');
    try {
      const capped = await capture(() => simulate(['--directory', SNAPSHOT, '--events', file]));
      expect(capped.status).toBe(0);
      expect(capped.stderr).toMatch(
        new RegExp(
          `event ${pimEnabled['id']} \\(pimEnabled\\): warning: \\d+ of \\d+ recipients are over MAX_RECIPIENTS_PER_EVENT \\(2\\)`,
        ),
      );
      const summary = capped.stderr.trim().split('\n').at(-1)!;
      expect(summary).toMatch(
        new RegExp(`truncated: .*${pimEnabled['id']} \\(\\d+ left out\\).*${completed['id']}.*; unnotified: no-approver$`),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('prints one line per email with one recipient each, and writes .eml files with --out', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'sim-'));
    const r = await capture(() => simulate(['--directory', SNAPSHOT, '--events', EVENTS, '--out', out]));
    expect(r.status).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.length).toBeGreaterThan(50);
    for (const l of lines) {
      expect(Object.keys(l).slice(0, 4)).toEqual(['eventId', 'notification', 'to', 'subject']);
      expect(String(l['to'])).not.toMatch(/[,;\s]/);
      expect(String(l['subject'])).toMatch(/^PIM: /);
    }
    const seed = lines.find((l) => l['eventId'] === 'evt-0013' && l['notification'] === 'assignmentAlert');
    expect(seed?.['subject']).toBe('PIM: Alain Charon was permanently assigned the Backup Reader role');
    const files = (await readdir(out)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(lines.length);
    expect(await readFile(path.join(out, files[0]!), 'utf8')).toMatch(/multipart\/alternative/);
  });

  it('simulates an event id seen twice once; reports invalid events by line and field with status 2', async () => {
    const good = (await readFile(EVENTS, 'utf8')).split('\n')[1]!;
    const file = await tmp('events.jsonl', [good, good, '{"id": "x1", "type": "roleAssigned"}', 'not json'].join('\n'));
    const r = await capture(() => simulate(['--directory', SNAPSHOT, '--events', file]));
    expect(r.status).toBe(2);
    const ids = new Set(jsonLines(r.stdout).map((l) => l['eventId']));
    expect(ids).toEqual(new Set([JSON.parse(good).id]));
    const once = jsonLines(r.stdout).length;
    const single = await capture(() => simulate(['--directory', SNAPSHOT, '--events', EVENTS]));
    expect(jsonLines(single.stdout).filter((l) => l['eventId'] === JSON.parse(good).id)).toHaveLength(once);
    expect(r.stderr).toMatch(/events\.jsonl:3: event x1 is invalid: .*tenantId/);
    expect(r.stderr).toMatch(/events\.jsonl:4: .*not valid JSON/);
  });

  it('exits 1 with the reason for an unreadable or invalid snapshot', async () => {
    const bad = await tmp('snap.json', JSON.stringify({ tenant: { id: 'x' }, users: [] }));
    const r = await capture(() => simulate(['--directory', bad, '--events', EVENTS]));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/tenant\.id/);
    expect((await capture(() => simulate(['--directory', '/nonexistent.json', '--events', EVENTS]))).status).toBe(1);
  });
});

describe('pim-notify digest', () => {
  it('prints the week digest per recipient with tiles and top roles', async () => {
    const r = await capture(() => digest(['--directory', SNAPSHOT, '--activity', EVENTS, '--week', '2026-W47']));
    expect(r.status).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) {
      expect(l['notification']).toBe('weeklyDigest');
      expect(l['tiles']).toEqual({ usersActivated: 6, usersMadePermanent: 1, roleAssignmentsInPim: 2, roleAssignmentsOutsidePim: 1 });
      expect((l['topRoles'] as unknown[]).length).toBeLessThanOrEqual(5);
    }
    expect(new Set(lines.map((l) => l['to'])).size).toBe(lines.length);
  });

  it('refuses a week that is not YYYY-Www with status 1', async () => {
    const r = await capture(() => main(['digest', '--directory', SNAPSHOT, '--activity', EVENTS, '--week', '2026-47']));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/YYYY-Www/);
  });
});
