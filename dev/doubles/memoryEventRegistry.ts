import type { EventRegistry, Registration } from '../../shared/storage/eventRegistry.js';

/** In memory, for unit tests of other modules: an event id is one event by its content hash. */
export class MemoryEventRegistry implements EventRegistry {
  private readonly hashes = new Map<string, { hash: string; at: string }>();

  async register(eventId: string, contentHash: string): Promise<Registration> {
    const seen = this.hashes.get(eventId);
    if (!seen) {
      this.hashes.set(eventId, { hash: contentHash, at: new Date().toISOString() });
      return { kind: 'new' };
    }
    return seen.hash === contentHash ? { kind: 'same' } : { kind: 'different', firstSeenAt: seen.at };
  }
}
