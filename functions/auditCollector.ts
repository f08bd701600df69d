/**
 * auditCollector: every few minutes (AUDIT_SCHEDULE), new PIM records of the Entra audit log
 * become events on `pim-events`. Thin: build the adapters, call the use case, log counts.
 * A failure throws: the cursor has not moved, so the next run (five minutes later) reads the
 * same window again and queues only what is not queued yet.
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

export async function auditCollector(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ getServices }, { runAuditCollector }] = await load();
  if (timer.isPastDue) context.warn('auditCollector is running late');
  const outcome = await runAuditCollector(await getServices(), (level, text) => context[level](text));
  if (outcome === 'idle') {
    context.log('auditCollector: idle, the audit log needs DIRECTORY_SOURCE=graph');
    return;
  }
  const unknown = Object.values(outcome.unknown).reduce((a, b) => a + b, 0);
  context.log(
    `audit ${outcome.from}..${outcome.to}: ${outcome.read} read, ${outcome.queued} queued, ${outcome.alreadyQueued} already queued, ${outcome.ignored} ignored, ${unknown} unknown, ${outcome.unsupported} unsupported, ${outcome.invalid} invalid`,
  );
}

app.timer('auditCollector', {
  schedule: '%AUDIT_SCHEDULE%',
  handler: auditCollector,
});
