/**
 * The benchmark's command line (bench/run.ts documents the flags): the sizes of a full and a
 * --quick run, and the flags that override them.
 */
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fromPackageRoot } from '../shared/packageRoot.js';
import type { DigestLoad } from './digestBench.js';

export interface BenchOptions {
  quick: boolean;
  graphLatencyMs: number;
  acsLatencyMs: number;
  users: number;
  roleHolders: number;
  events: number;
  digestRows: number;
  digestSmallRows: number;
  digestRepeats: number;
  digestLoad: DigestLoad;
  coldStartRuns: number;
  /** Events of the delivery part's sequential (today's) mode: seconds per email, so a sample. */
  sequentialEvents: number;
  renderMs: number;
  /** The requests part: how many requests, made over how many seconds, the collector every N seconds. */
  requests: number;
  requestsSpreadSeconds: number;
  requestsScheduleSeconds: number;
  out: string;
  /** The parts to run (all by default). */
  only: BenchPart[];
}

export const BENCH_PARTS = ['notify', 'delivery', 'digest', 'coldStart', 'render', 'requests'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = quick
    ? {
        quick,
        graphLatencyMs: 30,
        acsLatencyMs: 50,
        users: 200,
        roleHolders: 40,
        events: 50,
        digestRows: 2_000,
        digestSmallRows: 200,
        digestRepeats: 1,
        digestLoad: 'seed',
        coldStartRuns: 3,
        sequentialEvents: 3,
        renderMs: 300,
        requests: 20,
        requestsSpreadSeconds: 4,
        requestsScheduleSeconds: 5,
        out: fromPackageRoot('bench/results.json'),
        only: [...BENCH_PARTS],
      }
    : {
        quick,
        graphLatencyMs: 30,
        acsLatencyMs: 50,
        users: 10_000,
        roleHolders: 300,
        events: 1_000,
        digestRows: 100_000,
        digestSmallRows: 10_000,
        digestRepeats: 3,
        digestLoad: 'seed',
        coldStartRuns: 7,
        sequentialEvents: 32,
        renderMs: 2_000,
        requests: 240,
        requestsSpreadSeconds: 300,
        requestsScheduleSeconds: 30,
        out: fromPackageRoot('bench/results.json'),
        only: [...BENCH_PARTS],
      };
  const numeric: Record<string, keyof BenchOptions> = {
    '--graph-latency': 'graphLatencyMs',
    '--acs-latency': 'acsLatencyMs',
    '--users': 'users',
    '--role-holders': 'roleHolders',
    '--events': 'events',
    '--digest-rows': 'digestRows',
    '--digest-small-rows': 'digestSmallRows',
    '--digest-repeats': 'digestRepeats',
    '--cold-start-runs': 'coldStartRuns',
    '--sequential-events': 'sequentialEvents',
    '--requests': 'requests',
  };
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') continue;
    const value = argv[i + 1];
    if (arg === '--out' && value) {
      options.out = path.resolve(value);
      outGiven = true;
      i++;
      continue;
    }
    if (arg === '--digest-load' && (value === 'seed' || value === 'api')) {
      options.digestLoad = value;
      i++;
      continue;
    }
    if (arg === '--only' && value) {
      const parts = value.split(',').map((p) => BENCH_PARTS.find((b) => b.toLowerCase() === p.trim().toLowerCase()));
      if (parts.some((p) => p === undefined))
        throw new Error(`bench: --only takes ${BENCH_PARTS.join('|')} (comma-separated), not "${value}"`);
      options.only = BENCH_PARTS.filter((b) => parts.includes(b));
      i++;
      continue;
    }
    const key = numeric[arg];
    const n = Number(value);
    if (!key || value === undefined || !Number.isInteger(n) || n < 0) {
      throw new Error(`bench: unknown or invalid argument "${arg}${value === undefined ? '' : ` ${value}`}"; see the top of bench/run.ts`);
    }
    (options as unknown as Record<string, number>)[key] = n;
    i++;
  }
  if (options.only.length < BENCH_PARTS.length && !outGiven) {
    options.out = path.join(tmpdir(), `pim-notify-bench-${options.only.join('-')}.json`);
  }
  return options;
}
