/**
 * The benchmark's baseline: how the app sent before the one delivery path (7c2950c removed it
 * from shared/), kept here only so the delivery part can measure it beside the production path.
 * One person per ACS operation, sent with the SDK's `EmailClient.beginSend` under the caller's
 * operation id and polled (the SDK's poller) until `Succeeded`; that is, the former
 * `AcsEmailSender.send` on a first send, called as the former `deliverOnce` called it. Run
 * through deliver() with EMAIL_SEND_CONCURRENCY 1, so an event's (or a digest's) emails go one
 * after another, as they did.
 *
 * First sends only: nothing here resumes after a crash (the benchmark stops at the first error).
 */
import { EmailClient, type EmailClientOptions, type EmailMessage } from '@azure/communication-email';
import type { AcceptOptions, Acceptance, Message, Transport } from '../shared/transport/transport.js';

export interface SendAndPollOptions {
  clientOptions?: EmailClientOptions;
  /** Poll interval when ACS sends no retry-after (the former sender's pollIntervalMs). */
  pollIntervalMs: number;
  /** How long one send may wait for its operation (the former default, 120 s). */
  maxWaitMs?: number;
}

export class SendAndPollTransport implements Transport {
  readonly maxRecipients = 1;
  private readonly client: EmailClient;

  constructor(
    connectionString: string,
    private readonly options: SendAndPollOptions,
  ) {
    this.client = new EmailClient(connectionString, options.clientOptions ?? {});
  }

  async accept(message: Message, { operationId, mayHaveBeenSent }: AcceptOptions): Promise<Acceptance> {
    if (mayHaveBeenSent)
      throw new Error(
        `benchmark baseline: operation ${operationId} may have been sent before; the send-and-poll baseline only makes first sends`,
      );
    const poller = await this.client.beginSend(toAcsMessage(message), { operationId, updateIntervalInMs: this.options.pollIntervalMs });
    const result = await poller.pollUntilDone({ abortSignal: AbortSignal.timeout(this.options.maxWaitMs ?? 120_000) });
    if (result.status !== 'Succeeded')
      throw new Error(`benchmark baseline: ACS operation ${operationId} ended ${result.status}, not Succeeded`);
    return { messageId: operationId, alreadyAccepted: false, delivered: false };
  }
}

/** The former toAcsMessage: one recipient in To, no From display name, tracking off. */
function toAcsMessage(message: Message): EmailMessage {
  const [to, ...more] = [...message.to, ...message.bcc];
  if (!to || more.length > 0)
    throw new Error(`the send-and-poll baseline sends one recipient per message, got ${message.to.length + message.bcc.length}`);
  return {
    senderAddress: message.from.address,
    recipients: { to: [{ address: to.address, ...(to.displayName ? { displayName: to.displayName } : {}) }] },
    content: { subject: message.subject, plainText: message.text, html: message.html },
    ...(message.headers && Object.keys(message.headers).length > 0 ? { headers: message.headers } : {}),
    disableUserEngagementTracking: true,
  };
}
