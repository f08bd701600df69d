/**
 * EmailSender on Azure Communication Services Email, sending each email exactly once.
 *
 * Exactly once rests on the caller's deterministic operationId (one per event × recipient),
 * sent as Operation-Id. A retry after a crash (mayHaveBeenSent) first asks ACS what became of
 * that operation instead of sending blind: Succeeded → already sent; Running → wait for it;
 * unknown (404) → send now; Failed/Canceled → send again under a derived id (attemptIds.ts).
 *
 * Only status Succeeded counts as sent. Every other outcome throws: PermanentSendError when
 * ACS says the recipient cannot get mail, otherwise a transient error the queue retries with
 * mayHaveBeenSent, so an accepted-but-unconfirmed send is looked up, never repeated.
 *
 * accept() (the GroupSender port) is the path the notifications take: one message to up to 50
 * recipients in Bcc, done once ACS answers 202. Nothing is polled; the delivery reports say
 * what became of each recipient. On a retry it asks ACS about the earlier attempts exactly as
 * send() does, but counts Running as accepted instead of waiting for it. Every request goes
 * through the app's pacers (acs/pacer.ts): a 429 pauses all sends, and a pause longer than
 * `throttleBudgetMs` comes back as QuotaExceededError so the work is queued for later.
 */
import { EmailClient, type EmailClientOptions, type EmailMessage, type EmailSendResult } from '@azure/communication-email';
import { parseClientArguments } from '@azure/communication-common';
import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import { isRestError } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../settings/settings.js';
import { attemptOperationId, isUuid } from './acs/attemptIds.js';
import { AcceptClient, type WireEmail } from './acs/acceptClient.js';
import { AcsRequestError, OperationStatusClient, type OperationStatus } from './acs/operationStatus.js';
import { createPacers, type AcsPacers } from './acs/pacer.js';
import { PermanentSendError, type EmailAddress, type EmailSender, type OutgoingEmail, type SendOptions, type SendResult } from './emailSender.js';
import type { AcceptOptions, AcceptResult, GroupEmail, GroupSender } from './groupSender.js';
import type { Log } from '../log.js';

