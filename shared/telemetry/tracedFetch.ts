/**
 * Graph goes through fetch in its own client, which no Azure SDK tracing sees: each request
 * becomes a client span here (method, host, path without the query, status), so Application
 * Insights shows it as a dependency of the invocation, its target the host. The query is left
 * out: a $filter can carry ids. ARM needs none of this: its client is an Azure SDK pipeline,
 * traced by the SDK itself (telemetry.ts). Without a registered tracer provider the API is a no-op.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export function tracedFetch(next: FetchLike): FetchLike {
  const tracer = trace.getTracer('pim-notify');
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    return tracer.startActiveSpan(
      `${method} ${url.pathname}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'url.full': `${url.origin}${url.pathname}`,
          'server.address': url.hostname,
        },
      },
      async (span) => {
        try {
          const response = await next(input, init);
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
          return response;
        } catch (e) {
          span.recordException(e as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
          throw e;
        } finally {
          span.end();
        }
      },
    );
  };
}
