/**
 * README's Layout tables come from the tree (scripts/docs/layoutDoc.ts): the committed ones are
 * what the generator writes, and the generator refuses a tree and descriptions that disagree.
 * The refusals are shown on a small tree built in a temporary folder, so they do not depend on
 * what the real tree happens to hold.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../shared/packageRoot.js';
import { LAYOUT_BEGIN, LAYOUT_END, layoutMarkdown, readmeWithLayout, type LayoutDescriptions } from '../../../scripts/docs/layoutDoc.js';

const HINT = 'add a description to scripts/docs/layoutDoc.ts';

describe('README Layout tables', () => {
  it('are the ones generated from the tree (run `npm run docs` when this fails)', async () => {
    const readme = await readFile(path.join(packageRoot(), 'README.md'), 'utf8');
    const block = (text: string): string => text.slice(text.indexOf(LAYOUT_BEGIN), text.indexOf(LAYOUT_END));
    expect(block(readme)).toContain('| `shared/` |');
    expect(block(readme)).toBe(block(await readmeWithLayout(readme, packageRoot())));
  });
});

describe('layoutMarkdown on a tree of its own', () => {
  let root: string;
  const descriptions = (): LayoutDescriptions => ({
    top: { 'shared/': 'what ships', 'docs/': 'the documentation, `guide.md` first' },
    shared: { 'feature/': 'one feature; `helper.ts` is pure', 'log.ts': 'the log' },
  });
  const write = async (rel: string, text = ''): Promise<void> => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'layout-'));
    await write('.gitignore', 'node_modules/\n/outbox/\n');
    // The one list of adapter patterns is the boundary checker's; a tree of one rule stands in for it.
    await write(
      '.dependency-cruiser.cjs',
      "module.exports = { forbidden: [{ name: 'pure-imports-no-adapter', to: { path: ['^shared/feature/azure/'] } }] };\n",
    );
    await write('shared/feature/port.ts', 'export interface Port { send(): void }\n');
    await write(
      'shared/feature/impl.ts',
      "import type { Port } from './port.js';\nexport class Impl implements Port { send(): void {} }\n",
    );
    // Looks like an adapter to a text search, is not one to the parser.
    await write('shared/feature/helper.ts', '// class Fake implements Port {}\nexport const x = "class Y implements Port {}";\n');
    await write('shared/feature/azure/client.ts', 'export const client = 1;\n');
    await write('shared/log.ts', 'export type Log = (m: string) => void;\n');
    await write('docs/guide.md', '# guide\n');
    // Not rooms: ignored by .gitignore, or a dot-folder.
    await write('node_modules/x/index.js');
    await write('outbox/mail.eml');
    await write('.github/workflows/ci.yml');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists the rows of the tree, ports and adapters read from the code', async () => {
    const markdown = await layoutMarkdown(root, descriptions());
    expect(markdown).toContain('what ships to Azure is `shared/` only.');
    expect(markdown).toContain('| `shared/` | what ships | yes |');
    expect(markdown).toContain('| `docs/` | the documentation, `guide.md` first | no |');
    expect(markdown).toContain('| `feature/` | `port.ts` | `azure/`, `impl.ts` | `helper.ts` | one feature; `helper.ts` is pure |');
    expect(markdown).toContain('| `log.ts` | | | | the log |');
    expect(markdown).not.toMatch(/node_modules|outbox|\.github/);
  });

  it('throws on a top-level folder with no description, naming it', async () => {
    await mkdir(path.join(root, 'extra'));
    await expect(layoutMarkdown(root, descriptions())).rejects.toThrow(`extra/ has no description: ${HINT}`);
  });

  it('throws on a file or folder of shared/ with no description, naming it', async () => {
    await write('shared/packageRoot.ts', 'export const root = 1;\n');
    await mkdir(path.join(root, 'shared/telemetry'));
    const thrown = layoutMarkdown(root, descriptions());
    await expect(thrown).rejects.toThrow(`shared/packageRoot.ts has no description: ${HINT}`);
    await expect(thrown).rejects.toThrow(`shared/telemetry/ has no description: ${HINT}`);
  });

  it('throws on a description of a folder that is not in the tree', async () => {
    const gone = descriptions();
    gone.top['bench/'] = 'the benchmark';
    gone.shared['old/'] = 'what was';
    const thrown = layoutMarkdown(root, gone);
    await expect(thrown).rejects.toThrow('scripts/docs/layoutDoc.ts describes bench/, which is not in the tree');
    await expect(thrown).rejects.toThrow('scripts/docs/layoutDoc.ts describes shared/old/, which is not in the tree');
  });

  it('throws on a description naming a path that is gone', async () => {
    await rm(path.join(root, 'shared/feature/helper.ts'));
    await rm(path.join(root, 'docs/guide.md'));
    const thrown = layoutMarkdown(root, descriptions());
    await expect(thrown).rejects.toThrow('the description of shared/feature/ names helper.ts, which does not exist');
    await expect(thrown).rejects.toThrow('the description of docs/ names guide.md, which does not exist');
  });
});
