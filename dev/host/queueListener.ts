/**
 * One queue-triggered function, run as the Storage Queues extension (v5) runs it: fetch up
 * to batchSize messages, fetch again once in-flight drops to newBatchThreshold, back off
 * exponentially while the queue is empty, retry through dequeueCount and visibility, and
 * move a message that keeps failing to `<queue>-poison`.
 */
import { randomUUID } from 'node:crypto';
import type { QueueClient, DequeuedMessageItem } from '@azure/storage-queue';
import { MIN_POLLING_INTERVAL_MS } from './hostJson.js';
import { decodeMessage, handlerInput } from './queueCodec.js';
import type { ResolvedFunction } from './resolve.js';
import { HostRuntime, errorSummary } from './runtime.js';

/**
 * A received message while its function runs: invisible for the lease (the host's 10 minutes,
 * HostRuntime.messageLeaseMs), renewed at half the lease as the host does, so a long invocation
 * is not handed out twice. A renewal changes the pop receipt: completion uses the latest.
 */
interface Lease {
  /** Stops renewing (after any renewal in flight) and gives the message with its latest pop receipt. */
  end(): Promise<DequeuedMessageItem>;
}

export class QueueListener {
  readonly client: QueueClient;
  private readonly connectionString: string;
  private readonly queueName: string;
  private inFlight = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private waker: (() => void) | undefined;
  private wakePending = false;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly resolved: ResolvedFunction,
    private readonly runtime: HostRuntime,
  ) {
    this.connectionString = resolved.connectionString!;
    this.queueName = resolved.queueName!;
    this.client = runtime.queueClient(this.connectionString, this.queueName);
    runtime.onEnqueued((key) => {
      if (key === HostRuntime.queueKey(this.connectionString, this.queueName)) this.wake();
    });
  }

  private get name(): string {
    return this.resolved.fn.name;
  }

  async start(): Promise<void> {
    await this.runtime.ensureQueue(this.connectionString, this.queueName);
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.running]);
  }

  private wake(): void {
    const waker = this.waker;
    this.waker = undefined;
    if (waker) waker();
    else this.wakePending = true;
  }

  /** Waits for `ms` (or only for a wake when undefined); a wake that came early ends it at once. */
  private pause(ms?: number): Promise<void> {
    if (this.wakePending || this.stopped) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waker === done) this.waker = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.waker = done;
    });
  }

  private async poll(): Promise<void> {
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.runtime.queues;
    let delay = MIN_POLLING_INTERVAL_MS;
    while (!this.stopped) {
      if (this.inFlight > newBatchThreshold) {
        await this.pause();
        continue;
      }
      let messages: DequeuedMessageItem[];
      try {
        const response = await this.client.receiveMessages({ numberOfMessages: batchSize, visibilityTimeout: this.leaseSeconds() });
        messages = response.receivedMessageItems;
      } catch (error) {
        this.runtime.log(`Queue listener for '${this.name}' (queue ${this.queueName}) could not receive: ${errorSummary(error)}`);
        messages = [];
      }
      if (messages.length === 0) {
        await this.pause(delay);
        delay = Math.min(delay * 2, maxPollingIntervalMs);
        continue;
      }
      delay = MIN_POLLING_INTERVAL_MS;
      // Received messages are in flight even if stop() came meanwhile: stop waits for them.
      for (const message of messages) this.dispatch(message);
    }
  }

  private leaseSeconds(): number {
    return Math.max(1, Math.ceil(this.runtime.messageLeaseMs / 1000));
  }

  private hold(message: DequeuedMessageItem): Lease {
    let current = message;
    let ended = false;
    let renewal: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const renewLater = (): void => {
      timer = setTimeout(() => {
        renewal = this.client
          .updateMessage(current.messageId, current.popReceipt, undefined, this.leaseSeconds())
          .then((r) => {
            if (r.popReceipt) current = { ...current, popReceipt: r.popReceipt };
          })
          .catch((error: unknown) =>
            this.runtime.log(
              `Queue listener for '${this.name}' could not renew the lease on message ${current.messageId}: ${errorSummary(error)}`,
            ),
          )
          .finally(() => {
            if (!ended) renewLater();
          });
      }, this.runtime.messageLeaseMs / 2);
    };
    renewLater();
    return {
      end: async () => {
        ended = true;
        clearTimeout(timer);
        await renewal;
        return current;
      },
    };
  }

  private dispatch(message: DequeuedMessageItem): void {
    this.inFlight++;
    this.runtime.inFlight++;
    this.runtime.activity++;
    const lease = this.hold(message);
    const run = this.process(message, lease)
      .catch((error: unknown) => {
        this.runtime.log(`Queue listener for '${this.name}' failed on message ${message.messageId}: ${errorSummary(error)}`);
      })
      .finally(async () => {
        await lease.end();
        this.inFlight--;
        this.runtime.inFlight--;
        this.runtime.activity++;
        this.running.delete(run);
        if (this.inFlight <= this.runtime.queues.newBatchThreshold) this.wake();
      });
    this.running.add(run);
  }

  private async process(message: DequeuedMessageItem, lease: Lease): Promise<void> {
    const { maxDequeueCount, messageEncoding } = this.runtime.queues;
    const ids = `messageId=${message.messageId}, dequeueCount=${message.dequeueCount}`;
    if (message.dequeueCount > maxDequeueCount) {
      // Already past the limit (an earlier run died mid-way): the host poisons it unseen.
      this.runtime.log(
        `Message ${message.messageId} on ${this.queueName} is past maxDequeueCount ${maxDequeueCount}; moving it to ${this.queueName}-poison`,
      );
      await this.poison(await lease.end());
      return;
    }
    const decoded = decodeMessage(message.messageText, messageEncoding);
    if (!decoded.ok) {
      // Retrying cannot make the text decodable, so (as Storage Queues extension v5 does)
      // the message goes straight to the poison queue without reaching the handler.
      this.runtime.log(
        `Message ${message.messageId} on ${this.queueName} cannot be decoded (${decoded.reason}); moving it to ${this.queueName}-poison`,
      );
      await this.poison(await lease.end());
      return;
    }
    const invocationId = randomUUID();
    const fn = this.resolved.fn;
    const context = this.runtime.createContext(fn, invocationId, {
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      popReceipt: message.popReceipt,
      queueTrigger: decoded.text,
    });
    this.runtime.log(`Executing '${fn.name}' (invocationId=${invocationId}, ${ids})`);
    this.runtime.stats.invocations++;
    try {
      const result = await fn.handler(handlerInput(decoded.text), context);
      // Outputs before completing the trigger message: if we die between the two, the
      // message comes back and the outputs are written twice (at least once), whereas the
      // other order could complete the message and lose its outputs.
      await this.runtime.writeOutputs(this.resolved, context, result);
    } catch (error) {
      this.runtime.stats.failures++;
      this.runtime.log(`Executed '${fn.name}' (Failed, invocationId=${invocationId}, ${ids}): ${errorSummary(error)}`);
      await this.release(await lease.end());
      return;
    }
    const done = await lease.end();
    await this.client.deleteMessage(done.messageId, done.popReceipt);
    this.runtime.log(`Executed '${fn.name}' (Succeeded, invocationId=${invocationId}, ${ids})`);
  }

  /** After a failure: poison at maxDequeueCount, else visible again after visibilityTimeout. */
  private async release(message: DequeuedMessageItem): Promise<void> {
    const { maxDequeueCount, visibilityTimeoutMs } = this.runtime.queues;
    if (message.dequeueCount >= maxDequeueCount) {
      this.runtime.log(
        `Message ${message.messageId} has reached maxDequeueCount ${maxDequeueCount}; moving it to ${this.queueName}-poison`,
      );
      await this.poison(message);
      return;
    }
    await this.client.updateMessage(message.messageId, message.popReceipt, undefined, Math.ceil(visibilityTimeoutMs / 1000));
  }

  /** The stored text goes over unchanged, so the poison message is exactly what was enqueued. */
  private async poison(message: DequeuedMessageItem): Promise<void> {
    await this.runtime.send(this.connectionString, `${this.queueName}-poison`, [message.messageText]);
    await this.client.deleteMessage(message.messageId, message.popReceipt);
    this.runtime.stats.poisoned++;
  }
}
