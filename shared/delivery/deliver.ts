/**
 * The one way the app delivers email: notifications, reminders, the weekly digest and the
 * held-back summary all come here. A delivery (an event, a digest's week, a held-back window)
 * goes as few transport messages as batching allows (batching.ts), concurrently, each done
 * once the transport has accepted it; delivery reports (deliveryReports.ts) say later what
 * became of each recipient. Exactly once rests on the ledger (deliveryLedger.ts):
 *
 *   claim (on the first delivery each message as a whole, members listed; otherwise row by
 *   row) → plan: name each row's message and index it → accept (bounded concurrency)
 *   → each message recorded accepted, once, in one write (messageRows.ts).
 *
 * A row taken over after a crash is never sent blind: its planned message is asked about
 * first (the transport's mayHaveBeenSent walk: Running or Succeeded is accepted, Failed goes
 * again under the next attempt id). A row a Failed report sent back goes alone, to its person.
 *
 * A shared message the transport refuses for its recipients (SharedMessageRefusedError: ACS would
 * not take everyone in Bcc) was not sent: its rows are planned again, one message per person
 * under each person's own id, and sent so; the transport remembers the refusal, so the rest of
 * the process goes per person from the start. The first such refusal is logged, once.
 *
 * ACS's quota: a 429 pauses every send of the app (transport/acs/pacer.ts); a pause longer
 * than the transport's budget stops the sending: what was accepted is recorded, what was not
 * started is handed back untouched, and QuotaExceededError tells the caller to try again when
 * ACS has room: waiting, never failing through to the poison queue.
 */
import { PermanentSendError, QuotaExceededError, SharedMessageRefusedError, type Transport } from '../transport/transport.js';
import { resendOperationId, type AcceptedMessage, type DeliveryLedger, type PlannedMessage } from './deliveryLedger.js';
import type { Log } from '../log.js';
import { messageFor, perPersonMessages, batchedMessages, type Deliverable, type MessagePlan } from './batching.js';

export type { Deliverable } from './batching.js';

export interface DeliverOptions {
  transport: Transport;
  ledger: DeliveryLedger;
  leaseMs: number;
  /** Messages in flight at once. */
  concurrency: number;
  /**
   * Every person their own message, To them, with their name (the digest, the held-back
   * summary, EMAIL_BATCHING=perPerson, a transport of one recipient per message); otherwise
   * identical emails go as one message, everyone in Bcc (batching.ts).
   */
  personal: boolean;
  /** The event as received: kept with each message for a resend after a Failed report. */
  eventText?: string;
  /** Ids and counts only: never addresses. */
  log: Log;
}

export interface DeliveryCounts {
  /** Emails accepted by this attempt. */
  sent: number;
  /** Emails an earlier attempt already delivered. */
  alreadySent: number;
  /** Emails the transport refused for good (recorded, never retried). */
  failed: number;
  /** Transport messages accepted by this attempt. */
  messages: number;
}

