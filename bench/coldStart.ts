/**
 * Cold start: a fresh `node` importing the app's entry files (dist/functions/*.js), against a
 * fresh `node` importing @azure/functions alone (the floor every Functions app pays), and the
 * entry files again with APPLICATIONINSIGHTS_CONNECTION_STRING set, as in Azure, where they
 * also load and start telemetry (nothing is exported before the child exits). Each child
 * times its own imports; the median of several runs of each, alternated, is reported.
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
  /** The same imports with telemetry on (APPLICATIONINSIGHTS_CONNECTION_STRING set). */
  importMsWithTelemetry: number;
  baselineMs: number;
  overBaselineMs: number;
  runs: number;
  entryFiles: string[];
  importMsAll: number[];
  baselineMsAll: number[];
}

/** A connection string as Azure sets it; its ingestion endpoint never receives anything here. */
const TELEMETRY_ENV = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
};

async function timeImports(specifiers: string[], env: Record<string, string> = {}): Promise<number> {
  const script = [
    'const t0 = performance.now();',
    ...specifiers.map((s) => `await import(${JSON.stringify(s)});`),
    'console.log(JSON.stringify({ ms: performance.now() - t0 }));',
    'process.exit(0);',
  ].join('\n');
  // Run from the package root, as the Functions host does, so bare specifiers resolve from node_modules.
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fromPackageRoot('.'),
    maxBuffer: 1 << 20,
    env: { ...withoutTelemetry(process.env), ...env },
  });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number }).ms;
}

function withoutTelemetry(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { APPLICATIONINSIGHTS_CONNECTION_STRING: _ignored, ...rest } = env;
  return rest;
}

export async function runColdStartBench(options: { runs: number }): Promise<ColdStartResult> {
  const dir = fromPackageRoot('dist/functions');
  const entryFiles = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort();
  const entries = entryFiles.map((f) => pathToFileURL(path.join(dir, f)).href);
  const app: number[] = [];
  const base: number[] = [];
  const traced: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    base.push(await timeImports(['@azure/functions']));
    app.push(await timeImports(entries));
    traced.push(await timeImports(entries, TELEMETRY_ENV));
  }
  const r1 = (n: number) => Number(n.toFixed(1));
  return {
    importMs: r1(median(app)),
    importMsWithTelemetry: r1(median(traced)),
    baselineMs: r1(median(base)),
    overBaselineMs: r1(median(app) - median(base)),
    runs: options.runs,
    entryFiles: entryFiles.map((f) => `dist/functions/${f}`),
    importMsAll: app.map(r1),
    baselineMsAll: base.map(r1),
  };
}
