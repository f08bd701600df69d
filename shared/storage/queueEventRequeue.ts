/** EventRequeue on the storage queue the notify function reads (port: eventRequeue.ts). */
import type { QueueClient } from '@azure/storage-queue';
import type { EventRequeue } from './eventRequeue.js';
import { encodeMessage } from './queueMessage.js';

/** The longest a queue message can stay invisible (7 days). */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

export class QueueEventRequeue implements EventRequeue {
  constructor(private readonly queue: QueueClient) {}

  async later(eventText: string, delayMs: number): Promise<void> {
    const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.queue.sendMessage(encodeMessage(eventText), visibilityTimeout > 0 ? { visibilityTimeout } : {});
  }
}
