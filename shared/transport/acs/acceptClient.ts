/**
 * `POST /emails:send` and nothing more: ACS has accepted the message once it answers 202 for
 * our Operation-Id. EmailClient.beginSend cannot stop there (it always polls the operation
 * once before returning, spending a status read of the quota), so the request is made on the
 * same signed pipeline as the status reads (operationStatus.ts), with the app's send pacer.
 */
import type { KeyCredential, TokenCredential } from '@azure/core-auth';
import { createPipelineRequest, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import { PermanentSendError } from '../transport.js';
import { ACS_EMAIL_API_VERSION, errorCode, signedPipeline, type StatusClientOptions } from './operationStatus.js';

/** An error detail that points at the recipients: `recipients…` / `to` as its target, or "recipient" in its code or message. */
function namesRecipients(bodyText: string | null | undefined): boolean {
  type Detail = { code?: unknown; message?: unknown; target?: unknown; details?: Detail[] };
  let root: Detail | undefined;
  try {
    root = (JSON.parse(bodyText ?? '') as { error?: Detail }).error;
  } catch {
    return false;
  }
  const names = (d: Detail | undefined, depth: number): boolean => {
    if (!d || depth > 3) return false;
    const target = typeof d.target === 'string' ? d.target : '';
    if (/recipient|^to$|\.to$/i.test(target)) return true;
    if ([d.code, d.message].some((v) => typeof v === 'string' && /recipient/i.test(v))) return true;
    return Array.isArray(d.details) && d.details.some((x) => names(x, depth + 1));
  };
  return names(root, 0);
}

/** The request body in the REST API's names (userEngagementTrackingDisabled, not the SDK's disable…). */
export interface WireEmail {
  senderAddress: string;
  /** `to` always present: the spec's EmailRecipients requires it. */
  recipients: { to: WireAddress[]; bcc?: WireAddress[] };
  content: { subject: string; plainText: string; html: string };
  headers?: Record<string, string>;
  userEngagementTrackingDisabled: boolean;
}

export interface WireAddress {
  address: string;
  displayName?: string;
}

/**
 * ACS refused the request itself (400, 413, 422): sending it again would fail the same way.
 * `aboutRecipients`: the error names the recipients (its code, target or message); the message
 * text is looked at, never kept, as it may echo addresses.
 */
export class RefusedRequestError extends PermanentSendError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly aboutRecipients: boolean,
  ) {
    super(message);
  }
}

export class AcceptClient {
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;

  constructor(
    private readonly endpoint: string,
    credential: KeyCredential | TokenCredential,
    private readonly options: StatusClientOptions,
  ) {
    ({ pipeline: this.pipeline, httpClient: this.httpClient } = signedPipeline(credential, options));
  }

  /** Resolves when ACS answers 202 for `operationId`; throws PermanentSendError for a request ACS will never take. */
  async accept(operationId: string, email: WireEmail): Promise<void> {
    const request = createPipelineRequest({
      url: `${this.endpoint.replace(/\/+$/, '')}/emails:send?api-version=${ACS_EMAIL_API_VERSION}`,
      method: 'POST',
      body: JSON.stringify(email),
      allowInsecureConnection: this.options.allowInsecureConnection ?? false,
    });
    request.headers.set('content-type', 'application/json');
    request.headers.set('operation-id', operationId);
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    if (response.status === 202) return;
    const code = errorCode(response.bodyAsText);
    if (response.status === 400 || response.status === 413 || response.status === 422) {
      throw new RefusedRequestError(
        `ACS rejected the email request for operation ${operationId} (${response.status} ${code}); sending it again would fail the same way`,
        response.status,
        code,
        namesRecipients(response.bodyAsText),
      );
    }
    throw new Error(
      `ACS answered ${response.status} (${code}) to the send of operation ${operationId}` +
        (response.status === 401 || response.status === 403
          ? "; check the access key or the managed identity's role on the ACS resource"
          : '; the retry asks ACS for its status first'),
    );
  }
}
