/**
 * The events queue on Azure Queue Storage (port: eventsQueue.ts), base64 as the host expects
 * (the queue SDK does not encode for you). Sent one by one and awaited, so "sent" means the
 * queue has it.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { PimEvent } from '../events/schema.js';
import type { EventsQueue } from './eventsQueue.js';
import { encodeMessage } from './queueMessage.js';

/** The longest a queue message can stay invisible (7 days). */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

export class StorageEventsQueue implements EventsQueue {
  private created: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {}

  async send(event: PimEvent): Promise<void> {
    // The sources may run before anything else touched the queue.
    this.created ??= this.client.createIfNotExists().catch((e: unknown) => {
      this.created = undefined;
      throw e;
    });
    await this.created;
    await this.client.sendMessage(encodeMessage(event));
  }

  async later(eventText: string, delayMs: number): Promise<void> {
    const visibilityTimeout = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.client.sendMessage(encodeMessage(eventText), visibilityTimeout > 0 ? { visibilityTimeout } : {});
  }
}
