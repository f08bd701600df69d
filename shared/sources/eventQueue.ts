/**
 * Where the sources put events (the `pim-events` queue in production: storageEventQueue.ts).
 * `send` resolves once the queue has the event: callers move their cursor or record a
 * milestone only after that.
 */
import type { PimEvent } from '../events/schema.js';

export interface EventQueue {
  send(event: PimEvent): Promise<void>;
}
