/**
 * expiryScanner: daily (EXPIRY_SCHEDULE), assignments nearing or past their end become
 * roleExpiringSoon / roleEligibleToExtend / roleExpired events on `pim-events`, each once.
 * Thin: build the adapters, call the use case, log counts. A failure throws so the retry
 * policy runs it again; what was already emitted is recorded and not emitted twice.
 */
// @azure/functions is a CommonJS bundle whose named exports Node's ESM loader cannot see:
// import the default and destructure (types are erased, so they import by name).
import azureFunctions, { type InvocationContext, type Timer } from '@azure/functions';

import { loadSettings } from '../shared/settings/settings.js';

// Invalid settings stop the app at start-up with a message naming them, not at the first event.
loadSettings();

// The use case and its SDKs load on the first invocation, not when the host indexes the
// functions: start-up stays close to @azure/functions alone, and a worker loads only the
// paths it runs (docs/performance.md, coldStart).
const load = () =>
  Promise.all([
    import('../shared/composition.js'),
    import('../shared/sources/compose.js'),
  ]);

const { app } = azureFunctions;

export async function expiryScanner(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ getServices }, { runExpiryScan }] = await load();
  if (timer.isPastDue) context.warn('expiryScanner is running late');
  const outcome = await runExpiryScan(await getServices(), (level, text) => context[level](text));
  const e = outcome.emitted;
  context.log(
    `expiry scan: ${outcome.assignments} assignments, emitted 14d ${e.expiring14d}, extend ${e.eligibleToExtend}, 1d ${e.expiring1d}, expired ${e.expired}; ${outcome.alreadyEmitted} already emitted, ${outcome.dropped} dropped`,
  );
}

app.timer('expiryScanner', {
  schedule: '%EXPIRY_SCHEDULE%',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 15 } },
  handler: expiryScanner,
});
