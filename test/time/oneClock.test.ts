/**
 * "One clock for the app": the lint rule that refuses the system clock in shipped code
 * (eslint.config.js oneClock), shown failing on each way of reading it and passing on what is
 * allowed; `npm run lint` applies it to the tree.
 */
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The lint config is plain JavaScript (no types): its oneClock block, as ESLint reads it.
const CONFIG = '../../eslint.config.js';
const { oneClock } = (await import(CONFIG)) as { oneClock: { files: string[]; ignores: string[]; rules: Linter.RulesRecord } };

function problems(code: string): string[] {
  const linter = new Linter({ configType: 'flat' });
  const config = [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser }, rules: oneClock.rules }];
  return linter.verify(code, config as Linter.Config[], { filename: 'shared/usecases/example.ts' }).map((m) => m.message);
}

describe('one clock', () => {
  it.each([
    ['Date.now()', 'const t = Date.now();'],
    ['new Date()', 'const t = new Date().toISOString();'],
    ["luxon's DateTime.now()", 'const t = DateTime.now();'],
    ["luxon's DateTime.utc()", 'const t = DateTime.utc();'],
  ])('refuses %s in shipped code', (_name, code) => {
    expect(problems(code)).toEqual([expect.stringContaining('injected Clock')]);
  });

  it('allows dates made from a value, the Clock, and monotonic durations', () => {
    expect(
      problems(
        'const a = new Date(0); const b = new Date(Date.parse(x)); const c = clock.now(); const d = performance.now(); const e = DateTime.utc(2026, 1, 1);',
      ),
    ).toEqual([]);
  });

  it('applies to shared/ and functions/, and lets only the clock module read the system clock', () => {
    expect(oneClock.files).toEqual(['shared/**/*.ts', 'functions/**/*.ts']);
    expect(oneClock.ignores).toEqual(['shared/time/clock.ts']);
  });
});
