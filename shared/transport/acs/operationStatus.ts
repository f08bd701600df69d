/**
 * Reads the status of an ACS email operation (`GET /emails/operations/{id}`).
 *
 * EmailClient 1.1.0 exposes only beginSend, so this builds a pipeline from the same client
 * options (retry, allowInsecureConnection, httpClient) and signs with the SDK's own auth policy
 * (@azure/communication-common: HMAC for an access key, a bearer token for a TokenCredential):
 * the same credential and the same signature as the sends. Both packages are dependencies of
 * @azure/communication-email and are used through their public exports.
 *
 * Polling (waitUntilFinal) waits what ACS says between reads: the spec's `retry-after` on a
 * non-terminal status "indicates the minimum amount of time in seconds to wait before polling
 * for operation status again" (specification/communication/data-plane/Email/stable/2025-09-01/
 * CommunicationServicesEmail.json, Email_GetSendResult, 200). Its "still running" example asks
 * for 100 s: a poll that cannot wait that long stops and says so, instead of spending status
 * reads (ACS counts them against their own quota) on an answer it was told not to ask for yet.
 */
import { createCommunicationAuthPolicy } from '@azure/communication-common';
import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import {
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineOptions,
} from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendPacer } from './pacer.js';

/**
 * The api-version EmailClient 1.1.0 sends with (its generated default), so the status is
 * read from the same API the operation was created through.
 */
export const ACS_EMAIL_API_VERSION = '2025-09-01';

export interface OperationStatus {
  id: string;
  /** NotStarted | Running | Succeeded | Failed | Canceled (KnownEmailSendStatus). */
  status: string;
  error?: { code?: string; message?: string };
  /** A non-terminal status's `retry-after`: not to be read again sooner. */
  retryAfterMs?: number;
}

/** Statuses after which the operation no longer changes (the spec's EmailSendStatus). */
const FINAL: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Canceled']);

/** Between reads when a non-terminal status carries no `retry-after` (@azure/core-lro's default interval). */
export const DEFAULT_POLL_INTERVAL_MS = 2_000;

export interface PollOptions {
  /** How long the poll may take in all; a wait ACS asks for that would pass it ends the poll. */
  budgetMs: number;
  /** Tests pass a clock and a sleep that moves it. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface StatusClientOptions extends PipelineOptions {
  allowInsecureConnection?: boolean;
  httpClient?: HttpClient;
  /** Shares ACS's 429 pauses with the rest of the app (pacer.ts); a 429 then throws QuotaExceededError. */
  pacer?: SendPacer;
}

/** A pipeline signed like the SDK's (HMAC or bearer token), with the app's pacer when given. */
export function signedPipeline(
  credential: KeyCredential | TokenCredential,
  options: StatusClientOptions,
): { pipeline: Pipeline; httpClient: HttpClient } {
  const pipeline = createPipelineFromOptions(options);
  pipeline.addPolicy(createCommunicationAuthPolicy(credential));
  if (options.pacer) pipeline.addPolicy(options.pacer.policy({ budgetMs: 0, refuse429: true }), { afterPhase: 'Retry' });
  return { pipeline, httpClient: options.httpClient ?? createDefaultHttpClient() };
}

export class AcsRequestError extends Error {
  override readonly name = 'AcsRequestError';
  constructor(
    message: string,
    readonly statusCode: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

export class OperationStatusClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor(
    private readonly endpoint: string,
    credential: KeyCredential | TokenCredential,
    private readonly options: StatusClientOptions = {},
  ) {
    ({ pipeline: this.pipeline, httpClient: this.httpClient } = signedPipeline(credential, options));
  }

  /** The operation's status, or undefined when ACS does not know the id (404: never sent). */
  async get(operationId: string, abortSignal?: AbortSignal): Promise<OperationStatus | undefined> {
    const url = `${this.endpoint.replace(/\/+$/, '')}/emails/operations/${encodeURIComponent(operationId)}?api-version=${ACS_EMAIL_API_VERSION}`;
    const request = createPipelineRequest({
      url,
      method: 'GET',
      allowInsecureConnection: this.options.allowInsecureConnection ?? false,
      ...(abortSignal ? { abortSignal } : {}),
    });
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new AcsRequestError(
        `ACS status request for operation ${operationId} answered ${response.status} (${errorCode(response.bodyAsText)})` +
          (response.status === 401 || response.status === 403
            ? "; check the access key or the managed identity's role on the ACS resource"
            : ''),
        response.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      );
    }
    const body = JSON.parse(response.bodyAsText ?? '{}') as Partial<OperationStatus>;
    if (typeof body.status !== 'string') {
      throw new AcsRequestError(`ACS status for operation ${operationId} has no status field`, response.status, undefined);
    }
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    return {
      id: body.id ?? operationId,
      status: body.status,
      ...(body.error ? { error: body.error } : {}),
      ...(retryAfterMs !== undefined && !FINAL.has(body.status) ? { retryAfterMs } : {}),
    };
  }

  /**
   * Reads the operation until it is final, each read no sooner than the previous one's
   * `retry-after`. Returns the final status; the last one read when the next wait would pass
   * the budget (its `retryAfterMs` says how long ACS asked to wait); undefined when ACS does
   * not know the id.
   */
  async waitUntilFinal(operationId: string, options: PollOptions): Promise<OperationStatus | undefined> {
    const now = options.now ?? (() => performance.now());
    const wait = options.sleep ?? ((ms: number) => sleep(ms));
    const deadline = now() + options.budgetMs;
    for (;;) {
      const status = await this.get(operationId);
      if (!status || FINAL.has(status.status)) return status;
      const next = status.retryAfterMs ?? DEFAULT_POLL_INTERVAL_MS;
      if (now() + next > deadline) return status;
      await wait(next);
    }
  }
}

/** `retry-after` in seconds (the spec's int32), as milliseconds; undefined when absent or not a number. */
function retryAfter(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The service's error code only: messages may echo addresses, which must not reach logs. */
export function errorCode(bodyText: string | null | undefined): string {
  try {
    const parsed = JSON.parse(bodyText ?? '') as { error?: { code?: string } };
    return parsed.error?.code ?? 'no error code';
  } catch {
    return 'no error code';
  }
}