/** ACS kept throttling after the client's own retries; the queue should retry after retryAfterMs. */
export class SendThrottledError extends Error {
  override readonly name = 'SendThrottledError';
  constructor(
    message: string,
    /** How long ACS asked to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

export interface AcsSenderOptions {
  /** Passed to EmailClient and the status reads: retryOptions, allowInsecureConnection (local only), httpClient. */
  clientOptions?: EmailClientOptions;
  /** Poll interval when ACS sends no retry-after. Default 2000 ms (the SDK's). */
  pollIntervalMs?: number;
  /** How long one send waits for its operation to finish before handing over to a retry. Default 120 s. */
  maxWaitMs?: number;
  /** Ids only, never addresses. */
  log?: Log;
  /** The process's pacers (one per app: the composition root passes the same to every sender). */
  pacers?: AcsPacers;
  /** How long accept() may wait out a 429 pause before handing the work back (QuotaExceededError). Default 10 s. */
  throttleBudgetMs?: number;
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

/**
 * ACS error codes meaning this recipient cannot get the mail (suppression list after hard
 * bounces, an address ACS will not accept). Retrying would only fail again.
 */
const PERMANENT_CODES = /suppressed|invalidrecipient|invalidemailaddress|recipientnotfound/i;

export class AcsEmailSender implements EmailSender, GroupSender {
  readonly maxRecipients = ACS_MAX_RECIPIENTS;
  private readonly client: EmailClient;
  private readonly status: OperationStatusClient;
  private readonly acceptor: AcceptClient;
  private readonly pacedStatus: OperationStatusClient;
  private readonly pacers: AcsPacers;
  private readonly throttleBudgetMs: number;
  private readonly pollIntervalMs: number;
  private readonly maxWaitMs: number;
  private readonly log: NonNullable<AcsSenderOptions['log']>;

  constructor(connection: AcsConnection, options: AcsSenderOptions = {}) {
    const clientOptions = options.clientOptions ?? {};
    this.pacers = options.pacers ?? createPacers();
    this.throttleBudgetMs = options.throttleBudgetMs ?? 10_000;
    // send() too shares the app's pause (its SDK retries still sleep through short ones themselves).
    const pacedPolicy = { policy: this.pacers.send.policy({ budgetMs: this.throttleBudgetMs, refuse429: false }), position: 'perRetry' as const };
    this.client = new EmailClient(connection.endpoint, connection.credential, {
      ...clientOptions,
      additionalPolicies: [...(clientOptions.additionalPolicies ?? []), pacedPolicy],
    });
    this.status = new OperationStatusClient(connection.endpoint, connection.credential, clientOptions);
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxWaitMs = options.maxWaitMs ?? 120_000;
    this.log = options.log ?? (() => {});
    this.acceptor = new AcceptClient(connection.endpoint, connection.credential, { ...clientOptions, pacer: this.pacers.send });
    this.pacedStatus = new OperationStatusClient(connection.endpoint, connection.credential, { ...clientOptions, pacer: this.pacers.status });
  }

  async accept(email: GroupEmail, { operationId, mayHaveBeenSent }: AcceptOptions): Promise<AcceptResult> {
    if (!isUuid(operationId)) throw new Error(`operationId "${operationId}" is not a UUID: ACS requires Operation-Id to be one`);
    if (email.to.length + email.bcc.length > this.maxRecipients) {
      throw new Error(`one ACS message takes at most ${this.maxRecipients} recipients, got ${email.to.length + email.bcc.length}`);
    }
    let attempt = 0;
    if (mayHaveBeenSent) {
      const earlier = await this.findAcceptedAttempt(operationId);
      if (earlier.accepted) {
        this.log('info', `ACS operation ${earlier.id} had already been accepted; not sending again`);
        return { messageId: earlier.id, alreadyAccepted: true };
      }
      attempt = earlier.attempt;
    }
    const id = attemptOperationId(operationId, attempt);
    const deadline = performance.now() + this.throttleBudgetMs;
    for (;;) {
      // Waits out the app-wide pause, or throws QuotaExceededError when it is longer than what is left.
      await this.pacers.send.ready(Math.max(0, deadline - performance.now()));
      try {
        await this.acceptor.accept(id, toWireEmail(email));
        return { messageId: id, alreadyAccepted: false };
      } catch (e) {
        if (!(e instanceof Error && e.name === 'QuotaExceededError' && performance.now() < deadline)) throw e;
      }
    }
  }

  /** Walks the attempt ids without waiting: the first ACS took (Running counts), or the first free one. */
  private async findAcceptedAttempt(operationId: string): Promise<{ accepted: true; id: string } | { accepted: false; attempt: number }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const id = attemptOperationId(operationId, attempt);
      await this.pacers.status.ready(this.throttleBudgetMs);
      const found = await this.pacedStatus.get(id);
      if (!found) return { accepted: false, attempt };
      if (found.status === 'Succeeded' || found.status === 'Running' || found.status === 'NotStarted') return { accepted: true, id };
      const code = found.error?.code ?? 'no error code';
      if (found.status === 'Failed' && PERMANENT_CODES.test(code)) {
        throw new PermanentSendError(`ACS refused operation ${id} for good (${code}); fix or remove the addresses`);
      }
      if (found.status !== 'Failed' && found.status !== 'Canceled') {
        throw new Error(`ACS operation ${id} has unknown status "${found.status}"; not sending again until it is final`);
      }
      this.log('warn', `ACS operation ${id} ended ${found.status} (${code}); trying attempt ${attempt + 1}`);
    }
    throw new PermanentSendError(`ACS failed all ${MAX_ATTEMPTS} attempts for operation ${operationId}; look these operation ids up in the ACS email logs`);
  }

  async send(email: OutgoingEmail, { operationId, mayHaveBeenSent }: SendOptions): Promise<SendResult> {
    if (!isUuid(operationId)) {
      throw new Error(`operationId "${operationId}" is not a UUID: ACS requires Operation-Id to be one; derive it with a UUID v5 of (event id, recipient)`);
    }
    let attempt = 0;
    if (mayHaveBeenSent) {
      const earlier = await this.findEarlierAttempt(operationId);
      if (earlier.sent) {
        this.log('info', `ACS operation ${earlier.id} had already succeeded; not sending again`);
        return { messageId: earlier.id, alreadySent: true };
      }
      attempt = earlier.attempt;
    }
    const id = attemptOperationId(operationId, attempt);
    await this.sendAttempt(email, id);
    this.log('info', `ACS operation ${id} succeeded (attempt ${attempt})`);
    return { messageId: id, alreadySent: false };
  }

