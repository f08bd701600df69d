/**
 * `simulate` on a tenant with a mailbox-less Privileged Role Administrator (no `mail`, no
 * `otherMails`): dropped without a mapping; with ALTERNATE_ADDRESSES, mailed at the alternate
 * address, and the line says why.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { simulate } from '../../../bin/commands/simulate.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { capture, jsonLines } from './support.js';

const MEGAN = '2f1ff273-f85b-4fe7-91ab-7bb190db134c'; // an active Privileged Role Administrator of the sample tenant

async function maillessSnapshot(): Promise<string> {
  const snapshot = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8')) as {
    users: Array<{ id: string; mail: string | null; otherMails?: string[]; userPrincipalName?: string | null }>;
  };
  const megan = snapshot.users.find((u) => u.id === MEGAN)!;
  Object.assign(megan, { mail: null, otherMails: [], userPrincipalName: null });
  const dir = await mkdtemp(path.join(tmpdir(), 'alt-'));
  const file = path.join(dir, 'directory.json');
  await writeFile(file, JSON.stringify(snapshot));
  return file;
}

describe('simulate with ALTERNATE_ADDRESSES', () => {
  it('a mailbox-less Privileged Role Administrator is reached at the mapped address, and simulate says why', async () => {
    const snapshot = await maillessSnapshot();
    const events = fromPackageRoot('samples/events.jsonl');
    const without = jsonLines((await capture(() => simulate(['--directory', snapshot, '--events', events]))).stdout);
    expect(without.filter((l) => l['to'] === 'megan.alt@contoso.com')).toEqual([]);

    vi.stubEnv('ALTERNATE_ADDRESSES', JSON.stringify({ [MEGAN]: 'megan.alt@contoso.com' }));
    try {
      const lines = jsonLines((await capture(() => simulate(['--directory', snapshot, '--events', events]))).stdout);
      const hers = lines.filter((l) => l['to'] === 'megan.alt@contoso.com');
      expect(hers.length).toBeGreaterThan(0);
      expect(hers.map((l) => l['notification'])).toContain('approvalRequest');
      for (const l of hers)
        expect(l['addressReason']).toBe(`ALTERNATE_ADDRESSES maps user ${MEGAN} to this address (a person without a usable mailbox)`);
      expect(hers.some((l) => JSON.stringify(l['reasons']).includes('Privileged Role Administrator'))).toBe(true);
      expect(lines.filter((l) => l['to'] !== 'megan.alt@contoso.com' && l['addressReason'])).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
