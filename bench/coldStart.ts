/**
 * Cold start: a fresh `node` importing the app's entry files (dist/functions/*.js), against a
 * fresh `node` importing @azure/functions alone (the floor every Functions app pays). Each
 * child times its own imports; the median of several runs of each, alternated, is reported.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { median } from './stats.js';

const run = promisify(execFile);

export interface ColdStartResult {
  importMs: number;
  baselineMs: number;
  overBaselineMs: number;
  runs: number;
  entryFiles: string[];
  importMsAll: number[];
  baselineMsAll: number[];
}

async function timeImports(specifiers: string[]): Promise<number> {
  const script = [
    'const t0 = performance.now();',
    ...specifiers.map((s) => `await import(${JSON.stringify(s)});`),
    'console.log(JSON.stringify({ ms: performance.now() - t0 }));',
    'process.exit(0);',
  ].join('\n');
  // Run from the package root, as the Functions host does, so bare specifiers resolve from node_modules.
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: fromPackageRoot('.'), maxBuffer: 1 << 20 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number }).ms;
}

export async function runColdStartBench(options: { runs: number }): Promise<ColdStartResult> {
  const dir = fromPackageRoot('dist/functions');
  const entryFiles = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  const entries = entryFiles.map((f) => pathToFileURL(path.join(dir, f)).href);
  const app: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    base.push(await timeImports(['@azure/functions']));
    app.push(await timeImports(entries));
  }
  const r1 = (n: number) => Number(n.toFixed(1));
  return {
    importMs: r1(median(app)),
    baselineMs: r1(median(base)),
    overBaselineMs: r1(median(app) - median(base)),
    runs: options.runs,
    entryFiles: entryFiles.map((f) => `dist/functions/${f}`),
    importMsAll: app.map(r1),
    baselineMsAll: base.map(r1),
  };
}