  /** Walks the attempt ids: the first that succeeded, or the first free one to send with. */
  private async findEarlierAttempt(operationId: string): Promise<{ sent: true; id: string } | { sent: false; attempt: number }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const id = attemptOperationId(operationId, attempt);
      const found = await this.waitForFinalStatus(id);
      if (!found) return { sent: false, attempt };
      if (found.status === 'Succeeded') return { sent: true, id };
      const code = found.error?.code ?? 'no error code';
      if (found.status === 'Failed' && PERMANENT_CODES.test(code)) {
        throw new PermanentSendError(`ACS refused operation ${id} for good (${code}): the recipient cannot receive mail; fix or remove the address`);
      }
      this.log('warn', `ACS operation ${id} ended ${found.status} (${code}); trying attempt ${attempt + 1}`);
    }
    throw new PermanentSendError(
      `ACS failed all ${MAX_ATTEMPTS} attempts for operation ${operationId}; look these operation ids up in the ACS email logs before resending`,
    );
  }

  /** The operation's final status, or undefined if ACS never got it; waits while it runs. */
  private async waitForFinalStatus(id: string): Promise<OperationStatus | undefined> {
    const deadline = performance.now() + this.maxWaitMs;
    for (;;) {
      let found: OperationStatus | undefined;
      try {
        found = await this.status.get(id);
      } catch (e) {
        if (e instanceof AcsRequestError && e.statusCode === 429) {
          throw new SendThrottledError(`ACS throttled the status read of operation ${id}; retry later`, e.retryAfterMs);
        }
        throw e;
      }
      if (!found || found.status === 'Succeeded' || found.status === 'Failed' || found.status === 'Canceled') return found;
      if (found.status !== 'Running' && found.status !== 'NotStarted') {
        throw new Error(`ACS operation ${id} has unknown status "${found.status}"; not sending again until it is final`);
      }
      if (performance.now() >= deadline) {
        throw new Error(`ACS operation ${id} is still ${found.status} after ${this.maxWaitMs} ms; not sending again, the retry will ask ACS once more`);
      }
      await sleep(this.pollIntervalMs);
    }
  }

  /** One beginSend under `id`, polled to the end; returns only if ACS reports Succeeded. */
  private async sendAttempt(email: OutgoingEmail, id: string): Promise<void> {
    let last: Partial<EmailSendResult> | undefined;
    let result: Partial<EmailSendResult>;
    try {
      const poller = await this.client.beginSend(toAcsMessage(email), {
        operationId: id,
        updateIntervalInMs: this.pollIntervalMs,
        // The poller throws on Failed with the code buried in a sentence; keep the body instead.
        onResponse: (raw) => {
          if (raw.parsedBody && typeof raw.parsedBody === 'object') last = raw.parsedBody as Partial<EmailSendResult>;
        },
      });
      result = await poller.pollUntilDone({ abortSignal: AbortSignal.timeout(this.maxWaitMs) });
    } catch (e) {
      throw classifyFailure(e, id, last, this.maxWaitMs);
    }
    if (result.status !== 'Succeeded') {
      // e.g. a 202 without operation-location resolves the poller with status Running.
      throw new Error(`ACS operation ${id} was accepted but is ${result.status ?? 'without status'}, not Succeeded; not counted as sent, the retry will ask ACS for its status`);
    }
  }
}

