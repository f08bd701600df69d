/**
 * The transport on Azure Communication Services Email: one message to up to 50 recipients,
 * accepted once ACS answers 202 for our Operation-Id (acs/acceptClient.ts). Nothing is polled;
 * the delivery reports say what became of each recipient.
 *
 * Exactly once rests on the caller's deterministic operationId. A retry after a crash
 * (mayHaveBeenSent) first asks ACS what became of that operation instead of sending blind,
 * walking the attempt ids (acs/attemptIds.ts): Succeeded, Running or NotStarted → already
 * accepted; unknown (404) → send now; Failed/Canceled → send under the next attempt id. That
 * walk is the only status read left: it is how a lost worker learns what ACS did.
 *
 * Every request goes through the app's pacers (acs/pacer.ts): a 429 pauses all sends, and a
 * pause longer than `throttleBudgetMs` comes back as QuotaExceededError so the work is queued
 * for later.
 *
 * A shared message (everyone in Bcc) needs something in `to`: the spec's EmailRecipients
 * requires `to`, and whether ACS takes it empty is documented nowhere. With
 * `undisclosedRecipients` (EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS: a mailbox or list of the
 * operator's) that address goes in `to`, so shared messages rest on nothing undocumented;
 * without it `to` is sent empty. Either way, when ACS refuses a shared message for its
 * recipients (a Bcc-only message: any 400/422; otherwise one whose error names the recipients),
 * nothing was sent: the transport throws SharedMessageRefusedError, remembers it for the rest of
 * the process (maxRecipients drops to 1, so every later delivery goes per person), and the
 * caller sends that message's people their own (delivery/deliver.ts).
 */
import { KnownEmailSendStatus } from '@azure/communication-email';
import { parseClientArguments } from '@azure/communication-common';
import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import type { Settings } from '../settings/settings.js';
import { attemptOperationId, isUuid } from './acs/attemptIds.js';
import { AcceptClient, RefusedRequestError, type WireEmail } from './acs/acceptClient.js';
import { OperationStatusClient, type OperationStatus, type StatusClientOptions } from './acs/operationStatus.js';
import { createPacers, type AcsPacers } from './acs/pacer.js';
import {
  PermanentSendError,
  SharedMessageRefusedError,
  withAutomatedHeaders,
  type AcceptOptions,
  type Acceptance,
  type EmailAddress,
  type Message,
  type Transport,
} from './transport.js';
import type { Log } from '../log.js';

export interface AcsTransportOptions {
  /** For every ACS request: retryOptions, allowInsecureConnection (local only), httpClient. */
  clientOptions?: StatusClientOptions;
  /** Ids only, never addresses. */
  log?: Log;
  /** The process's pacers (one per app: the composition root passes the same to every transport). */
  pacers?: AcsPacers;
  /** How long accept() may wait out a 429 pause before handing the work back (QuotaExceededError). Default 10 s. */
  throttleBudgetMs?: number;
  /** The `to` of shared messages (EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS); unset: `to` is sent empty. */
  undisclosedRecipients?: EmailAddress;
}

/** ACS's limit of recipients per message (To + Cc + Bcc). */
export const ACS_MAX_RECIPIENTS = 50;

export interface AcsConnection {
  /** e.g. https://<name>.communication.azure.com */
  endpoint: string;
  credential: KeyCredential | TokenCredential;
}

/**
 * How many attempts (operation ids) one email may use. Each takes a Failed/Canceled ACS
 * operation to use up, so reaching the end means ACS keeps failing this very email.
 */
export const MAX_ATTEMPTS = 10;

/** Operation statuses meaning ACS took the message (the SDK's KnownEmailSendStatus spellings). */
const ACCEPTED_STATUSES: ReadonlySet<string> = new Set([
  KnownEmailSendStatus.Succeeded,
  KnownEmailSendStatus.Running,
  KnownEmailSendStatus.NotStarted,
]);

/**
 * ACS error codes meaning this recipient cannot get the mail (suppression list after hard
 * bounces, an address ACS will not accept). Retrying would only fail again.
 */
const PERMANENT_CODES = /suppressed|invalidrecipient|invalidemailaddress|recipientnotfound/i;

