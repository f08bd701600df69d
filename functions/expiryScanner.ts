/**
 * expiryScanner: daily (EXPIRY_SCHEDULE), assignments nearing or past their end become
 * roleExpiringSoon / roleEligibleToExtend / roleExpired events on `pim-events`, each once.
 * Thin: call the use case, log counts. A failure throws so the retry policy runs it again;
 * what was already emitted is recorded and not emitted twice.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { app, logOf, onFirstCall } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/expiryScanner.js'));

export async function expiryScanner(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ runExpiryScan }, services] = await load();
  if (timer.isPastDue) context.warn('expiryScanner is running late');
  const outcome = await runExpiryScan(services, logOf(context));
  switch (outcome.kind) {
    case 'blocked':
      context.log('expiry scan: skipped, a Graph permission is missing (logged as an error at its first occurrence)');
      return;
    case 'done': {
      const e = outcome.emitted;
      context.log(
        `expiry scan: ${outcome.assignments} assignments, emitted 14d ${e.expiring14d}, 1d ${e.expiring1d}, expired ${e.expired}; ${outcome.alreadyEmitted} already emitted, ${outcome.dropped} dropped${outcome.unreadableScopes ? `; ${outcome.unreadableScopes} scope(s) unreadable for a missing permission` : ''}`,
      );
      return;
    }
  }
}

app.timer('expiryScanner', {
  schedule: '%EXPIRY_SCHEDULE%',
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 3, minimumInterval: { minutes: 1 }, maximumInterval: { minutes: 15 } },
  handler: expiryScanner,
});
