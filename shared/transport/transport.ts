/**
 * The transport port: the one way an email leaves the app. A transport *accepts* a message
 * (ACS: its 202; the outbox: the file written); what became of each recipient is learnt from
 * delivery reports (usecases/deliveryReports.ts), or, where the transport is the mailbox
 * itself (the outbox), from the acceptance (`delivered`). Adapters: acsTransport.ts,
 * outboxTransport.ts. Every email — notifications, the digest, the held-back summary — goes
 * through delivery/deliver.ts onto this port.
 */
import type { EmailAddress, RenderedEmail } from '../render/email.js';

export type { EmailAddress } from '../render/email.js';

/** One message: one person's own email (To), or the identical email of many (Bcc). */
export interface Message extends RenderedEmail {
  from: EmailAddress;
  /** Visible recipients: the one person of a personal message, or none. */
  to: EmailAddress[];
  /** Hidden recipients: everyone of a batched message, who must not see each other. */
  bcc: EmailAddress[];
  /** Single-line values (X-PIM-Event-Id and the like). */
  headers?: Record<string, string>;
}

export interface AcceptOptions {
  /** Deterministic id of this message: the same message, the same id, whatever the retries. */
  operationId: string;
  /** An earlier attempt may have reached the transport: ask it before sending. */
  mayHaveBeenSent: boolean;
}

export interface Acceptance {
  /** The id the transport knows the message by (the attempt's operation id, the outbox file). */
  messageId: string;
  /** An earlier attempt had already been accepted: nothing was sent now. */
  alreadyAccepted: boolean;
  /**
   * The transport is the recipients' mailbox (the outbox): accepted means delivered, and no
   * delivery report will follow, so the acceptance is recorded as their `Delivered` report.
   */
  delivered: boolean;
}

export interface Transport {
  /**
   * Recipients one message may carry (To + Bcc); 1: every person gets their own message. It may
   * drop to 1 while the process runs, once the transport has learnt that the service refuses
   * shared messages (SharedMessageRefusedError).
   */
  readonly maxRecipients: number;
  accept(message: Message, options: AcceptOptions): Promise<Acceptance>;
}

/** The transport refused for good (bad address, content rejected): recorded, never retried. */
export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
}

/**
 * The transport refused a shared message (recipients in Bcc) for how it is addressed, sending
 * nothing: each person's own message may still go, and the caller sends them so (deliver.ts).
 * ACS's documentation does not say whether it takes a message with an empty `to`; this is how
 * the app learns that it does not. `firstInProcess`: the first such refusal of this process, the
 * one to log (the transport remembers it and shares no message again).
 */
export class SharedMessageRefusedError extends Error {
  override readonly name = 'SharedMessageRefusedError';
  constructor(
    message: string,
    readonly firstInProcess: boolean,
  ) {
    super(message);
  }
}

/** The service's quota is used up for now: send nothing more before `retryAfterMs`. */
export class QuotaExceededError extends Error {
  override readonly name = 'QuotaExceededError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
