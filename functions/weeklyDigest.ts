/**
 * weeklyDigest: each Monday (DIGEST_SCHEDULE, default 08:00 UTC) the digest of the ISO week
 * that just ended goes to the tenant's PIM admins. Thin: pick the week, call the use case.
 * A failure throws so the host's timer retry policy tries again; the delivery ledger makes
 * the retry send only to those who did not get it yet.
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
    import('../shared/time/isoWeek.js'),
    import('../shared/usecases/weeklyDigest.js'),
  ]);

const { app } = azureFunctions;

export async function weeklyDigest(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ getServices }, { isoWeekOf, previousWeek }, { sendWeeklyDigest }] = await load();
  const services = await getServices();
  const week = previousWeek(isoWeekOf(new Date()));
  if (timer.isPastDue) context.warn(`weeklyDigest is running late for ${week.id}`);
  const outcome = await sendWeeklyDigest(week, { ...services, log: (level, text) => context[level](text) });
  context.log(`digest ${outcome.week}: ${outcome.sent} sent, ${outcome.alreadySent} already sent, ${outcome.failed} refused, of ${outcome.recipients}`);
}

app.timer('weeklyDigest', {
  schedule: '%DIGEST_SCHEDULE%',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 5, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 15 } },
  handler: weeklyDigest,
});
