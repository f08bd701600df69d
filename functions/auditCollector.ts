/**
 * auditCollector: every few minutes (AUDIT_SCHEDULE), new PIM records of the Entra audit log
 * become events on `pim-events`. Thin: call the use case, log counts.
 * A failure throws: the cursor has not moved, so the next run (five minutes later) reads the
 * same window again and queues only what is not queued yet.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { app, logOf, onFirstCall } from '../shared/composition/entry.js';

const load = onFirstCall(() => import('../shared/usecases/auditCollector.js'));

export async function auditCollector(timer: Timer, context: InvocationContext): Promise<void> {
  const [{ runAuditCollector }, services] = await load();
  if (timer.isPastDue) context.warn('auditCollector is running late');
  const outcome = await runAuditCollector(services, logOf(context));
  switch (outcome.kind) {
    case 'idle':
      context.log(`auditCollector: idle, ${outcome.reason}`);
      return;
    case 'blocked':
      context.log('auditCollector: skipped, a Graph permission is missing (logged as an error at its first occurrence)');
      return;
    case 'done': {
      const unknown = Object.values(outcome.unknown).reduce((a, b) => a + b, 0);
      context.log(
        `audit ${outcome.from}..${outcome.to}: ${outcome.read} read, ${outcome.queued} queued, ${outcome.alreadyQueued} already queued, ${outcome.ignored} ignored, ${unknown} unknown, ${outcome.unsupported} unsupported, ${outcome.invalid} invalid`,
      );
      return;
    }
  }
}

app.timer('auditCollector', {
  schedule: '%AUDIT_SCHEDULE%',
  handler: auditCollector,
});
