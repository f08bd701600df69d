/**
 * Binding expressions as the host resolves them at start-up: `%NAME%` is replaced by the app
 * setting NAME, and a connection names the setting that holds a connection string
 * (AzureWebJobsStorage when absent). Anything unresolvable stops start-up, naming the
 * function and the setting, as the host does.
 */
import type { RegisteredFunction } from './functionApp.js';
import { parseSchedule, type Schedule } from './schedule.js';

export type Env = Record<string, string | undefined>;

export const DEFAULT_CONNECTION = 'AzureWebJobsStorage';

export interface ResolvedOutput {
  name: string;
  queueName: string;
  connectionString: string;
}

export interface ResolvedFunction {
  fn: RegisteredFunction;
  queueName?: string;
  connectionString?: string;
  schedule?: Schedule;
  outputs: ResolvedOutput[];
}

export function resolveSettings(text: string, env: Env, functionName: string, property: string): string {
  return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new Error(`function "${functionName}": ${property} "${text}" refers to app setting "${name}", which is not set`);
    }
    return value;
  });
}

function validQueueName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$/.test(name);
}

function resolveQueueName(text: string, env: Env, functionName: string, property: string): string {
  const name = resolveSettings(text, env, functionName, property);
  if (!validQueueName(name)) {
    throw new Error(
      `function "${functionName}": ${property} "${name}" is not a valid queue name (3-63 lower-case letters, digits and single dashes)`,
    );
  }
  return name;
}

/** `storageConnectionString` stands in for AzureWebJobsStorage; other names come from env. */
function resolveConnection(text: string | undefined, env: Env, functionName: string, storage: string): string {
  const name = resolveSettings(text ?? DEFAULT_CONNECTION, env, functionName, 'connection');
  if (name === DEFAULT_CONNECTION) return storage;
  const value = env[name];
  if (!value) {
    throw new Error(
      `function "${functionName}": connection "${name}" names an app setting that is not set (identity-based connections are not supported locally)`,
    );
  }
  return value;
}

export function resolveFunction(fn: RegisteredFunction, env: Env, storageConnectionString: string): ResolvedFunction {
  const resolved: ResolvedFunction = { fn, outputs: [] };
  if (fn.triggerType.toLowerCase() === 'queuetrigger') {
    if (!fn.queueName) throw new Error(`function "${fn.name}": queue trigger without queueName`);
    resolved.queueName = resolveQueueName(fn.queueName, env, fn.name, 'queueName');
    resolved.connectionString = resolveConnection(fn.connection, env, fn.name, storageConnectionString);
  }
  if (fn.triggerType.toLowerCase() === 'timertrigger') {
    if (!fn.schedule) throw new Error(`function "${fn.name}": timer trigger without schedule`);
    const schedule = resolveSettings(fn.schedule, env, fn.name, 'schedule');
    try {
      resolved.schedule = parseSchedule(schedule);
    } catch (error) {
      throw new Error(`function "${fn.name}": ${(error as Error).message}`, { cause: error });
    }
  }
  for (const output of fn.queueOutputs) {
    resolved.outputs.push({
      name: output.name,
      queueName: resolveQueueName(output.queueName, env, fn.name, `output "${output.name}" queueName`),
      connectionString: resolveConnection(output.connection, env, fn.name, storageConnectionString),
    });
  }
  return resolved;
}
