/**
 * Microsoft Graph access for the role lookup: the official client (@microsoft/microsoft-graph-client)
 * with a TokenCredential, plus the two things it leaves to us: following @odata.nextLink to the
 * end, and retrying the requests inside a $batch that come back 429/503 (the client's
 * RetryHandler only sees the $batch envelope, which is 200).
 *
 * Reaching a local endpoint: the client only treats https URLs of known Graph hosts (or
 * `customHosts`) as Graph, so a plain-http base URL loses the Authorization header and an http
 * @odata.nextLink is taken for a relative path. We therefore always talk to the real base URL
 * (GRAPH_BASE_URL) and make the last middleware, the one that puts bytes on the wire, call an
 * injectable `fetch`. Production passes nothing (global fetch, exactly what the client's own
 * HTTPMessageHandler does); tests pass a fetch that sends the same request to a local server.
 */
import {
  Client,
  type Context,
  type Middleware,
  AuthenticationHandler,
  RetryHandler,
  RetryHandlerOptions,
  RedirectHandler,
  RedirectHandlerOptions,
  TelemetryHandler,
  GraphError,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { TokenCredential } from '@azure/identity';
import { setTimeout as sleep } from 'node:timers/promises';
import { graphPermissionFor } from '../../permissions/graph.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface GraphApiOptions {
  /** GRAPH_BASE_URL, e.g. https://graph.microsoft.com (national clouds differ). */
  baseUrl: string;
  credential: TokenCredential;
  /** The transport; defaults to global fetch. Tests route requests to a local endpoint with it. */
  fetch?: FetchLike;
  /** Most attempts for throttled requests inside a $batch (the envelope itself is retried by the client). */
  maxBatchRetries?: number;
  /**
   * Gives up on a request that does not answer in time (default 30 s): a hung connection
   * would otherwise hold the invocation until functionTimeout; failing lets the queue retry.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The caller's abort signal, if any, combined with a timeout. */
export function withTimeout(signal: AbortSignal | null | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** One GET of a $batch: a path, or a path with its own headers (an advanced query's, say). */
export type BatchGet = string | { path: string; headers: Record<string, string> };

export interface BatchResult {
  status: number;
  body: unknown;
}

/** At most 20 requests per $batch (Graph's limit). */
export const GRAPH_BATCH_LIMIT = 20;
const RETRYABLE = new Set([429, 503, 504]);

/** The last middleware: sends the request with the injected fetch, as HTTPMessageHandler does with the global one. */
class FetchHandler implements Middleware {
  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly timeoutMs: number,
  ) {}
  async execute(context: Context): Promise<void> {
    const init = (context.options ?? {}) as RequestInit;
    context.response = await this.fetchImpl(context.request as string | Request, {
      ...init,
      signal: withTimeout(init.signal, this.timeoutMs),
    });
  }
}

export class GraphApi {
  readonly client: Client;
  private readonly maxBatchRetries: number;

  constructor(options: GraphApiOptions) {
    const baseUrl = options.baseUrl.replace(/\/+$/, '');
    const host = new URL(baseUrl).host;
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [`${baseUrl}/.default`] });
    const chain: Middleware[] = [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions()),
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      new FetchHandler(options.fetch ?? ((input, init) => fetch(input, init)), options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    ];
    // customHosts: a GRAPH_BASE_URL outside the client's built-in list still gets the token.
    this.client = Client.initWithMiddleware({ baseUrl, defaultVersion: 'v1.0', middleware: chain, customHosts: new Set([host]) });
    this.maxBatchRetries = options.maxBatchRetries ?? 4;
  }

  /** One GET; `path` is relative to /v1.0 or an absolute @odata.nextLink. `headers`: e.g. ConsistencyLevel for advanced queries. */
  async get<T>(path: string, headers?: Record<string, string>): Promise<T> {
    try {
      return (await this.client
        .api(path)
        .headers(headers ?? {})
        .get()) as T;
    } catch (error) {
      throw explain(error, 'GET', path);
    }
  }

  /** GET a collection and follow @odata.nextLink until the last page. */
  async list<T>(path: string, headers?: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      // An advanced query's next pages need its headers again.
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, headers);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
    return items;
  }

  /**
   * Many GETs through POST /$batch, 20 per batch, results in the order of `paths`. Inner 429/503
   * responses are sent again in a later batch after the longest Retry-After among them.
   * Other inner failures (404, 403...) are returned as they are, for the caller to decide on.
   * `headers` go on every inner request (a $batch item carries its own headers), after any a
   * request names itself.
   */
  async batchGet(paths: readonly BatchGet[], headers?: Record<string, string>): Promise<BatchResult[]> {
    const results: BatchResult[] = new Array(paths.length);
    for (let start = 0; start < paths.length; start += GRAPH_BATCH_LIMIT) {
      let pending = paths.slice(start, start + GRAPH_BATCH_LIMIT).map((get, i) => ({
        index: start + i,
        path: typeof get === 'string' ? get : get.path,
        headers: typeof get === 'string' ? headers : { ...get.headers, ...headers },
      }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        const envelope: { responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] } =
          await this.post('/$batch', {
            requests: pending.map((p) => ({
              id: String(p.index),
              method: 'GET',
              url: p.path.startsWith('/') ? p.path : `/${p.path}`,
              ...(p.headers ? { headers: p.headers } : {}),
            })),
          });
        const throttled: typeof pending = [];
        let waitSeconds = 0;
        for (const response of envelope.responses ?? []) {
          const entry = pending.find((p) => String(p.index) === response.id);
          if (!entry) continue;
          if (RETRYABLE.has(response.status) && attempt < this.maxBatchRetries) {
            throttled.push(entry);
            waitSeconds = Math.max(waitSeconds, retryAfterSeconds(response.headers, attempt));
          } else {
            results[entry.index] = { status: response.status, body: response.body };
          }
        }
        for (const p of pending) {
          if (!results[p.index] && !throttled.includes(p))
            results[p.index] = { status: 0, body: { error: { code: 'MissingBatchResponse' } } };
        }
        pending = throttled;
        if (pending.length > 0) await sleep(waitSeconds * 1000);
      }
    }
    return results;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    try {
      return (await this.client.api(path).post(body)) as T;
    } catch (error) {
      throw explain(error, 'POST', path);
    }
  }
}

