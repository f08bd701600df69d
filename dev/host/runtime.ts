/**
 * What the queue listeners and timers of one local host share: queue clients, counters, the
 * log, and the invocation plumbing (context, handler call, queue outputs).
 */
import { format } from 'node:util';
import azureFunctions from '@azure/functions';
import type { InvocationContext as InvocationContextType, RetryContext, TriggerMetadata } from '@azure/functions';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { RegisteredFunction } from './functionApp.js';
import type { QueuesSettings } from './hostJson.js';
import { encodeOutput } from './queueCodec.js';
import type { ResolvedFunction } from './resolve.js';

// @azure/functions is CommonJS: Node's ESM loader cannot see its named exports.
const { InvocationContext } = azureFunctions;

export interface HostStats {
  invocations: number;
  failures: number;
  poisoned: number;
}

/** The host's visibility for a message being processed: 10 minutes, renewed while it runs. */
export const DEFAULT_MESSAGE_LEASE_MS = 600_000;

export class HostRuntime {
  readonly stats: HostStats = { invocations: 0, failures: 0, poisoned: 0 };
  /** Invocations running or about to run (queue messages received, timer runs incl. retry waits). */
  inFlight = 0;
  /** Bumped on every receive and completion, so waitForIdle can tell a quiet moment from a lucky sample. */
  activity = 0;
  private readonly clients = new Map<string, QueueClient>();
  private readonly created = new Map<string, Promise<unknown>>();
  private readonly enqueueListeners: Array<(key: string) => void> = [];

  constructor(
    readonly queues: QueuesSettings,
    readonly log: (line: string) => void,
    /** How long a received message stays invisible per lease while its function runs (see QueueListener). */
    readonly messageLeaseMs = DEFAULT_MESSAGE_LEASE_MS,
  ) {}

  static queueKey(connectionString: string, queueName: string): string {
    return `${connectionString}\n${queueName}`;
  }

  queueClient(connectionString: string, queueName: string): QueueClient {
    const key = HostRuntime.queueKey(connectionString, queueName);
    let client = this.clients.get(key);
    if (!client) {
      client = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queueName);
      this.clients.set(key, client);
    }
    return client;
  }

  /** The client, with the queue created once per host if missing (output and poison queues). */
  async ensureQueue(connectionString: string, queueName: string): Promise<QueueClient> {
    const client = this.queueClient(connectionString, queueName);
    const key = HostRuntime.queueKey(connectionString, queueName);
    let creation = this.created.get(key);
    if (!creation) {
      creation = client.createIfNotExists();
      this.created.set(key, creation);
      creation.catch(() => this.created.delete(key));
    }
    await creation;
    return client;
  }

  onEnqueued(listener: (key: string) => void): void {
    this.enqueueListeners.push(listener);
  }

  /** Sends stored texts; tells this host's listeners so they poll now, as the host's queue watcher does. */
  async send(connectionString: string, queueName: string, texts: string[]): Promise<void> {
    if (texts.length === 0) return;
    const client = await this.ensureQueue(connectionString, queueName);
    for (const text of texts) await client.sendMessage(text);
    const key = HostRuntime.queueKey(connectionString, queueName);
    for (const listener of this.enqueueListeners) listener(key);
  }

  createContext(
    fn: RegisteredFunction,
    invocationId: string,
    triggerMetadata?: TriggerMetadata,
    retryContext?: RetryContext,
  ): InvocationContextType {
    const bindings = Object.values(fn.bindings);
    const trigger = bindings.find((b) => b.direction === 'in' && /trigger$/i.test(b.type));
    return new InvocationContext({
      invocationId,
      functionName: fn.name,
      ...(triggerMetadata ? { triggerMetadata } : {}),
      ...(retryContext ? { retryContext } : {}),
      logHandler: (level, ...args) => {
        const prefix = level === 'information' ? '' : `${level}: `;
        this.log(`[${fn.name}] ${prefix}${format(...args)}`);
      },
      options: {
        ...(trigger ? { trigger: { ...trigger, name: trigger.name ?? 'trigger' } } : {}),
        ...(fn.bindings.$return ? { return: { ...fn.bindings.$return, name: '$return' } } : {}),
        extraInputs: Object.entries(fn.bindings)
          .filter(([, b]) => b.direction === 'in' && b !== trigger)
          .map(([name, b]) => ({ ...b, name })),
        extraOutputs: Object.entries(fn.bindings)
          .filter(([name, b]) => b.direction === 'out' && name !== '$return')
          .map(([name, b]) => ({ ...b, name })),
      },
    });
  }

  /** Writes the queue outputs of a successful invocation: extraOutputs by name, `$return` from the result. */
  async writeOutputs(resolved: ResolvedFunction, context: InvocationContextType, result: unknown): Promise<void> {
    for (const output of resolved.outputs) {
      const value = output.name === '$return' ? result : context.extraOutputs.get(output.name);
      await this.send(output.connectionString, output.queueName, encodeOutput(value, this.queues.messageEncoding));
    }
  }
}

/** The first line of an error's message: enough to diagnose, without dumping data into logs. */
export function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? text;
}
