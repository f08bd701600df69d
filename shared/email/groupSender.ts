/**
 * The port for sending one message to many (ACS: up to 50 recipients per message), and for
 * counting a send as done once the service has *accepted* it; whether it reached each mailbox
 * is learnt later, per recipient, from delivery reports (usecases/recordDeliveryReport.ts).
 * Adapter: acsSender.ts. The one-recipient, wait-until-sent port is emailSender.ts.
 */
import type { EmailAddress, RenderedEmail } from './emailSender.js';

export interface GroupEmail extends RenderedEmail {
  from: EmailAddress;
  /** Visible recipients: the one person of a per-person email, or none. */
  to: EmailAddress[];
  /** Hidden recipients: everyone of a grouped email, who must not see each other. */
  bcc: EmailAddress[];
  /** Single-line values (X-PIM-Event-Id and the like). */
  headers?: Record<string, string>;
}

export interface AcceptOptions {
  /** Deterministic id of this message: the same message, the same id, whatever the retries. */
  operationId: string;
  /** An earlier attempt may have reached the service: ask it before sending. */
  mayHaveBeenSent: boolean;
}

export interface AcceptResult {
  /** The id the service knows the message by (the attempt's operation id). */
  messageId: string;
  /** An earlier attempt had already been accepted (or delivered): nothing was sent now. */
  alreadyAccepted: boolean;
}

export interface GroupSender {
  /** Recipients one message may carry (To + Bcc). */
  readonly maxRecipients: number;
  accept(email: GroupEmail, options: AcceptOptions): Promise<AcceptResult>;
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

export function isGroupSender(sender: unknown): sender is GroupSender {
  return typeof (sender as Partial<GroupSender> | undefined)?.accept === 'function';
}
