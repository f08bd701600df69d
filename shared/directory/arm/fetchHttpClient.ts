/**
 * A core-rest-pipeline HttpClient that puts the request on the wire with a `fetch`: the global
 * one in Azure, the injected one in tests (which sends the same request to a local ARM). The
 * pipeline's policies (bearer token, retry, Retry-After) run above it either way.
 *
 * Errors follow the SDK's own clients, so its retry policy treats them the same way: a network
 * failure becomes a RestError carrying the system error code (ECONNRESET... are retried), while
 * a timeout or the caller's abort is thrown as is and not retried (a hung ARM would otherwise
 * hold the invocation for every retry).
 */
import { RestError, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { withTimeout, type FetchLike } from '../graph/graphClient.js';

export function fetchHttpClient(fetchImpl: FetchLike, defaultTimeoutMs: number): HttpClient {
  return {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const signal = withTimeout(request.abortSignal as AbortSignal | undefined, request.timeout > 0 ? request.timeout : defaultTimeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(request.url, {
          method: request.method,
          headers: request.headers.toJSON(),
          ...(typeof request.body === 'string' ? { body: request.body } : {}),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        const cause = (error as { cause?: { code?: unknown } }).cause;
        const code = typeof cause?.code === 'string' ? cause.code : RestError.REQUEST_SEND_ERROR;
        throw new RestError(error instanceof Error ? error.message : String(error), { code, request });
      }
      const headers = createHttpHeaders();
      response.headers.forEach((value, name) => headers.set(name, value));
      return { request, status: response.status, headers, bodyAsText: await response.text() };
    },
  };
}
