/**
 * The EmailSender port. Adapters: the outbox (outboxSender.ts, the embedded default: one
 * RFC 5322 .eml file per email) and Azure Communication Services (acsSender.ts).
 *
 * One email has one recipient: every address gets its own message, so that one bad
 * address or one opt-out never affects the others, and delivery is tracked per person.
 */

export interface EmailAddress {
  address: string;
  displayName?: string;
}

export interface RenderedEmail {
  /** The template that produced it, e.g. `approvalRequest` or `weeklyDigest`. */
  notification: string;
  /** Already free of line breaks (header injection is impossible by construction). */
  subject: string;
  html: string;
  text: string;
}

export interface OutgoingEmail extends RenderedEmail {
  from: EmailAddress;
  to: EmailAddress;
  /** Extra headers (X-PIM-Event-Id and the like); values must be single-line. */
  headers?: Record<string, string>;
}

export interface SendOptions {
  /**
   * Deterministic id of this (event, recipient) send. Adapters use it to make a retried
   * send idempotent: the outbox names the file after it; ACS uses it as Operation-Id and
   * asks for that operation's status before sending again.
   */
  operationId: string;
  /**
   * true when an earlier attempt with the same operationId may have reached the service
   * (the delivery ledger saw a claim without a recorded outcome).
   */
  mayHaveBeenSent: boolean;
}

export interface SendResult {
  /** The id the service knows the send by (ACS operation id, outbox file name). */
  messageId: string;
  /** true when the adapter found the earlier attempt had already delivered it. */
  alreadySent: boolean;
}

export interface EmailSender {
  send(email: OutgoingEmail, options: SendOptions): Promise<SendResult>;
}

/** Thrown by an adapter when the service refused for good (bad address, content rejected). */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}
