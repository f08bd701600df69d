/**
 * DataLoader-style coalescing of single lookups: every `load(key)` made within `windowMs` of the
 * first one waits for one `loadMany` of all of them. The notify function handles many events
 * at once (host.json batchSize), each asking for "its" principal and actor; without this each
 * would cost its own Graph $batch, with it a burst of events shares a few.
 *
 * Keys are compared case-insensitively (directory object ids are GUIDs). A key asked again
 * while its batch is in flight shares that batch. A failed `loadMany` fails every caller of
 * that batch and nothing is remembered: caching is the caller's business (TtlCache).
 */
export interface BatchLoaderOptions {
  /** How long the first lookup waits for others to join it. A few ms: well under one Graph round trip. */
  windowMs?: number;
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class BatchLoader<V> {
  private queued = new Map<string, Waiter<V>[]>();
  private readonly inFlight = new Map<string, Promise<V | undefined>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly windowMs: number;

  /** `loadMany` answers for the keys it knows (lower-cased); a key it leaves out loads as undefined. */
  constructor(
    private readonly loadMany: (keys: string[]) => Promise<Map<string, V>>,
    options: BatchLoaderOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 5;
  }

  load(key: string): Promise<V | undefined> {
    const k = key.toLowerCase();
    const flying = this.inFlight.get(k);
    if (flying) return flying;
    const promise = new Promise<V | undefined>((resolve, reject) => {
      const waiters = this.queued.get(k) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(k, waiters);
    });
    this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    return promise;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    const keys = [...batch.keys()];
    const shared = this.loadMany(keys);
    for (const k of keys)
      this.inFlight.set(
        k,
        shared.then((m) => m.get(k)),
      );
    // The in-flight promises above are only for later callers; waiters are settled below.
    for (const k of keys) this.inFlight.get(k)!.catch(() => undefined);
    try {
      const found = await shared;
      for (const [k, waiters] of batch) for (const w of waiters) w.resolve(found.get(k));
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    } finally {
      for (const k of keys) this.inFlight.delete(k);
    }
  }
}
