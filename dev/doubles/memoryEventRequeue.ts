import type { EventRequeue } from '../../shared/storage/eventRequeue.js';

/** In memory, for tests of the use cases: what was put back on the events queue, and for how long. */
export class MemoryEventRequeue implements EventRequeue {
  readonly queued: Array<{ text: string; delayMs: number }> = [];

  async later(eventText: string, delayMs: number): Promise<void> {
    this.queued.push({ text: eventText, delayMs });
  }
}
