/**
 * The formatter is part of `npm run lint`: Prettier checks every code file of the tree with the
 * project's settings, so an unformatted file fails lint. Shown with Prettier's own API on the
 * same configuration and ignore file the lint command reads.
 */
import { readFile } from 'node:fs/promises';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { fromPackageRoot } from '../../shared/packageRoot.js';

const lintScript = async () =>
  (JSON.parse(await readFile(fromPackageRoot('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['lint']!;

async function formatted(relative: string, source: string): Promise<boolean> {
  const filepath = fromPackageRoot(relative);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.check(source, { ...options, filepath });
}

describe('formatting in npm run lint', () => {
  it('runs Prettier over the whole tree', async () => {
    expect(await lintScript()).toMatch(/(^|&& )prettier --check \.( |$)/);
  });

  it('fails an unformatted file and passes it once formatted, with the project settings', async () => {
    const messy = 'export function f( a:number,b :number){return a+b}\nconst s = "double";\n';
    expect(await formatted('shared/example.ts', messy)).toBe(false);
    const options = {
      ...((await prettier.resolveConfig(fromPackageRoot('shared/example.ts'))) ?? {}),
      filepath: fromPackageRoot('shared/example.ts'),
    };
    const clean = await prettier.format(messy, options);
    expect(clean).toContain("const s = 'double';");
    expect(await formatted('shared/example.ts', clean)).toBe(true);
  });

  it('leaves no code folder out: shipped code, tests, tools and their configs are all checked', async () => {
    const ignorePath = fromPackageRoot('.prettierignore');
    for (const file of [
      'shared/usecases/notify.ts',
      'functions/notify.ts',
      'dev/host/localHost.ts',
      'bin/cli.ts',
      'bench/run.ts',
      'scripts/docs.ts',
      'test/support/clock.ts',
      'eslint.config.js',
      '.dependency-cruiser.cjs',
    ]) {
      const info = await prettier.getFileInfo(fromPackageRoot(file), { ignorePath });
      expect(info.ignored, file).toBe(false);
      expect(info.inferredParser, file).not.toBeNull();
    }
  });

  it('the checked-in code is formatted (what lint checks, on a sample of the tree)', async () => {
    for (const file of ['shared/delivery/deliver.ts', 'shared/usecases/notify.ts', 'functions/notify.ts']) {
      expect(await formatted(file, await readFile(fromPackageRoot(file), 'utf8')), file).toBe(true);
    }
  });
});
