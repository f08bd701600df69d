/**
 * The events queue (`pim-events`, read by the notify function), one port for everyone who puts
 * an event on it (adapter: storageEventsQueue.ts):
 *   - the event sources send what they found (`send`), and move their cursor or record a
 *     milestone only once it resolves: the queue has it;
 *   - the notify use case and the delivery reports put an event back for later (`later`): one
 *     another worker is sending, one ACS throttled, one PIM's records do not show yet, one
 *     waiting for a permission, one with a recipient to send again after a Failed report. A new
 *     message each time, so waiting spends none of the event's tries.
 */
import type { PimEvent } from '../events/schema.js';

export interface EventsQueue {
  send(event: PimEvent): Promise<void>;
  /** `eventText` as received; seen again by the notify function after `delayMs`. */
  later(eventText: string, delayMs: number): Promise<void>;
}
