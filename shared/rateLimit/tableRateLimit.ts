/**
 * The rate limit in Table Storage (port and protocol: rateLimit.ts).
 *
 * Layout (RECIPIENT_RATE_TABLE):
 *   PartitionKey `r-<recipientKey>`:
 *     RowKey `w-<window start>`   { sent, summaryDue }          the window's count
 *     RowKey `e-<sha of event id>` { decision, windowStart, … }  one per (event, recipient)
 *   PartitionKey `summary-due`, RowKey `<window end>|<recipientKey>`: a window owing its
 *     person a summary, with the address to send it to (deleted once it is sent).
 *
 * A decision and its window's count share a partition, so one entity-group transaction
 * writes both: the decision row is created (409 if another copy of the event got there
 * first) and the window row updated under the ETag just read (412 if another worker counted
 * in between); either conflict reads again. Once a window is full its row no longer changes
 * per email, so held-back emails do not contend for it.
 */
import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import {
  byOccurrence,
  rateWindow,
  type DueSummary,
  type HeldItem,
  type RateDecision,
  type RateOptions,
  type RateRequest,
  type RateLimit,
} from './rateLimit.js';
import { ensureTable, entityOrUndefined, isConflict, statusOf } from '../storage/tables.js';
import { systemClock, type Clock } from '../time/clock.js';

const DUE = 'summary-due';
/** Requests of one event decided at once (each is its own partition). */
const CONCURRENCY = 8;
const MAX_ATTEMPTS = 60;

type WindowRow = { partitionKey: string; rowKey: string; sent: number; summaryDue?: boolean; etag: string };
type DecisionRow = HeldItem & { partitionKey: string; rowKey: string; decision: RateDecision; windowStart: string };

export class TableRateLimit implements RateLimit {
  constructor(
    private readonly client: TableClient,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Windows this process has seen full, with their summary row written: `recipientKey` → window
   * start. A full window stays full, so a held-back email then costs one write, no read.
   */
  private readonly full = new Map<string, string>();

  async decide(eventId: string, requests: RateRequest[], options: RateOptions): Promise<Map<string, RateDecision>> {
    await ensureTable(this.client);
    const decisions = new Map<string, RateDecision>();
    let next = 0;
    const worker = async () => {
      for (let r = requests[next++]; r; r = requests[next++]) decisions.set(r.key, await this.decideOne(eventId, r, options));
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, requests.length) }, worker));
    return decisions;
  }

  private async decideOne(eventId: string, request: RateRequest, { limit, windowMs, seenBefore }: RateOptions): Promise<RateDecision> {
    const pk = `r-${request.key}`;
    const decisionKey = `e-${createHash('sha256').update(eventId).digest('hex').slice(0, 40)}`;
    let lookUp = seenBefore;
    for (let attempt = 0; ; attempt++) {
      const window = rateWindow(this.clock.now(), windowMs);
      const windowKey = `w-${window.start}`;
      const knownFull = this.full.get(request.key) === window.start;
      // Point reads: the cheapest reads there are, whatever the table holds.
      const [earlier, count] = await Promise.all([
        lookUp ? entityOrUndefined<DecisionRow>(this.client, pk, decisionKey) : undefined,
        knownFull ? undefined : entityOrUndefined<WindowRow>(this.client, pk, windowKey),
      ]);
      if (earlier) return earlier.decision;
      const decision: RateDecision = !knownFull && (count?.sent ?? 0) < limit ? 'send' : 'held';
      const actions: TransactionAction[] = [
        ['create', { partitionKey: pk, rowKey: decisionKey, decision, windowStart: window.start, ...request.item }],
      ];
      if (decision === 'send') {
        if (count) actions.push(['update', { partitionKey: pk, rowKey: windowKey, sent: count.sent + 1 }, 'Merge', { etag: count.etag }]);
        else actions.push(['create', { partitionKey: pk, rowKey: windowKey, sent: 1 }]);
      } else if (!knownFull && !count?.summaryDue) {
        // The summary's row first: a crash after it leaves a summary with nothing to list
        // (dropped), never a held email without a summary.
        await this.client.upsertEntity(
          {
            partitionKey: DUE,
            rowKey: `${window.end}|${request.key}`,
            key: request.key,
            address: request.address,
            displayName: request.displayName ?? '',
            windowStart: window.start,
            windowEnd: window.end,
          },
          'Replace',
        );
        actions.push(['update', { partitionKey: pk, rowKey: windowKey, summaryDue: true }, 'Merge', { etag: count?.etag ?? '*' }]);
      }
      try {
        await this.client.submitTransaction(actions);
        if (decision === 'held') this.full.set(request.key, window.start);
        return decision;
      } catch (e) {
        if (!isConflict(e) || attempt >= MAX_ATTEMPTS) throw e;
        // Another worker counted, or decided this very email (a copy of the event): read again.
        lookUp = true;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
  }

  async dueSummaries(closedBy: Date): Promise<DueSummary[]> {
    await ensureTable(this.client);
    const due: DueSummary[] = [];
    const filter = `PartitionKey eq '${DUE}' and RowKey lt '${closedBy.toISOString()}~'`;
    for await (const e of this.client.listEntities<DueSummary>({ queryOptions: { filter } })) {
      due.push({
        key: e.key,
        address: e.address,
        ...(e.displayName ? { displayName: e.displayName } : {}),
        windowStart: e.windowStart,
        windowEnd: e.windowEnd,
      });
    }
    return due;
  }

  async heldIn(due: DueSummary): Promise<HeldItem[]> {
    const items: HeldItem[] = [];
    const filter = `PartitionKey eq 'r-${due.key}' and RowKey ge 'e-' and RowKey lt 'e.' and decision eq 'held' and windowStart eq '${due.windowStart}'`;
    for await (const e of this.client.listEntities<DecisionRow>({ queryOptions: { filter } })) {
      items.push({
        eventId: e.eventId,
        notification: e.notification,
        roleName: e.roleName,
        principalName: e.principalName,
        scopeName: e.scopeName,
        occurredAt: e.occurredAt,
      });
    }
    return items.sort(byOccurrence);
  }

  async summarised(due: DueSummary): Promise<void> {
    try {
      await this.client.deleteEntity(DUE, `${due.windowEnd}|${due.key}`);
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }
}
