/**
 * Plumbing shared by the local Graph and ARM endpoints (fakeGraph.ts, fakeArm.ts): a node:http
 * server that checks the bearer token, counts requests, injects throttling, adds latency, and
 * a fetch that routes the production base URLs to these servers (see shared/directory/graph/graphClient.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { FetchLike } from '../../shared/directory/graph/graphClient.js';

export interface RecordedRequest {
  method: string;
  /** Path and query as the client sent it (decoded), relative to the server root. */
  url: string;
  /** true for a request inside a Graph $batch. */
  inBatch: boolean;
}

/** One injected failure: the next `times` requests matching `match` get `status` (+ Retry-After). */
export interface Fault {
  match: RegExp;
  /** 403: the caller lacks the permission (Graph Authorization_RequestDenied, ARM AuthorizationFailed). */
  status: 429 | 503 | 504 | 403;
  retryAfterSeconds?: number;
  times: number;
  /** Graph only: fail inside $batch (true) or on the HTTP request itself (false, default). */
  inBatch?: boolean;
}

export interface FakeServerOptions {
  /** The base URL clients believe they talk to (nextLinks are built on it). */
  publicBaseUrl: string;
  /** Delay before each HTTP response, as a remote service would have. */
  latencyMs?: number;
  /**
   * Items per page of every collection whatever the client asks, to exercise nextLink. Without
   * it a page holds `$top` items when the client asks (at most 999, as Graph), else 100.
   */
  pageSize?: number;
  /**
   * The instant of the tenant's world: which schedule instances are in force (instances are
   * current only, as in Graph/ARM). Required: a tenant with fixed dates served by the real
   * clock would change its answers from one day to the next.
   */
  now: () => Date;
}

/** A fake's options: everything has a default but the instant of its tenant's world. */
export type WorldOptions = Partial<FakeServerOptions> & Pick<FakeServerOptions, 'now'>;

/** Schedule instances exist only while in force: started, and not yet ended. */
export function inForce(item: { startDateTime?: string | null; endDateTime?: string | null }, now: Date): boolean {
  const t = now.getTime();
  return (!item.startDateTime || Date.parse(item.startDateTime) <= t) && (!item.endDateTime || Date.parse(item.endDateTime) > t);
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export abstract class FakeServer {
  readonly requests: RecordedRequest[] = [];
  protected readonly faults: Fault[] = [];
  private server: Server | undefined;
  url = '';

  constructor(protected readonly options: FakeServerOptions) {}

  protected now(): Date {
    return this.options.now();
  }

  get publicBaseUrl(): string {
    return this.options.publicBaseUrl.replace(/\/+$/, '');
  }

  /** The token this endpoint accepts: the one fakeCredential issues for `${publicBaseUrl}/.default`. */
  get expectedToken(): string {
    return tokenFor(`${this.publicBaseUrl}/.default`);
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** Drops the faults still pending (e.g. a permission granted in the middle of a test). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests matching `pattern` (all when omitted); `inBatch` narrows to inner or outer ones. */
  count(pattern?: RegExp, inBatch?: boolean): number {
    return this.requests.filter((r) => (!pattern || pattern.test(r.url)) && (inBatch === undefined || r.inBatch === inBatch)).length;
  }

  resetCounts(): void {
    this.requests.length = 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** `headers`: the request's headers, names lower-cased (as node:http gives them). */
  protected abstract handle(method: string, url: URL, body: unknown, headers: Record<string, string>): Reply | Promise<Reply>;
  protected abstract errorBody(code: string, message: string): unknown;
  /** The error code this service answers a missing permission with. */
  protected get forbiddenCode(): string {
    return this.publicBaseUrl.includes('graph') ? 'Authorization_RequestDenied' : 'AuthorizationFailed';
  }

  /** A fault for this request, consumed; undefined when none applies. */
  protected takeFault(url: string, inBatch: boolean): Reply | undefined {
    const fault = this.faults.find((f) => f.times > 0 && Boolean(f.inBatch) === inBatch && f.match.test(url));
    if (!fault) return undefined;
    fault.times--;
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    const code = fault.status === 429 ? 'TooManyRequests' : fault.status === 403 ? this.forbiddenCode : 'ServiceUnavailable';
    return { status: fault.status, headers, body: this.errorBody(code, 'Injected by the local endpoint') };
  }

  /** One page of `items` for `url`, with an absolute nextLink carrying $skiptoken. */
  protected page(url: URL, items: unknown[], nextLinkName: '@odata.nextLink' | 'nextLink'): Reply {
    const top = Number(url.searchParams.get('$top') ?? NaN);
    const size = this.options.pageSize ?? (Number.isInteger(top) && top > 0 ? Math.min(top, 999) : 100);
    const skip = Number(url.searchParams.get('$skiptoken') ?? 0);
    const body: Record<string, unknown> = { value: items.slice(skip, skip + size) };
    if (skip + size < items.length) {
      const next = new URL(url.pathname + url.search, this.publicBaseUrl);
      next.searchParams.set('$skiptoken', String(skip + size));
      body[nextLinkName] = next.toString();
    }
    return { status: 200, body };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    this.requests.push({ method, url: decodeURIComponent(url.pathname + url.search), inBatch: false });
    let reply: Reply;
    if (req.headers.authorization !== `Bearer ${this.expectedToken}`) {
      reply = { status: 401, body: this.errorBody('InvalidAuthenticationToken', 'Access token is empty or not for this audience.') };
    } else {
      reply =
        this.takeFault(decodeURIComponent(url.pathname + url.search), false) ??
        (await this.handle(method, url, raw ? JSON.parse(raw) : undefined, headersOf(req)));
    }
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }
}

function headersOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : (v ?? '')]));
}

export function tokenFor(scope: string): string {
  return `local-token:${scope}`;
}

/** A TokenCredential that issues `local-token:<scope>` and counts how often it is asked. */
export function fakeCredential(): TokenCredential & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async getToken(scopes: string | string[]): Promise<AccessToken> {
      const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
      calls.push(scope);
      return { token: tokenFor(scope), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** A fetch that sends requests for each production origin to its local server, unchanged otherwise. */
export function routedFetch(routes: Record<string, { url: string }>): FetchLike {
  return async (input, init) => {
    const original = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const parsed = new URL(original);
    const target = routes[parsed.origin];
    if (!target) throw new Error(`No local endpoint for ${parsed.origin}: add it to routedFetch`);
    const local = new URL(parsed.pathname + parsed.search, target.url);
    if (input instanceof Request) return fetch(new Request(local, input), init);
    return fetch(local, init);
  };
}
