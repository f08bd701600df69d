/**
 * MessageDeferral on a storage queue: the text goes back base64-encoded as the host expects
 * (host.json messageEncoding), with the queue's own visibility timeout as the delay.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { MessageDeferral } from './messageDeferral.js';
import { encodeMessage } from './queueMessage.js';

/** Queue Storage's longest visibility timeout: 7 days. */
const MAX_DELAY_S = 7 * 24 * 3600;

export class QueueMessageDeferral implements MessageDeferral {
  constructor(private readonly client: QueueClient) {}

  async defer(text: string, delaySeconds: number): Promise<void> {
    const visibilityTimeout = Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(delaySeconds)));
    await this.client.sendMessage(encodeMessage(text), { visibilityTimeout });
  }
}
