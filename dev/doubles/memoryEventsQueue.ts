import type { PimEvent } from '../../shared/events/schema.js';
import type { EventsQueue } from '../../shared/queues/eventsQueue.js';

/** In memory, for tests of the use cases: what was put on the events queue, and for how long. */
export class MemoryEventsQueue implements EventsQueue {
  readonly sent: PimEvent[] = [];
  readonly queued: Array<{ text: string; delayMs: number }> = [];

  async send(event: PimEvent): Promise<void> {
    this.sent.push(event);
  }

  async later(eventText: string, delayMs: number): Promise<void> {
    this.queued.push({ text: eventText, delayMs });
  }
}
