/** Reading what the sources put on the (Azurite) queue, as the Functions host would decode it. */
import { QueueClient } from '@azure/storage-queue';
import { parseEventText } from '../../shared/events/parse.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { decodeMessage } from '../../shared/queues/queues.js';

/** Every message on the queue, decoded from base64 and validated; the queue is left as it was. */
export async function queuedEvents(client: QueueClient): Promise<PimEvent[]> {
  // Nothing sent yet means the sender has not created the queue: an empty queue, not an error.
  if (!(await client.exists())) return [];
  const events: PimEvent[] = [];
  const received: { messageId: string; popReceipt: string }[] = [];
  for (;;) {
    const batch = await client.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 30 });
    if (batch.receivedMessageItems.length === 0) break;
    for (const m of batch.receivedMessageItems) {
      const text = decodeMessage(m.messageText);
      if (text === undefined) throw new Error(`message ${m.messageId} is not base64`);
      const parsed = parseEventText(text);
      if (parsed.kind === 'invalid') throw parsed.error;
      events.push(parsed.event);
      received.push(m);
    }
  }
  // Make them visible again so a later read sees the whole queue.
  for (const m of received) await client.updateMessage(m.messageId, m.popReceipt, undefined, 0);
  return events;
}