/** Seconds to wait before retrying a throttled inner request: its Retry-After, else exponential backoff. */
function retryAfterSeconds(headers: Record<string, string> | undefined, attempt: number): number {
  const raw = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  const seconds = raw === undefined ? NaN : Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 120);
  return Math.min(2 ** attempt, 30);
}

export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(
    message: string,
    readonly statusCode: number,
    readonly code: string | undefined,
    /** On a 401/403: the application permission the call needs (shared/permissions/graph.ts). */
    readonly permission?: string,
  ) {
    super(message);
  }
}

/** The permission a refused call (401/403) lacks, for reporting it once per permission (permissions/missing.ts). */
export function refusedPermission(status: number, path: string): string | undefined {
  return status === 401 || status === 403
    ? (graphPermissionFor(path) ?? `Microsoft Graph ${path.replace(/^https:\/\/[^/]+/, '').split('?')[0]}`)
    : undefined;
}

function explain(error: unknown, method: string, path: string): unknown {
  if (!(error instanceof GraphError)) return error;
  const where = `Microsoft Graph ${method} ${path.replace(/^https:\/\/[^/]+/, '')}`;
  const status = error.statusCode;
  let advice = '';
  if (status === 401 || status === 403) {
    advice = `: grant the app's managed identity (AZURE_CLIENT_ID) the Graph application permission ${graphPermissionFor(path) ?? '(see docs/deploy.md)'} and admin-consent it`;
  } else if (RETRYABLE.has(status)) {
    advice = ': Graph kept throttling after retries; lower the event rate or raise DIRECTORY_CACHE_TTL_SECONDS';
  }
  return new GraphRequestError(
    `${where} failed with ${status} ${error.code ?? ''}${advice}`.trim(),
    status,
    error.code ?? undefined,
    refusedPermission(status, path),
  );
}
