import type { OutgoingEmail } from '../../shared/render/email.js';
import type { AcceptOptions, Acceptance, Message, Transport } from '../../shared/transport/transport.js';

export interface RecordingTransportOptions {
  /** Recipients per message: 1 (the default) behaves as the outbox, 50 as ACS. */
  maxRecipients?: number;
  /** Refuse (throw) once this many messages were accepted: a transport that fails part-way. */
  failAfter?: number;
  /** Accepted means delivered, as the outbox (default); false: delivery reports would follow, as ACS. */
  delivers?: boolean;
}

/**
 * In memory, for tests of the use cases: a transport that accepts each message once per
 * operation id, as ACS and the outbox do (the same id again is `alreadyAccepted`), and keeps
 * every accepted message, and every recipient's email of it, for the test to read.
 */
export class RecordingTransport implements Transport {
  readonly maxRecipients: number;
  /** Every accepted message with its options, in order. */
  readonly messages: Array<{ message: Message; options: AcceptOptions }> = [];
  /** Every recipient's email, one per person of each accepted message. */
  readonly sent: OutgoingEmail[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly options: RecordingTransportOptions = {}) {
    this.maxRecipients = options.maxRecipients ?? 1;
  }

  async accept(message: Message, options: AcceptOptions): Promise<Acceptance> {
    const delivered = this.options.delivers ?? true;
    if (this.ids.has(options.operationId)) return { messageId: options.operationId, alreadyAccepted: true, delivered };
    if (this.messages.length >= (this.options.failAfter ?? Infinity)) throw new Error('transport unavailable (injected)');
    const recipients = [...message.to, ...message.bcc];
    if (recipients.length === 0 || recipients.length > this.maxRecipients)
      throw new Error(`a message takes 1 to ${this.maxRecipients} recipients, got ${recipients.length}`);
    this.ids.add(options.operationId);
    this.messages.push({ message, options });
    const { to: _to, bcc: _bcc, ...content } = message;
    for (const to of recipients) this.sent.push({ ...content, to });
    return { messageId: options.operationId, alreadyAccepted: false, delivered };
  }
}