/** Another worker holds a fresh claim on some of these emails: retry later. */
export class DeliveryBusyError extends Error {
  override readonly name = 'DeliveryBusyError';
  constructor(
    message: string,
    /** When the longest of the busy leases runs out (after which the claims can be taken over). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface Job {
  plan: MessagePlan;
  mayHaveBeenSent: boolean;
}

export async function deliver(deliveryId: string, items: Deliverable[], options: DeliverOptions): Promise<DeliveryCounts> {
  const { transport, ledger } = options;
  const personal = options.personal || transport.maxRecipients <= 1;
  const toMessages = (list: Deliverable[]) =>
    personal ? perPersonMessages(list) : batchedMessages(deliveryId, list, transport.maxRecipients);
  const counts: DeliveryCounts = { sent: 0, alreadySent: 0, failed: 0, messages: 0 };
  const accepted: AcceptedMessage[] = [];
  const refused: { key: string; error: string }[] = [];
  const notStarted: Job[] = [];
  let stop: unknown;
  const eventText = options.eventText ? { eventText: options.eventText } : {};

  /** A refused shared message's people, each their own message: planned on their rows first, then sent. */
  const perPerson = async (job: Job, refusal: SharedMessageRefusedError) => {
    if (refusal.firstInProcess)
      options.log(
        'warn',
        `${deliveryId}: ${refusal.message}; nothing was sent, and from now on this process sends everyone their own message. ` +
          'To keep shared messages, set EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS (docs/deploy.md); to choose per-person sending, set EMAIL_BATCHING=perPerson',
      );
    // ACS took nothing: when the sending has stopped, the rows go back untouched for the retry.
    if (stop) {
      notStarted.push({ ...job, mayHaveBeenSent: false });
      return;
    }
    const plans = perPersonMessages(job.plan.items);
    try {
      await ledger.plan(
        deliveryId,
        plans.map((plan) => ({ messageId: plan.messageId, keys: plan.items.map((i) => i.key), ...eventText })),
      );
    } catch (e) {
      // The retry plans them again.
      stop ??= e;
      notStarted.push({ ...job, mayHaveBeenSent: false });
      return;
    }
    // Never sent under these ids: a worker that planned them before would have left them planned, and be asked about them.
    start(plans.map((plan) => ({ plan, mayHaveBeenSent: false })));
  };

  const send = async (job: Job) => {
    if (stop) {
      notStarted.push(job);
      return;
    }
    try {
      const result = await transport.accept(job.plan.email, { operationId: job.plan.messageId, mayHaveBeenSent: job.mayHaveBeenSent });
      accepted.push({ plannedId: job.plan.messageId, messageId: result.messageId, delivered: result.delivered });
      if (result.alreadyAccepted) counts.alreadySent += job.plan.items.length;
      else {
        counts.sent += job.plan.items.length;
        counts.messages++;
      }
    } catch (e) {
      if (e instanceof SharedMessageRefusedError) {
        await perPerson(job, e);
        return;
      }
      if (e instanceof PermanentSendError) {
        options.log(
          'error',
          `${deliveryId}: message ${job.plan.messageId} (${job.plan.items.length} recipients) refused for good: ${e.message}`,
        );
        counts.failed += job.plan.items.length;
        refused.push(...job.plan.items.map((i) => ({ key: i.key, error: e.message })));
      } else {
        stop ??= e;
        // A 429 means ACS did not take it; any other failure leaves its fate unknown: the retry asks first.
        notStarted.push(e instanceof QuotaExceededError ? job : { ...job, mayHaveBeenSent: true });
      }
    }
  };
  // At most `concurrency` messages in flight; jobs join as their rows are claimed.
  const queue: Job[] = [];
  const workers: Promise<void>[] = [];
  let idle = Math.max(1, options.concurrency);
  const start = (jobs: Job[]) => {
    queue.push(...jobs);
    for (; idle > 0 && queue.length > 0; idle--) {
      workers.push(
        (async () => {
          for (let job = queue.shift(); job; job = queue.shift()) await send(job);
          idle++;
        })(),
      );
    }
  };

  // The first delivery, the common case: every message claimed and planned as a whole, one
  // row each, without reading the ledger first, each message sent as soon as its write is
  // done. Whatever is not ours that way (a redelivery, a takeover, a concurrent worker) is
  // claimed the long way, in claimTheRest.
  let busy = 0;
  try {
    const first = toMessages(items);
    const byId = new Map(first.map((plan) => [plan.messageId, plan]));
    const ours = await ledger.claimFresh(
      deliveryId,
      first.map((plan) => ({
        messageId: plan.messageId,
        requests: plan.items.map(({ key, operationId, notification }) => ({ key, operationId, notification })),
        ...eventText,
      })),
      (ids) => start(ids.map((id) => ({ plan: byId.get(id)!, mayHaveBeenSent: false }))),
    );
    const claimedFresh = new Set(first.filter((plan) => ours.has(plan.messageId)).flatMap((plan) => plan.items.map((i) => i.key)));
    const rest = items.filter((i) => !claimedFresh.has(i.key));
    if (rest.length > 0) {
      const jobs: Job[] = [];
      busy = await claimTheRest(deliveryId, rest, { ...options, personal }, toMessages, jobs, counts);
      start(jobs);
    }
  } catch (e) {
    // Some claims failed to write: what did get claimed is sent or handed back as usual below.
    stop ??= e;
  }
  while (workers.length > 0) await workers.shift();

  // What went out is recorded even when something stopped the sending, so the retry skips it.
  if (accepted.length > 0) await ledger.accepted(deliveryId, accepted);
  if (refused.length > 0) await ledger.refused(deliveryId, refused);
  const untouched = notStarted.filter((j) => !j.mayHaveBeenSent).flatMap((j) => j.plan.items.map((i) => i.key));
  const unknown = notStarted.filter((j) => j.mayHaveBeenSent).flatMap((j) => j.plan.items.map((i) => i.key));
  if (untouched.length > 0) await ledger.handBack(deliveryId, untouched);
  if (unknown.length > 0) await ledger.release(deliveryId, unknown);
  if (stop) throw stop;
  if (busy > 0) throw new DeliveryBusyError(`${deliveryId}: ${busy} emails are being sent by another worker; retry later`);
  return counts;
}

/**
 * Claims rows the first write did not get: reads the ledger, sorts each row out (done, busy,
 * fresh, taken over after a crash), plans what it will send and adds those jobs. Returns how
 * many rows another worker holds.
 */
async function claimTheRest(
  deliveryId: string,
  items: Deliverable[],
  options: DeliverOptions,
  toMessages: (list: Deliverable[]) => MessagePlan[],
  jobs: Job[],
  counts: DeliveryCounts,
): Promise<number> {
  const { ledger } = options;
  const claims = await ledger.claim(
    deliveryId,
    items.map(({ key, operationId, notification }) => ({ key, operationId, notification })),
    options.leaseMs,
  );
  let busy = 0;
  const fresh: Deliverable[] = [];
  const takenOver: Deliverable[] = [];
  for (const item of items) {
    const claim = claims.get(item.key) ?? { kind: 'busy' as const };
    if (claim.kind === 'done') {
      if (claim.status === 'failed') counts.failed++;
      else counts.alreadySent++;
    } else if (claim.kind === 'busy') busy++;
    else (claim.mayHaveBeenSent ? takenOver : fresh).push(item);
  }

  const rows =
    takenOver.length > 0
      ? await ledger.pending(
          deliveryId,
          takenOver.map((i) => i.key),
        )
      : new Map();
  const planned = new Map<string, Deliverable[]>();
  const unplanned: Deliverable[] = [];
  const added: Job[] = [];
  for (const item of takenOver) {
    const row = rows.get(item.key);
    // A resend goes alone under its generation's own id, also when a 429 handed it back before.
    if (row?.resend)
      added.push({
        plan: messageFor(resendOperationId(item.operationId, Math.max(1, row.resends)), [item], true),
        mayHaveBeenSent: !row.notSent,
      });
    else if (row?.notSent) fresh.push(item);
    else if (row?.messageId) planned.set(row.messageId, [...(planned.get(row.messageId) ?? []), item]);
    else unplanned.push(item);
  }
  // A message planned before a crash is asked about under its own id, with the members it had:
  // several of them stay in Bcc even when this worker now sends per person (they must not see each other).
  for (const [messageId, members] of planned)
    added.push({ plan: messageFor(messageId, members, options.personal && members.length === 1), mayHaveBeenSent: true });
  // Claimed but not planned: its claimer may still be about to send it. Batched as that claimer
  // batches them (the same rows give the same ids, which ACS never sends twice), and asked first.
  added.push(...toMessages(unplanned).map((plan) => ({ plan, mayHaveBeenSent: true })));
  added.push(...toMessages(fresh).map((plan) => ({ plan, mayHaveBeenSent: false })));

  const toPlan: PlannedMessage[] = added
    .filter((j) => !planned.has(j.plan.messageId))
    .map((j) => ({
      messageId: j.plan.messageId,
      keys: j.plan.items.map((i) => i.key),
      ...(options.eventText ? { eventText: options.eventText } : {}),
    }));
  await ledger.plan(deliveryId, toPlan);
  jobs.push(...added);
  return busy;
}
