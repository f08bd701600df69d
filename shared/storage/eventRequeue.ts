/**
 * Puts an event back on the events queue for later (queueEventRequeue.ts): the event whose
 * sending ACS throttled waits there, out of sight, until ACS has room (a new message, so the
 * wait spends none of its tries), and an event with a recipient to send again after a Failed
 * delivery report comes back at once.
 */
export interface EventRequeue {
  /** `eventText` as received; seen again by the notify function after `delayMs`. */
  later(eventText: string, delayMs: number): Promise<void>;
}
