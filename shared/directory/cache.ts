/**
 * A small TTL cache with request coalescing for directory lookups: concurrent callers of one
 * key share the one in-flight request, a result is reused for `ttlSeconds`, and a failure is
 * never cached (the next caller asks again). With it, a burst of events about one role costs
 * about the Graph requests of one event. TTL 0 still coalesces concurrent callers.
 */
import { systemClock, type Clock } from '../time/clock.js';
export interface TtlCacheOptions {
  /** DIRECTORY_CACHE_TTL_SECONDS. */
  ttlSeconds: number;
  /** The app's clock (tests move it instead of waiting); the system clock when left out. */
  clock?: Clock;
  /** Entries kept at most; the oldest go first. Bounds memory on a long-lived worker. */
  maxEntries?: number;
}

interface Entry {
  value: Promise<unknown>;
  /** undefined while in flight. */
  expiresAt?: number;
  /** When the load settled (ms). */
  loadedAt?: number;
}

export class TtlCache {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly maxEntries: number;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlSeconds * 1000;
    this.clock = options.clock ?? systemClock;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** The cached value of `key`, or the result of `load` (shared with concurrent callers). */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.peek<T>(key);
    if (cached) return cached;
    const value = load();
    const fresh: Entry = { value };
    this.entries.delete(key);
    this.entries.set(key, fresh);
    this.evict();
    value.then(
      () => {
        if (this.entries.get(key) !== fresh) return;
        fresh.loadedAt = this.clock.now().getTime();
        if (this.ttlMs > 0) fresh.expiresAt = this.clock.now().getTime() + this.ttlMs;
        else this.entries.delete(key);
      },
      () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return value;
  }

  /** The value of `key` when it is fresh or in flight, without loading it; undefined otherwise. */
  peek<T>(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    if (entry && (entry.expiresAt === undefined || entry.expiresAt > this.clock.now().getTime())) return entry.value as Promise<T>;
    return undefined;
  }

  /**
   * Stores a value some other lookup already returned (a user that came with a group's members,
   * say), so that asking for it later costs nothing; it expires like a loaded one. A key that is
   * fresh or in flight keeps its entry; with TTL 0 nothing is stored (nothing is ever reused).
   */
  prime<T>(key: string, value: T): void {
    if (this.ttlMs <= 0 || this.peek(key)) return;
    this.entries.delete(key);
    this.entries.set(key, {
      value: Promise.resolve(value),
      expiresAt: this.clock.now().getTime() + this.ttlMs,
      loadedAt: this.clock.now().getTime(),
    });
    this.evict();
  }

  /** When the fresh value of `key` was loaded (ms); undefined when missing or still in flight. */
  loadedAt(key: string): number | undefined {
    return this.peek(key) ? this.entries.get(key)?.loadedAt : undefined;
  }

  /** Drops `key`, so the next get loads it again (a value in flight stays with its callers). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) return;
      this.entries.delete(key);
    }
  }
}
