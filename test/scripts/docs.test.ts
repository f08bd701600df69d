/** Generated docs must match the code they come from: run `npm run docs` when this fails. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../shared/packageRoot.js';
import { generatedDocs } from '../../scripts/docs.js';

describe('generated documentation', () => {
  it('is up to date (run `npm run docs` to refresh)', async () => {
    for (const [file, expected] of Object.entries(await generatedDocs())) {
      const actual = await readFile(path.join(packageRoot(), file), 'utf8').catch(() => '(missing)');
      expect(actual, `${file} is out of date: run npm run docs`).toBe(expected);
    }
  });

  it('lists every entry of the recipient matrix in docs/recipients.md', async () => {
    const { RECIPIENT_MATRIX } = await import('../../shared/rules/matrix.js');
    const doc = await readFile(path.join(packageRoot(), 'docs/recipients.md'), 'utf8');
    const rows = doc
      .split('\n')
      .filter((l) => /^\| `\w+` \| (directory role|Azure resource role|group membership or ownership \(PIM for Groups\)) \|/.test(l));
    expect(rows).toHaveLength(RECIPIENT_MATRIX.length);
  });
});
