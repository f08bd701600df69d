import {
  byOccurrence,
  rateWindow,
  type DueSummary,
  type HeldItem,
  type RateDecision,
  type RateOptions,
  type RateRequest,
  type RateLimit,
} from '../../shared/rateLimit/rateLimit.js';
import { systemClock, type Clock } from '../../shared/time/clock.js';

/** In memory, for unit tests of other modules and local tools: the Table adapter's behaviour in one process. */
export class MemoryRateLimit implements RateLimit {
  private readonly decisions = new Map<string, { decision: RateDecision; windowStart: string; item: HeldItem }>();
  private readonly sent = new Map<string, number>();
  private readonly due = new Map<string, DueSummary>();

  constructor(private readonly clock: Clock = systemClock) {}

  async decide(eventId: string, requests: RateRequest[], { limit, windowMs }: RateOptions): Promise<Map<string, RateDecision>> {
    const out = new Map<string, RateDecision>();
    for (const r of requests) {
      const id = `${r.key}|${eventId}`;
      const earlier = this.decisions.get(id);
      if (earlier) {
        out.set(r.key, earlier.decision);
        continue;
      }
      const window = rateWindow(this.clock.now(), windowMs);
      const count = this.sent.get(`${r.key}|${window.start}`) ?? 0;
      const decision: RateDecision = count < limit ? 'send' : 'held';
      if (decision === 'send') this.sent.set(`${r.key}|${window.start}`, count + 1);
      else
        this.due.set(`${window.end}|${r.key}`, {
          key: r.key,
          address: r.address,
          ...(r.displayName ? { displayName: r.displayName } : {}),
          windowStart: window.start,
          windowEnd: window.end,
        });
      this.decisions.set(id, { decision, windowStart: window.start, item: r.item });
      out.set(r.key, decision);
    }
    return out;
  }

  async dueSummaries(closedBy: Date): Promise<DueSummary[]> {
    return [...this.due.values()].filter((d) => Date.parse(d.windowEnd) <= closedBy.getTime());
  }

  async heldIn(due: DueSummary): Promise<HeldItem[]> {
    return [...this.decisions.entries()]
      .filter(([id, d]) => id.startsWith(`${due.key}|`) && d.decision === 'held' && d.windowStart === due.windowStart)
      .map(([, d]) => d.item)
      .sort(byOccurrence);
  }

  async summarised(due: DueSummary): Promise<void> {
    this.due.delete(`${due.windowEnd}|${due.key}`);
  }
}