export class AcsTransport implements Transport {
  private readonly undisclosed: EmailAddress | undefined;
  /** ACS refused a shared message: this process sends everyone their own from now on. */
  private sharedRefused = false;
  private readonly acceptor: AcceptClient;
  private readonly status: OperationStatusClient;
  private readonly pacers: AcsPacers;
  private readonly throttleBudgetMs: number;
  private readonly log: NonNullable<AcsTransportOptions['log']>;

  constructor(connection: AcsConnection, options: AcsTransportOptions = {}) {
    const clientOptions = options.clientOptions ?? {};
    this.pacers = options.pacers ?? createPacers();
    this.throttleBudgetMs = options.throttleBudgetMs ?? 10_000;
    this.log = options.log ?? (() => {});
    this.undisclosed = options.undisclosedRecipients;
    this.acceptor = new AcceptClient(connection.endpoint, connection.credential, { ...clientOptions, pacer: this.pacers.send });
    this.status = new OperationStatusClient(connection.endpoint, connection.credential, { ...clientOptions, pacer: this.pacers.status });
  }

  /** 50 (49 beside the undisclosed-recipients address); 1 once ACS has refused a shared message. */
  get maxRecipients(): number {
    if (this.sharedRefused) return 1;
    return this.undisclosed ? ACS_MAX_RECIPIENTS - 1 : ACS_MAX_RECIPIENTS;
  }

  async accept(email: Message, { operationId, mayHaveBeenSent }: AcceptOptions): Promise<Acceptance> {
    if (!isUuid(operationId)) throw new Error(`operationId "${operationId}" is not a UUID: ACS requires Operation-Id to be one`);
    const wire = toWireEmail(email, this.undisclosed);
    const count = wire.recipients.to.length + (wire.recipients.bcc?.length ?? 0);
    // ACS's own limit, not maxRecipients: a message planned before a fallback still goes (or is asked about) as planned.
    if (count > ACS_MAX_RECIPIENTS) throw new Error(`one ACS message takes at most ${ACS_MAX_RECIPIENTS} recipients, got ${count}`);
    let attempt = 0;
    if (mayHaveBeenSent) {
      const earlier = await this.findAcceptedAttempt(operationId);
      if (earlier.accepted) {
        this.log('info', `ACS operation ${earlier.id} had already been accepted; not sending again`);
        return { messageId: earlier.id, alreadyAccepted: true, delivered: false };
      }
      attempt = earlier.attempt;
    }
    const id = attemptOperationId(operationId, attempt);
    const deadline = performance.now() + this.throttleBudgetMs;
    for (;;) {
      // Waits out the app-wide pause, or throws QuotaExceededError when it is longer than what is left.
      await this.pacers.send.ready(Math.max(0, deadline - performance.now()));
      try {
        await this.acceptor.accept(id, wire);
        return { messageId: id, alreadyAccepted: false, delivered: false };
      } catch (e) {
        if (e instanceof RefusedRequestError && email.bcc.length > 0 && (e.aboutRecipients || wire.recipients.to.length === 0)) {
          const first = !this.sharedRefused;
          this.sharedRefused = true;
          throw new SharedMessageRefusedError(
            `ACS refused a message with its recipients in Bcc (${e.status} ${e.code}, ${wire.recipients.to.length === 0 ? 'To empty' : 'To the undisclosed-recipients address'})`,
            first,
          );
        }
        if (!(e instanceof Error && e.name === 'QuotaExceededError' && performance.now() < deadline)) throw e;
      }
    }
  }

  /**
   * What became of an accepted message (say a test email): its operation read until final, no
   * more often than ACS's `retry-after` allows, for at most `budgetMs` (acs/operationStatus.ts).
   * Delivery never calls this: it ends at the 202 and learns the rest from delivery reports.
   */
  async outcome(messageId: string, budgetMs: number): Promise<OperationStatus | undefined> {
    await this.pacers.status.ready(budgetMs);
    return this.status.waitUntilFinal(messageId, { budgetMs });
  }

  /**
   * Reads the status of an operation id that was never sent (`pim-notify doctor`): sends
   * nothing. ACS answers 404 when the endpoint is right and the credential accepted; a 401 or
   * 403 (AcsRequestError) says the credential is not.
   */
  async probe(operationId: string): Promise<void> {
    await this.status.get(operationId);
  }

