/**
 * Graph requests as Application Insights dependencies: each fetch becomes a client
 * span with the method, host and path (never the query, which can carry ids) and the status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracedFetch } from '../../shared/telemetry/tracedFetch.js';

const exporter = new InMemorySpanExporter();
let server: Server;
let base = '';
beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  server = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/v1.0/users/missing') ? 404 : 200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  trace.disable();
  await new Promise((resolve) => server.close(resolve));
});

describe('tracedFetch', () => {
  it('records each request as a client span with method, host, path and status, without the query', async () => {
    exporter.reset();
    const traced = tracedFetch((input, init) => fetch(input, init));
    expect((await traced(`${base}/v1.0/users/u1?$select=mail&$filter=id eq 'x'`)).status).toBe(200);
    expect((await traced(new URL(`${base}/v1.0/users/missing`), { method: 'post' })).status).toBe(404);

    const [ok, missing] = exporter.getFinishedSpans();
    expect(ok).toMatchObject({ name: 'GET /v1.0/users/u1', kind: SpanKind.CLIENT });
    expect(ok!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${base}/v1.0/users/u1`,
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(ok!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(missing).toMatchObject({ name: 'POST /v1.0/users/missing', status: { code: SpanStatusCode.ERROR, message: 'HTTP 404' } });
  });

  it('records a failed connection as an error span and rethrows', async () => {
    exporter.reset();
    const traced = tracedFetch((input, init) => fetch(input, init));
    await expect(traced('http://127.0.0.1:1/subscriptions')).rejects.toThrow();
    expect(exporter.getFinishedSpans()[0]).toMatchObject({ name: 'GET /subscriptions', status: { code: SpanStatusCode.ERROR } });
  });
});
