/**
 * Putting a queue message back for later (adapter: queueMessageDeferral.ts). A queue trigger
 * cannot postpone its own message except by failing, and failures use up its tries
 * (maxDequeueCount): an event whose emails another worker holds a lease on is deferred
 * instead, as a new message that becomes visible when the lease may be over, and the
 * current delivery completes. The same event id keeps it exactly-once through the ledger,
 * even if both copies were ever delivered.
 */
export interface MessageDeferral {
  /** Enqueues the message text again, invisible for `delaySeconds`. */
  defer(text: string, delaySeconds: number): Promise<void>;
}