  /** Walks the attempt ids without waiting: the first ACS took (Running counts), or the first free one. */
  private async findAcceptedAttempt(operationId: string): Promise<{ accepted: true; id: string } | { accepted: false; attempt: number }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const id = attemptOperationId(operationId, attempt);
      await this.pacers.status.ready(this.throttleBudgetMs);
      const found = await this.status.get(id);
      if (!found) return { accepted: false, attempt };
      if (ACCEPTED_STATUSES.has(found.status)) return { accepted: true, id };
      const code = found.error?.code ?? 'no error code';
      if (found.status === KnownEmailSendStatus.Failed && PERMANENT_CODES.test(code)) {
        throw new PermanentSendError(`ACS refused operation ${id} for good (${code}); fix or remove the addresses`);
      }
      if (found.status !== KnownEmailSendStatus.Failed && found.status !== KnownEmailSendStatus.Canceled) {
        throw new Error(`ACS operation ${id} has unknown status "${found.status}"; not sending again until it is final`);
      }
      this.log('warn', `ACS operation ${id} ended ${found.status} (${code}); trying attempt ${attempt + 1}`);
    }
    throw new PermanentSendError(
      `ACS failed all ${MAX_ATTEMPTS} attempts for operation ${operationId}; look these operation ids up in the ACS email logs`,
    );
  }
}

function wireAddress(a: EmailAddress): { address: string; displayName?: string } {
  return { address: a.address, ...(a.displayName ? { displayName: a.displayName } : {}) };
}

/**
 * The request body. A shared message: everyone in Bcc, so no recipient sees the others, and in
 * To the undisclosed-recipients address when there is one (else To is sent empty). Tracking off.
 */
export function toWireEmail(email: Message, undisclosed?: EmailAddress): WireEmail {
  const to = email.to.length === 0 && email.bcc.length > 0 && undisclosed ? [undisclosed] : email.to;
  return {
    senderAddress: email.from.address,
    recipients: { to: to.map(wireAddress), ...(email.bcc.length > 0 ? { bcc: email.bcc.map(wireAddress) } : {}) },
    content: { subject: email.subject, plainText: email.text, html: email.html },
    headers: withAutomatedHeaders(email.headers),
    userEngagementTrackingDisabled: true,
  };
}

/**
 * The transport for these settings: ACS_CONNECTION_STRING (access key, local and tests); else
 * ACS_ENDPOINT with the app's credential (the managed identity, from the composition root).
 */
export function createAcsTransport(
  settings: Pick<Settings, 'ACS_ENDPOINT' | 'ACS_CONNECTION_STRING' | 'AZURE_CLIENT_ID'> &
    Partial<Pick<Settings, 'EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS'>>,
  options: AcsTransportOptions & { credential?: TokenCredential } = {},
): AcsTransport {
  const { credential, ...rest } = options;
  const undisclosed = settings.EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS;
  const senderOptions = { ...(undisclosed ? { undisclosedRecipients: { address: undisclosed } } : {}), ...rest };
  if (settings.ACS_CONNECTION_STRING && !(credential && settings.ACS_ENDPOINT)) {
    const { url, credential: key } = parseConnectionString(settings.ACS_CONNECTION_STRING);
    return new AcsTransport({ endpoint: url, credential: key }, senderOptions);
  }
  if (settings.ACS_ENDPOINT && credential) return new AcsTransport({ endpoint: settings.ACS_ENDPOINT, credential }, senderOptions);
  throw new Error(
    'EMAIL_TRANSPORT=acs needs ACS_ENDPOINT (with the managed identity) or ACS_CONNECTION_STRING; set one in the app settings',
  );
}

function parseConnectionString(connectionString: string): { url: string; credential: KeyCredential | TokenCredential } {
  try {
    return parseClientArguments(connectionString);
  } catch {
    // The parser's message would echo the string, key included: say what is wrong instead.
    throw new Error('ACS_CONNECTION_STRING must look like endpoint=https://<name>.communication.azure.com/;accesskey=<base64 key>');
  }
}
