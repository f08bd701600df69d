/** docs/sources.md carries the activity → event table generated from the code. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../shared/packageRoot.js';
import { AUDIT_ACTIVITIES } from '../../../shared/sources/activities.js';
import { SOURCES_DOC, generatedSourcesDocs } from '../../../scripts/docs/sourcesDoc.js';

describe('docs/sources.md', () => {
  it('matches the activity table in shared/sources/activities.ts (regenerate: see the end of the doc)', async () => {
    const actual = await readFile(path.join(packageRoot(), SOURCES_DOC), 'utf8');
    const expected = (await generatedSourcesDocs())[SOURCES_DOC];
    expect(actual, `${SOURCES_DOC} is out of date`).toBe(expected);
  });

  it('has one row per mapped activity', async () => {
    const doc = await readFile(path.join(packageRoot(), SOURCES_DOC), 'utf8');
    for (const m of AUDIT_ACTIVITIES) expect(doc).toContain(`| ${m.activity} |`);
  });
});
