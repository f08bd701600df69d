/**
 * heldBackSummary: every few minutes (HELD_BACK_SCHEDULE), each person whose informational
 * emails the rate limit held back in a window that has closed gets one summary email listing
 * them. Thin: call the use case, log its counts. A failure throws so the host's timer retry
 * policy tries again; the delivery ledger makes the retry send each summary once.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { app, logOf, onFirstCall } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/heldBackSummary.js'));

export async function heldBackSummary(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ sendHeldBackSummaries }, services] = await load();
  if (timer.isPastDue) context.warn('heldBackSummary is running late');
  const outcome = await sendHeldBackSummaries(services.clock.now(), { ...services, log: logOf(context) });
  if (outcome.windows === 0) return;
  context.log(
    `held-back summaries: ${outcome.sent} sent (${outcome.listed} emails listed), ${outcome.alreadySent} already sent, ${outcome.failed} refused, ${outcome.busy} busy, of ${outcome.windows} windows`,
  );
}

app.timer('heldBackSummary', {
  schedule: '%HELD_BACK_SCHEDULE%',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 5 } },
  handler: heldBackSummary,
});
