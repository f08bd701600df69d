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

/** The request body in the REST API's names (userEngagementTrackingDisabled, not the SDK's disable…). */
export interface WireEmail {
  senderAddress: string;
  recipients: { to: WireAddress[]; bcc?: WireAddress[] };
  content: { subject: string; plainText: string; html: string };
  headers?: Record<string, string>;
  userEngagementTrackingDisabled: boolean;
}

export interface WireAddress {
  address: string;
  displayName?: string;
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
      throw new PermanentSendError(
        `ACS rejected the email request for operation ${operationId} (${response.status} ${code}); sending it again would fail the same way`,
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
