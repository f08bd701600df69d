import type { EventRegistry, Registration } from '../../shared/delivery/eventRegistry.js';
import { systemClock, type Clock } from '../../shared/time/clock.js';

/** In memory, for unit tests of other modules: an event id is one event by its content hash. */
export class MemoryEventRegistry implements EventRegistry {
  private readonly hashes = new Map<string, { hash: string; at: string }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async register(eventId: string, contentHash: string): Promise<Registration> {
    const seen = this.hashes.get(eventId);
    if (!seen) {
      this.hashes.set(eventId, { hash: contentHash, at: this.clock.now().toISOString() });
      return { kind: 'new' };
    }
    return seen.hash === contentHash ? { kind: 'same' } : { kind: 'different', firstSeenAt: seen.at };
  }
}
