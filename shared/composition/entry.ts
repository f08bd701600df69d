/**
 * What every function entry file (functions/) shares, written once:
 * - `app` / `output` of @azure/functions. It is a CommonJS bundle whose named exports Node's
 *   ESM loader cannot see, so it is imported by default and destructured here.
 * - settings validated when the host indexes the functions, so invalid ones stop the app at
 *   start-up with a message naming them, not at the first event;
 * - the use case and the services loaded on the first invocation, not at indexing: start-up
 *   stays close to @azure/functions alone (docs/performance.md, cold start), and a worker
 *   loads only the paths it runs;
 * - the queue names, and the function's log as the use cases' Log;
 * - OpenTelemetry to Application Insights, loaded only when APPLICATIONINSIGHTS_CONNECTION_STRING
 *   is set (telemetry/telemetry.ts).
 */
import azureFunctions, { type InvocationContext, type StorageQueueOutput } from '@azure/functions';
import type { Log } from '../log.js';
import { loadSettings } from '../settings/settings.js';
import type { Services } from './services.js';

export { EVENTS_QUEUE, POISON_QUEUE } from '../queues/queueNames.js';
export { DELIVERY_REPORTS_QUEUE, DELIVERY_REPORTS_POISON_QUEUE } from '../queues/queueNames.js';

export const { app, output } = azureFunctions;

const settings = loadSettings();

// Telemetry only where it goes somewhere: without the setting nothing of it is even loaded.
if (process.env['APPLICATIONINSIGHTS_CONNECTION_STRING']) {
  const [{ startTelemetry }, { azureCredential }] = await Promise.all([import('../telemetry/telemetry.js'), import('./credential.js')]);
  await startTelemetry(
    app,
    process.env['APPLICATIONINSIGHTS_CONNECTION_STRING'],
    settings.AZURE_CLIENT_ID ? { credential: azureCredential(settings.AZURE_CLIENT_ID) } : {},
  );
}

/** `load()` imports the use case module once and builds the process's services on first use. */
export function onFirstCall<T>(useCase: () => Promise<T>): () => Promise<[T, Services]> {
  let module: Promise<T> | undefined;
  return async () => {
    module ??= useCase().catch((e: unknown) => {
      module = undefined;
      throw e;
    });
    const [{ getServices }, loaded] = await Promise.all([import('./services.js'), module]);
    return [loaded, await getServices()];
  };
}

/** The invocation's log, as the use cases take it. */
export function logOf(context: InvocationContext): Log {
  return (level, message) => context[level](message);
}

/**
 * A message the use case refused goes to its poison queue with the reason: the record
 * (reason and original text) when it fits a queue message, else the message as it came.
 */
export function moveToPoison(
  context: InvocationContext,
  poison: { output: StorageQueueOutput; queueName: string },
  entry: { value: unknown; annotated: boolean },
  reason: string,
): void {
  context.warn(
    `message ${String(context.triggerMetadata?.id ?? '?')}: ${reason}; ${entry.annotated ? 'moved to' : 'too large to annotate, moved as is to'} ${poison.queueName}`,
  );
  context.extraOutputs.set(poison.output, entry.value);
}
