// Flat config: typescript-eslint's recommended rules on every TypeScript file, plus the
// type-aware rules for async code (a promise nobody awaits loses its error; an async callback
// where a void one is expected runs unobserved). Import boundaries: .dependency-cruiser.cjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One clock: shipped code asks the Clock it was given (shared/time/clock.ts) what time it is, so
 * tests pin time and the same input answers the same on any day. Durations use performance.now().
 */
export const oneClock = {
  files: ['shared/**/*.ts', 'functions/**/*.ts'],
  ignores: ['shared/time/clock.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
        message: 'Read the time from the injected Clock (shared/time/clock.ts), or performance.now() for a duration.',
      },
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: 'Read the time from the injected Clock (shared/time/clock.ts).',
      },
      {
        selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|utc|local)$/][arguments.length=0]",
        message: 'Read the time from the injected Clock (shared/time/clock.ts).',
      },
    ],
  },
};

/**
 * No source file over 400 lines (house rule), counting every line, blank and comment too: past
 * that, split the file by concern. Tests included.
 */
export const maxLines = {
  files: ['{shared,functions,dev,bin,scripts,bench,test}/**/*.{ts,mjs,cjs,js}'],
  rules: {
    'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'outbox/**', 'coverage/**', '.azurite/**', 'bench/results/**', '.deploy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  oneClock,
  maxLines,
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['bin/*.js', 'scripts/*.mjs', '.ci/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