function classifyFailure(e: unknown, id: string, last: Partial<EmailSendResult> | undefined, maxWaitMs: number): Error {
  if (last?.status === 'Failed' || last?.status === 'Canceled') {
    const code = last.error?.code ?? 'no error code';
    if (PERMANENT_CODES.test(code)) {
      return new PermanentSendError(`ACS refused operation ${id} for good (${code}): the recipient cannot receive mail; fix or remove the address`);
    }
    return new Error(`ACS operation ${id} ended ${last.status} (${code}); the retry sends again under a new attempt id`, { cause: e });
  }
  if (isRestError(e) && e.statusCode !== undefined) {
    const code = restErrorCode(e.details);
    if (e.statusCode === 429) {
      const retryAfter = Number(e.response?.headers.get('retry-after'));
      return new SendThrottledError(
        `ACS is still throttling sends (429 ${code}) after the client's retries; operation ${id} was not accepted, retry later`,
        Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
      );
    }
    if (e.statusCode === 400 || e.statusCode === 413 || e.statusCode === 422) {
      return new PermanentSendError(`ACS rejected the email request for operation ${id} (${e.statusCode} ${code}); sending it again would fail the same way`);
    }
    if (e.statusCode === 401 || e.statusCode === 403) {
      return new Error(
        `ACS denied operation ${id} (${e.statusCode} ${code}): check the access key in ACS_CONNECTION_STRING, or that the managed identity (AZURE_CLIENT_ID) has a Communication Services role on ACS_ENDPOINT`,
        { cause: e },
      );
    }
    return new Error(`ACS answered ${e.statusCode} (${code}) for operation ${id}; the retry will ask ACS for its status`, { cause: e });
  }
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return new Error(`ACS operation ${id} did not finish within ${maxWaitMs} ms; not counted as sent, the retry will ask ACS for its status`, { cause: e });
  }
  return new Error(`Sending ACS operation ${id} failed (${e instanceof Error ? e.name : 'unknown error'}); the retry will ask ACS for its status`, { cause: e });
}

function restErrorCode(details: unknown): string {
  const error = (details as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' ? error.code : 'no error code';
}

/**
 * One recipient per message (see emailSender.ts). ACS takes the From display name from the
 * sender username configured on the domain, not from the request, so from.displayName is
 * not sent. Engagement tracking is off: no tracking pixels or rewritten links in security mail.
 */
export function toAcsMessage(email: OutgoingEmail): EmailMessage {
  return {
    senderAddress: email.from.address,
    recipients: { to: [{ address: email.to.address, ...(email.to.displayName ? { displayName: email.to.displayName } : {}) }] },
    content: { subject: email.subject, plainText: email.text, html: email.html },
    ...(email.headers && Object.keys(email.headers).length > 0 ? { headers: email.headers } : {}),
    disableUserEngagementTracking: true,
  };
}

function wireAddress(a: EmailAddress): { address: string; displayName?: string } {
  return { address: a.address, ...(a.displayName ? { displayName: a.displayName } : {}) };
}

/**
 * A grouped message: everyone in Bcc, so no recipient sees the others (To stays empty; ACS
 * needs one recipient in To, Cc or Bcc). Tracking off, as in toAcsMessage.
 */
export function toWireEmail(email: GroupEmail): WireEmail {
  return {
    senderAddress: email.from.address,
    recipients: { to: email.to.map(wireAddress), ...(email.bcc.length > 0 ? { bcc: email.bcc.map(wireAddress) } : {}) },
    content: { subject: email.subject, plainText: email.text, html: email.html },
    ...(email.headers && Object.keys(email.headers).length > 0 ? { headers: email.headers } : {}),
    userEngagementTrackingDisabled: true,
  };
}

/**
 * The sender for these settings: ACS_CONNECTION_STRING (access key, local and tests); else
 * ACS_ENDPOINT with the app's credential (the managed identity, from the composition root).
 */
export function createAcsEmailSender(
  settings: Pick<Settings, 'ACS_ENDPOINT' | 'ACS_CONNECTION_STRING' | 'AZURE_CLIENT_ID'>,
  options: AcsSenderOptions & { credential?: TokenCredential } = {},
): AcsEmailSender {
  const { credential, ...senderOptions } = options;
  if (settings.ACS_CONNECTION_STRING && !(credential && settings.ACS_ENDPOINT)) {
    const { url, credential: key } = parseConnectionString(settings.ACS_CONNECTION_STRING);
    return new AcsEmailSender({ endpoint: url, credential: key }, senderOptions);
  }
  if (settings.ACS_ENDPOINT && credential) return new AcsEmailSender({ endpoint: settings.ACS_ENDPOINT, credential }, senderOptions);
  throw new Error('EMAIL_TRANSPORT=acs needs ACS_ENDPOINT (with the managed identity) or ACS_CONNECTION_STRING; set one in the app settings');
}

function parseConnectionString(connectionString: string): { url: string; credential: KeyCredential | TokenCredential } {
  try {
    return parseClientArguments(connectionString);
  } catch {
    // The parser's message would echo the string, key included: say what is wrong instead.
    throw new Error('ACS_CONNECTION_STRING must look like endpoint=https://<name>.communication.azure.com/;accesskey=<base64 key>');
  }
}
