/**
 * requestsCollector: every 30 seconds (REQUESTS_SCHEDULE), new PIM requests and changes of
 * their status become events on `pim-events`, with reminders and expiry for requests left
 * waiting. Thin: call the use case, log counts. A failure throws: nothing recorded is queued
 * again, and the next run reads the same requests.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { app, logOf, onFirstCall } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/requestsCollector.js'));

export async function requestsCollector(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ runRequestsCollector }, services] = await load();
  if (timer.isPastDue) context.warn('requestsCollector is running late');
  const outcome = await runRequestsCollector({ ...services, escalation: services }, logOf(context));
  switch (outcome.kind) {
    case 'idle':
      context.log(`requestsCollector: idle, ${outcome.reason}`);
      return;
    case 'done':
      context.log(
        `requests since ${outcome.since}: ${outcome.read} read, ${outcome.queued} queued (${outcome.reminders} reminders), ${outcome.escalated} escalated, ${outcome.alreadyQueued} already queued, ${outcome.groups} of them PIM for Groups requests, ${outcome.invalid} invalid`,
      );
      return;
  }
}

app.timer('requestsCollector', {
  schedule: '%REQUESTS_SCHEDULE%',
  handler: requestsCollector,
});
