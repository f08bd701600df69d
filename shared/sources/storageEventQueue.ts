/**
 * Where the sources put events: the `pim-events` queue, base64 JSON as the host expects
 * (the queue SDK does not encode for you). Sent one by one and awaited, so "sent" means the
 * queue has it: the callers move their cursor or record a milestone only after that.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { PimEvent } from '../events/schema.js';
import type { EventQueue } from './eventQueue.js';
import { encodeMessage } from '../storage/queues.js';

export class StorageEventQueue implements EventQueue {
  private created: Promise<unknown> | undefined;

  constructor(private readonly client: QueueClient) {}

  async send(event: PimEvent): Promise<void> {
    this.created ??= this.client.createIfNotExists().catch((e: unknown) => {
      this.created = undefined;
      throw e;
    });
    await this.created;
    await this.client.sendMessage(encodeMessage(event));
  }
}
