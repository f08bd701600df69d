/**
 * weeklyDigest: each Monday (DIGEST_SCHEDULE, default 08:00 UTC) the digest of the ISO week
 * that just ended goes to the tenant's PIM admins. Thin: call the use case, log its counts.
 * A failure throws so the host's timer retry policy tries again; the delivery ledger makes
 * the retry send only to those who did not get it yet.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { app, logOf, onFirstCall } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/weeklyDigest.js'));

export async function weeklyDigest(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ sendLastWeeksDigest }, services] = await load();
  if (timer.isPastDue) context.warn('weeklyDigest is running late');
  const outcome = await sendLastWeeksDigest(services.clock.now(), { ...services, log: logOf(context) });
  context.log(
    `digest ${outcome.week}: ${outcome.sent} sent, ${outcome.alreadySent} already sent, ${outcome.failed} refused, of ${outcome.recipients}`,
  );
}

app.timer('weeklyDigest', {
  schedule: '%DIGEST_SCHEDULE%',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 5, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 15 } },
  handler: weeklyDigest,
});
