/**
 * The local Functions host: runs the registered queue and timer functions against real
 * storage with the host's semantics. Everything is resolved before anything starts, so a
 * missing setting fails start-up instead of a function later.
 */
import { coreRegistry } from './coreStandIn.js';
import type { RegisteredFunction } from './functionApp.js';
import { readHostJson, type HostJson } from './hostJson.js';
import { QueueListener } from './queueListener.js';
import { resolveFunction, type Env, type ResolvedFunction } from './resolve.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { HostRuntime, type HostStats } from './runtime.js';
import { TimerRunner } from './timerRunner.js';

export interface LocalHostOptions {
  functions: RegisteredFunction[];
  /** Used for AzureWebJobsStorage (the default connection). */
  storageConnectionString: string;
  /** App settings for `%SETTING%` and connection names; default process.env. */
  env?: Env;
  /** Default: the repository's host.json. */
  hostJson?: HostJson;
  /** One line per event; default stdout. */
  log?: (line: string) => void;
  /** Run schedules and runOnStartup (default true); runTimer works either way. */
  timers?: boolean;
  /**
   * How long a message stays invisible while its function runs, renewed at half-time (the
   * host's fixed 10 minutes by default). A message whose completion storage never heard of (an
   * outage) comes back after it: tests shorten it so that happens within the test.
   */
  messageLeaseMs?: number;
}

export interface LocalHost {
  /** Fires a timer function now (after any run in progress) and resolves when it is done; failures are logged and counted, not thrown. */
  runTimer(name: string): Promise<void>;
  /**
   * Resolves once nothing is in flight and every trigger queue is empty, messages awaiting a
   * retry included. Rejects after `timeoutMs` (default 30 s; `Infinity` waits as long as there
   * is work); `onProgress` hears the queue and in-flight counts every `progressMs`.
   */
  waitForIdle(options?: { timeoutMs?: number; onProgress?: (progress: IdleProgress) => void; progressMs?: number }): Promise<void>;
  stats(): HostStats;
  /** Stops polling and schedules, then waits for the invocations in flight. */
  stop(): Promise<void>;
}

export interface IdleProgress {
  /** Messages on the trigger queues, invisible ones (in flight or awaiting a retry) included. */
  queued: number;
  inFlight: number;
  stats: HostStats;
}

const IDLE_POLL_MS = 25;

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const env = options.env ?? process.env;
  const hostJson = options.hostJson ?? readHostJson();
  const log = options.log ?? ((line: string) => console.log(line));
  const runtime = new HostRuntime(hostJson.queues, log, options.messageLeaseMs);

  const resolved: ResolvedFunction[] = [];
  for (const fn of options.functions) {
    const trigger = fn.triggerType.toLowerCase();
    if (trigger !== 'queuetrigger' && trigger !== 'timertrigger') {
      log(`Function '${fn.name}' has a ${fn.trigger} trigger, which the local runner does not run; skipped`);
      continue;
    }
    resolved.push(resolveFunction(fn, env, options.storageConnectionString));
  }

  const registry = coreRegistry();
  if (registry.hookTypes.length > 0)
    log(`The app registered hooks (${registry.hookTypes.join(', ')}), which the local runner does not run`);
  const previousSystemLog = registry.systemLog;
  registry.systemLog = (level, message) => log(`[host ${level}] ${message}`);

  const listeners: QueueListener[] = [];
  const timers = new Map<string, TimerRunner>();
  for (const r of resolved) {
    if (r.queueName) {
      if (r.fn.retry)
        log(`Function '${r.fn.name}': retry policies do not apply to queue triggers (dequeueCount and the poison queue do); ignored`);
      listeners.push(new QueueListener(r, runtime));
    } else if (r.schedule) {
      timers.set(r.fn.name, new TimerRunner(r, runtime));
    }
  }
  await Promise.all(listeners.map((l) => l.start()));
  if (options.timers ?? true) for (const timer of timers.values()) timer.start();
  log(`Local host started: ${resolved.map((r) => r.fn.name).join(', ') || 'no functions'}`);

  let stopping: Promise<void> | undefined;
  return {
    runTimer(name) {
      if (stopping) return Promise.reject(new Error('the local host is stopped'));
      const timer = timers.get(name);
      if (!timer) return Promise.reject(new Error(`no timer function named "${name}" in this host`));
      return timer.run(new Date(), false);
    },

    async waitForIdle({ timeoutMs = 30_000, onProgress, progressMs = 5_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let counts: number[] = [];
      let reportAt = Date.now() + progressMs;
      const queueCounts = () => Promise.all(listeners.map(async (l) => (await l.client.getProperties()).approximateMessagesCount ?? 0));
      for (;;) {
        const activity = runtime.activity;
        if (runtime.inFlight === 0) {
          counts = await queueCounts();
          if (counts.every((c) => c === 0) && runtime.inFlight === 0 && runtime.activity === activity) return;
        }
        if (onProgress && Date.now() >= reportAt) {
          reportAt = Date.now() + progressMs;
          if (runtime.inFlight > 0) counts = await queueCounts();
          onProgress({ queued: counts.reduce((a, b) => a + b, 0), inFlight: runtime.inFlight, stats: { ...runtime.stats } });
        }
        if (Date.now() > deadline) {
          const queues = listeners.map((l, i) => `${l.client.name}=${counts[i] ?? '?'}`).join(', ');
          throw new Error(`local host not idle after ${timeoutMs} ms: ${runtime.inFlight} in flight; messages: ${queues}`);
        }
        await sleep(IDLE_POLL_MS);
      }
    },

    stats: () => ({ ...runtime.stats }),

    stop() {
      stopping ??= (async () => {
        await Promise.all([...listeners.map((l) => l.stop()), ...[...timers.values()].map((t) => t.stop())]);
        registry.systemLog = previousSystemLog;
        log('Local host stopped');
      })();
      return stopping;
    },
  };
}
