/**
 * The last step of `npm run lint`: fails when README.md's Layout tables are not what
 * scripts/docs/layoutDoc.ts generates from the tree (a folder or file added, moved or removed
 * without `npm run docs`, or with no description). Only the Layout block: it depends on the tree
 * alone, so it is fast and needs no build; the other generated docs are test/scripts/docs.test.ts's.
 * Run compiled by tsconfig.checkDocs.json (package.json `lint`), apart from dist/.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../shared/packageRoot.js';
import { LAYOUT_BEGIN, LAYOUT_END, readmeWithLayout } from './docs/layoutDoc.js';

/** The Layout block of a README, markers excluded. */
function block(readme: string): string {
  return readme.slice(readme.indexOf(LAYOUT_BEGIN) + LAYOUT_BEGIN.length, readme.indexOf(LAYOUT_END));
}

/** The first differing line, so the message points at the row rather than saying "differs". */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `  README:    ${a[i] ?? '(nothing)'}\n  generated: ${e[i] ?? '(nothing)'}`;
  }
  return '';
}

async function main(): Promise<number> {
  const root = packageRoot();
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  let expected: string;
  try {
    expected = await readmeWithLayout(readme, root);
  } catch (error) {
    console.error(`checkDocs: ${(error as Error).message}`);
    return 1;
  }
  if (block(readme) === block(expected)) return 0;
  console.error(
    `checkDocs: README.md's Layout tables differ from the tree: run npm run docs\n${firstDifference(block(readme), block(expected))}`,
  );
  return 1;
}

process.exitCode = await main();
