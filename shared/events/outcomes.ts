/**
 * The outcome language of the queue-triggered use cases (notify, delivery reports), mapped by
 * their function files in one `switch` on `kind`:
 *   - `invalid`: the message goes to the poison queue with its reason, never retried;
 *   - `queuedAgain`: the use case put the event back on the events queue for `retryAfterMs`
 *     from now (a new message, so waiting spends none of its tries); this message is done;
 *   - `done`: handled, with its counts.
 * A thrown error is the fourth outcome, and not a kind: transient, the host retries the message.
 */
import type { InvalidEventError } from './parse.js';

export interface Invalid {
  kind: 'invalid';
  error: InvalidEventError;
}

/**
 * Why an event waits on the queue:
 *   - `busy`: another worker holds fresh claims on some of its emails (it is sending them, or died doing so);
 *   - `throttled`: the transport's quota ran out part-way (what went out is recorded);
 *   - `awaitingPim`: PIM's records do not show it yet, and it is recent enough for that to be replication lag;
 *   - `waitingForPermission`: a directory read was refused (a permission not granted yet).
 */
export type QueuedAgainReason = 'busy' | 'throttled' | 'awaitingPim' | 'waitingForPermission';

export interface QueuedAgain {
  kind: 'queuedAgain';
  eventId: string;
  reason: QueuedAgainReason;
  retryAfterMs: number;
  /** A short, address-free explanation for the log. */
  detail: string;
}
