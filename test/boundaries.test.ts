/**
 * The import boundaries (.dependency-cruiser.cjs, run by `npm run lint`) fail on deliberate
 * violations and pass on the real tree. The checker runs as lint runs it: its own CLI, the
 * project's config, JSON output read back.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../shared/packageRoot.js';

const run = promisify(execFile);
const root = packageRoot();
const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
  cycle?: unknown[];
}

/** Runs the checker in `cwd` on `folders`; it exits non-zero on violations, so the report is read either way. */
async function cruise(cwd: string, folders: string[]): Promise<Violation[]> {
  const args = [cli, '--config', config, '--output-type', 'json', ...folders];
  const stdout = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => r.stdout,
    (e: { stdout?: string; code?: number }) => {
      if (!e.stdout) throw e;
      return e.stdout;
    },
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

describe('import boundaries', () => {
  it('fail on each deliberate violation in test/fixtures/boundaries', async () => {
    const violations = await cruise(path.join(root, 'test/fixtures/boundaries'), ['functions', 'shared', 'dev']);
    // A cycle is one finding whichever of its files the checker starts from.
    const name = (v: Violation): string =>
      v.rule.name === 'no-circular' ? 'no-circular: shared/cycleA.ts ↔ shared/cycleB.ts' : `${v.rule.name}: ${v.from}`;
    const found = [...new Set(violations.map(name))].sort();
    expect(found).toEqual([
      'functions-import-composition-and-usecases: functions/importsAdapter.ts',
      'no-circular: shared/cycleA.ts ↔ shared/cycleB.ts',
      'pure-imports-no-adapter: shared/events/importsAdapter.ts',
      'pure-imports-no-package: shared/rules/importsSdk.ts',
      'shared-imports-no-function: shared/importsFunction.ts',
      'shipped-imports-no-development: shared/importsDev.ts',
      'usecases-import-no-adapter: shared/usecases/importsAdapter.ts',
    ]);
    expect(violations.every((v) => v.rule.severity === 'error')).toBe(true);
    expect(violations.filter((v) => v.rule.name === 'no-circular').every((v) => /cycle[AB]\.ts$/.test(v.from))).toBe(true);
    // The allowed imports beside them (a port, zod, a use case, @azure/functions types) pass.
    expect(violations.filter((v) => /importsPort|importsZod|importsUseCase/.test(v.from))).toEqual([]);
  });

  it('pass on the real tree', async () => {
    const violations = await cruise(root, ['functions', 'shared', 'dev', 'bin', 'bench', 'scripts', 'test']);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });
});
