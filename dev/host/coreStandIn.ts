/**
 * A stand-in for `@azure/functions-core`, the module the real Functions worker provides.
 * `@azure/functions` requires it lazily on the first `app.*` registration and hands it the
 * real binding metadata; recording those calls lets the local runner run exactly what the
 * host would register, without the app knowing anything about it.
 *
 * The registry lives on `globalThis` (under a `Symbol.for` key) because this file may be
 * evaluated more than once per process (vitest module graphs, bin + tests), while the CJS
 * `@azure/functions` is loaded once and keeps the core object it got first.
 */
import Module, { createRequire } from 'node:module';

export interface CoreBinding {
  type: string;
  direction: 'in' | 'out';
  name?: string;
  queueName?: string;
  connection?: string;
  schedule?: string;
  runOnStartup?: boolean;
  useMonitor?: boolean;
  [key: string]: unknown;
}

export interface CoreRetryOptions {
  retryStrategy: 'fixedDelay' | 'exponentialBackoff';
  maxRetryCount: number;
  /** `@azure/functions` turns durations into whole seconds before the host sees them. */
  delayInterval?: { seconds: number };
  minimumInterval?: { seconds: number };
  maximumInterval?: { seconds: number };
}

export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: CoreRetryOptions;
}

export type CoreHandler = (...args: unknown[]) => unknown;

export interface CoreRegistration {
  metadata: CoreFunctionMetadata;
  handler: CoreHandler;
}

interface CoreRegistry {
  functions: CoreRegistration[];
  hookTypes: string[];
  installed: boolean;
  /** Where `@azure/functions` system logs go; the running local host points this at its log. */
  systemLog: (level: string, message: string) => void;
}

const REGISTRY_KEY = Symbol.for('pim-notify.host.functionsCore');
const CORE_REQUEST = '@azure/functions-core';
/** Not a real file: only a key in the CJS module cache, so `require` returns the stand-in. */
const STAND_IN_ID = '@azure/functions-core (pim-notify local runner stand-in)';

export function coreRegistry(): CoreRegistry {
  const holder = globalThis as unknown as Record<symbol, CoreRegistry | undefined>;
  let registry = holder[REGISTRY_KEY];
  if (!registry) {
    registry = {
      functions: [],
      hookTypes: [],
      installed: false,
      systemLog: (level, message) => {
        if (level === 'warning' || level === 'error' || level === 'critical') console.error(`[functions ${level}] ${message}`);
      },
    };
    holder[REGISTRY_KEY] = registry;
  }
  return registry;
}

function registerFunction(metadata: CoreFunctionMetadata, handler: CoreHandler): { dispose(): void } {
  const registry = coreRegistry();
  const index = registry.functions.findIndex((r) => r.metadata.name === metadata.name);
  if (index >= 0) {
    const previous = registry.functions[index]!;
    // The same module evaluated again (e.g. a fresh vitest module graph) registers identical
    // metadata: keep the newest handler. A different function under the same name is the
    // app bug the host rejects too.
    if (JSON.stringify(previous.metadata) !== JSON.stringify(metadata)) {
      throw new Error(`A function named "${metadata.name}" is already registered with different bindings.`);
    }
    registry.functions[index] = { metadata, handler };
  } else {
    registry.functions.push({ metadata, handler });
  }
  return { dispose: () => void 0 };
}

function createCoreApi(): object {
  return {
    version: 'pim-notify-local',
    hostVersion: 'pim-notify-local',
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerFunction,
    registerHook: (hookType: string) => {
      coreRegistry().hookTypes.push(hookType);
      return { dispose: () => void 0 };
    },
    log: (level: string, _category: string, message: string) => coreRegistry().systemLog(level, message),
  };
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: ResolveFilename;
  _cache: Record<string, unknown>;
}

/**
 * Makes `require('@azure/functions-core')` return the stand-in. Idempotent. Must run before
 * the app's first `app.*` call: `@azure/functions` caches a failed lookup for good.
 */
export function installCoreStandIn(): void {
  const registry = coreRegistry();
  if (registry.installed) return;
  const require = createRequire(import.meta.url);
  let realCore: unknown;
  try {
    realCore = require(CORE_REQUEST);
  } catch {
    realCore = undefined;
  }
  if (realCore !== undefined) {
    // Inside the real worker the core module exists; shadowing it would break the app.
    throw new Error(
      '@azure/functions-core is already provided (running inside the Functions host?): the local runner must not replace it.',
    );
  }
  const internals = Module as unknown as ModuleInternals;
  const cached = new Module(STAND_IN_ID);
  cached.filename = STAND_IN_ID;
  cached.loaded = true;
  cached.exports = createCoreApi();
  internals._cache[STAND_IN_ID] = cached;
  const original = internals._resolveFilename;
  internals._resolveFilename = function resolveWithStandIn(this: unknown, request, parent, isMain, options) {
    if (request === CORE_REQUEST) return STAND_IN_ID;
    return original.call(this, request, parent, isMain, options);
  };
  registry.installed = true;
}
