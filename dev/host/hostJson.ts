/**
 * host.json, as far as the local runner uses it, with the Functions host's defaults for
 * absent settings (Storage Queues extension v5).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface QueuesSettings {
  messageEncoding: 'base64' | 'none';
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
}

export interface HostJson {
  queues: QueuesSettings;
  /** Recorded for completeness; the local runner does not cancel long invocations. */
  functionTimeoutMs?: number;
}

const DEFAULT_MAX_POLLING_MS = 60_000;
/** The host never polls an empty queue more often than this. */
export const MIN_POLLING_INTERVAL_MS = 100;

const timeSpanOrMs = z.union([z.string(), z.number().nonnegative()]);
const schema = z
  .object({
    functionTimeout: z.string().nullable().optional(),
    extensions: z
      .object({
        queues: z
          .object({
            messageEncoding: z.enum(['base64', 'none']).optional(),
            batchSize: z.number().int().min(1).max(32).optional(),
            newBatchThreshold: z.number().int().min(0).optional(),
            maxDequeueCount: z.number().int().min(1).optional(),
            visibilityTimeout: timeSpanOrMs.optional(),
            maxPollingInterval: timeSpanOrMs.optional(),
          })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** .NET TimeSpan text: `[d.]hh:mm:ss[.fffffff]`. */
export function parseTimeSpan(text: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a TimeSpan (hh:mm:ss)`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}

/** host.json accepts a TimeSpan or (older style) a number of milliseconds. */
function durationMs(value: string | number): number {
  return typeof value === 'number' ? value : parseTimeSpan(value);
}

export function parseHostJson(raw: unknown): HostJson {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`host.json is invalid: ${parsed.error.message}`);
  const queues = parsed.data.extensions?.queues ?? {};
  const batchSize = queues.batchSize ?? 16;
  const host: HostJson = {
    queues: {
      messageEncoding: queues.messageEncoding ?? 'base64',
      batchSize,
      newBatchThreshold: queues.newBatchThreshold ?? Math.floor(batchSize / 2),
      maxDequeueCount: queues.maxDequeueCount ?? 5,
      visibilityTimeoutMs: queues.visibilityTimeout === undefined ? 0 : durationMs(queues.visibilityTimeout),
      maxPollingIntervalMs: Math.max(
        MIN_POLLING_INTERVAL_MS,
        queues.maxPollingInterval === undefined ? DEFAULT_MAX_POLLING_MS : durationMs(queues.maxPollingInterval),
      ),
    },
  };
  if (parsed.data.functionTimeout) host.functionTimeoutMs = parseTimeSpan(parsed.data.functionTimeout);
  return host;
}

/** The repository's host.json (two folders up from dev/host, also from dist/dev/host). */
export function defaultHostJsonPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../host.json'), path.resolve(here, '../../../host.json')];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

export function readHostJson(file: string = defaultHostJsonPath()): HostJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read host.json at ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseHostJson(JSON.parse(text));
}
