/**
 * Loads the function app the way the worker does (imports its entry modules) and turns the
 * registrations captured by the core stand-in into plain descriptions the runner and the
 * CLI use. Values stay as the app wrote them (`%SETTING%` unresolved), as the host sees them.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { coreRegistry, installCoreStandIn, type CoreBinding, type CoreHandler, type CoreRegistration } from './coreStandIn.js';

export interface QueueOutputBinding {
  /** Binding name (`$return` for the handler's return value). */
  name: string;
  queueName: string;
  connection?: string;
}

export interface RetryPolicy {
  strategy: 'fixedDelay' | 'exponentialBackoff';
  /** -1 retries for ever. */
  maxRetryCount: number;
  delayMs?: number;
  minimumIntervalMs?: number;
  maximumIntervalMs?: number;
}

export interface RegisteredFunction {
  name: string;
  /** The `app.*` name: storageQueue, timer, http, ... */
  trigger: string;
  /** The binding type the host sees: queueTrigger, timerTrigger, ... */
  triggerType: string;
  queueName?: string;
  schedule?: string;
  connection?: string;
  runOnStartup?: boolean;
  queueOutputs: QueueOutputBinding[];
  retry?: RetryPolicy;
  /** All bindings as registered, keyed by binding name. */
  bindings: Record<string, CoreBinding>;
  handler: CoreHandler;
}

export interface FunctionDescription {
  name: string;
  trigger: string;
  queueName?: string;
  schedule?: string;
  connection?: string;
}

/** Binding types whose `app.*` name is not simply the type without "Trigger". */
const TRIGGER_NAMES: Record<string, string> = {
  queuetrigger: 'storageQueue',
  blobtrigger: 'storageBlob',
  servicebustrigger: 'serviceBus',
};

function triggerName(type: string): string {
  return TRIGGER_NAMES[type.toLowerCase()] ?? type.replace(/Trigger$/i, '');
}

const seconds = (d: { seconds: number } | undefined): number | undefined => (d ? d.seconds * 1000 : undefined);

function toRegisteredFunction({ metadata, handler }: CoreRegistration): RegisteredFunction {
  const trigger = Object.values(metadata.bindings).find((b) => b.direction === 'in' && /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`function "${metadata.name}" has no trigger binding`);
  const fn: RegisteredFunction = {
    name: metadata.name,
    trigger: triggerName(trigger.type),
    triggerType: trigger.type,
    queueOutputs: [],
    bindings: metadata.bindings,
    handler,
  };
  if (typeof trigger.queueName === 'string') fn.queueName = trigger.queueName;
  if (typeof trigger.schedule === 'string') fn.schedule = trigger.schedule;
  if (typeof trigger.connection === 'string') fn.connection = trigger.connection;
  if (typeof trigger.runOnStartup === 'boolean') fn.runOnStartup = trigger.runOnStartup;
  for (const [name, binding] of Object.entries(metadata.bindings)) {
    if (binding.direction !== 'out' || binding.type.toLowerCase() !== 'queue' || typeof binding.queueName !== 'string') continue;
    const output: QueueOutputBinding = { name, queueName: binding.queueName };
    if (typeof binding.connection === 'string') output.connection = binding.connection;
    fn.queueOutputs.push(output);
  }
  const retry = metadata.retryOptions;
  if (retry) {
    fn.retry = { strategy: retry.retryStrategy, maxRetryCount: retry.maxRetryCount };
    const delay = seconds(retry.delayInterval);
    const min = seconds(retry.minimumInterval);
    const max = seconds(retry.maximumInterval);
    if (delay !== undefined) fn.retry.delayMs = delay;
    if (min !== undefined) fn.retry.minimumIntervalMs = min;
    if (max !== undefined) fn.retry.maximumIntervalMs = max;
  }
  return fn;
}

/** Every function registered in this process so far, in registration order. */
export function registeredFunctions(): RegisteredFunction[] {
  return coreRegistry().functions.map(toRegisteredFunction);
}

/**
 * Imports the app's entry modules (file paths) with the core stand-in in place and returns
 * what they registered. Registration is process-wide, as in the worker: a second call (the
 * modules are cached and do not run again) returns the same functions, plus any new ones.
 */
export async function loadFunctionApp(entryModules: string[]): Promise<RegisteredFunction[]> {
  installCoreStandIn();
  for (const entry of entryModules) {
    await import(pathToFileURL(path.resolve(entry)).href);
  }
  const functions = registeredFunctions();
  if (functions.length === 0) {
    throw new Error(
      `no functions registered by ${entryModules.join(', ')}: if an app module ran app.* before the local runner was loaded, ` +
        '@azure/functions is stuck in test mode; import dev/host/register.js before any app module',
    );
  }
  return functions;
}

/** The `pim-notify functions` line for each function (cli.md), values as written. */
export function describeFunctions(functions: RegisteredFunction[]): FunctionDescription[] {
  return functions.map((fn) => {
    const line: FunctionDescription = { name: fn.name, trigger: fn.trigger };
    if (fn.queueName !== undefined) line.queueName = fn.queueName;
    if (fn.schedule !== undefined) line.schedule = fn.schedule;
    if (fn.connection !== undefined) line.connection = fn.connection;
    return line;
  });
}
