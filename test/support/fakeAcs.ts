/**
 * A local Azure Communication Services Email endpoint speaking the real wire format, so the
 * real @azure/communication-email client can be tested without Azure:
 *
 * - `POST /emails:send` and `GET /emails/operations/{id}`, both HMAC-SHA256 signed exactly as
 *   the SDK signs them (a wrong key or a tampered body gives 401, like ACS).
 * - `Operation-Id` is honoured: the same id sent again returns the existing operation and is
 *   never delivered twice. (What ACS does when the id belongs to a Failed operation is not
 *   documented; this fake returns the existing operation, the cautious assumption.)
 * - 202 with `operation-location` and `retry-after`; polls return Running `pollsUntilDone`
 *   times, then the final status.
 * - `deliveries` is the ground truth tests assert on: an accepted operation that will succeed
 *   is delivered at once (ACS delivers whether or not anyone polls), and nothing is ever
 *   removed from it. `deliveredTo(address)` counts To, Cc and Bcc alike (at most 50 per message).
 * - The real service's model (REAL_ACS_MODEL): an operation stays Running for `runningMs`
 *   (2 s) whoever polls, with a non-zero `retry-after`; sends and status reads are counted per
 *   minute and per hour (ACS counts send requests, i.e. messages, not recipients) and answer
 *   429 with the Retry-After until the window frees; and every recipient gets a delivery
 *   report (Microsoft.Communication.EmailDeliveryReportReceived, Event Grid schema) handed to
 *   `reports.sink` after `reports.delayMs`, as Event Grid would put it on a storage queue.
 * - As strict as the REST spec: every request is checked by fakeAcsContract.ts (api-version,
 *   Operation-Id, the EmailMessage's required fields, 50 recipients) and refused with 400 in
 *   the spec's error shape; `emptyTo` switches what the spec leaves open (`to: []`).
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryReportEvent, type DeliveryReportEvent, type ReportStatus, type ReportStyle } from './fakeAcsReports.js';
import {
  checkApiVersion,
  checkMessage,
  checkOperationId,
  isContractError,
  type EmptyToBehaviour,
  type WireAddress,
  type WireMessage,
} from './fakeAcsContract.js';

export type { DeliveryReportEvent } from './fakeAcsReports.js';
export type { WireAddress, WireMessage } from './fakeAcsContract.js';

export type FakeStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

export interface FakeAcsOptions {
  /** Delay before every response (the benchmark runs at 50 ms). */
  latencyMs?: number;
  /** How many status polls of a new operation answer Running before the final status. */
  pollsUntilDone?: number;
  /** `retry-after` (seconds) on the 202 and on Running polls; 0 keeps tests fast. */
  pollRetryAfterSeconds?: number;
  /** When set, an operation is Running for this long after its send (whatever the polls), then final. */
  runningMs?: number;
  /** Requests allowed per sliding minute and hour; past them 429 with Retry-After (unset: no quota). */
  quotas?: AcsQuotas;
  /** Where delivery reports go (one Event Grid event per recipient), after delayMs. */
  reports?: { sink: (event: DeliveryReportEvent) => Promise<void> | void; delayMs?: number; style?: ReportStyle };
  /** A message with `to: []` (everyone in Bcc): taken (default) or refused with 400; the spec does not say (fakeAcsContract.ts). */
  emptyTo?: EmptyToBehaviour;
  /** The clock for quotas and Running time (tests move it forward). */
  now?: () => number;
}

export interface AcsQuotas {
  sendsPerMinute: number;
  sendsPerHour: number;
  statusPerMinute: number;
  statusPerHour: number;
}

/** ACS's default quotas (service limits): a verified custom domain, and the Azure-managed domain. */
export const CUSTOM_DOMAIN_QUOTAS: AcsQuotas = { sendsPerMinute: 30, sendsPerHour: 100, statusPerMinute: 60, statusPerHour: 200 };
export const MANAGED_DOMAIN_QUOTAS: AcsQuotas = { sendsPerMinute: 5, sendsPerHour: 10, statusPerMinute: 10, statusPerHour: 20 };

/** The real service's timing: Running for 2 s, clients asked to wait 2 s between polls. */
export const REAL_ACS_MODEL = { runningMs: 2000, pollRetryAfterSeconds: 2 } as const;

export interface Delivery {
  operationId: string;
  /** The JSON body as ACS received it (wire names, e.g. userEngagementTrackingDisabled). */
  message: WireMessage;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  operationId?: string;
}

interface Operation {
  id: string;
  status: FakeStatus;
  final: FakeStatus;
  pollsLeft: number;
  /** With runningMs: when it turns final. */
  doneAt?: number;
  error?: { code: string; message: string };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export class FakeAcs {
  /** Random per instance: no key is ever committed. */
  readonly accessKey = randomBytes(32).toString('base64');
  readonly deliveries: Delivery[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly operations = new Map<string, Operation>();
  private throttled: { count: number; retryAfterSeconds: number } = { count: 0, retryAfterSeconds: 1 };
  private serverErrors = 0;
  private failures: { code: string; message: string }[] = [];
  private withoutLocation = 0;
  private slowPollMs = 0;
  private readonly bounces = new Map<string, ReportStatus>();
  private readonly sendTimes: number[] = [];
  private readonly statusTimes: number[] = [];
  private readonly pendingReports = new Set<Promise<void>>();
  /** Every report emitted, in order (the ground truth for report tests). */
  readonly reportsSent: DeliveryReportEvent[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: Required<Pick<FakeAcsOptions, 'latencyMs' | 'pollsUntilDone' | 'pollRetryAfterSeconds' | 'now'>> &
      FakeAcsOptions,
  ) {}

  static async start(options: FakeAcsOptions = {}): Promise<FakeAcs> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeAcs(server, `http://127.0.0.1:${port}`, {
      latencyMs: options.latencyMs ?? 0,
      pollsUntilDone: options.pollsUntilDone ?? 1,
      pollRetryAfterSeconds: options.pollRetryAfterSeconds ?? 0,
      now: options.now ?? (() => Date.now()),
      ...(options.runningMs !== undefined ? { runningMs: options.runningMs } : {}),
      ...(options.quotas ? { quotas: options.quotas } : {}),
      ...(options.reports ? { reports: options.reports } : {}),
      ...(options.emptyTo ? { emptyTo: options.emptyTo } : {}),
    });
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((e: unknown) => {
        res.writeHead(500).end(String(e));
      });
    });
    return fake;
  }

  /** `endpoint=...;accesskey=...` as the Azure portal shows it; pass another key to test rejection. */
  connectionString(accessKey = this.accessKey): string {
    return `endpoint=${this.endpoint}/;accesskey=${accessKey}`;
  }

  /** The next `count` sends get 429 with this Retry-After. */
  throttleNextSends(count: number, retryAfterSeconds = 1): void {
    this.throttled = { count, retryAfterSeconds };
  }

  /** The next `count` sends get 500. */
  failNextSendsWith500(count: number): void {
    this.serverErrors = count;
  }

  /** The next new operation ends Failed with this error instead of delivering. */
  failNextOperation(code = 'InternalError', message = 'The email could not be processed.'): void {
    this.failures.push({ code, message });
  }

  /** The next `count` accepted sends answer 202 without operation-location. */
  omitOperationLocation(count: number): void {
    this.withoutLocation = count;
  }

  /** Every status poll takes this much longer. */
  slowPolls(ms: number): void {
    this.slowPollMs = ms;
  }

  /** An operation that an earlier (forgotten) attempt left behind, e.g. Canceled. Never a delivery. */
  seedOperation(id: string, status: 'Failed' | 'Canceled', error?: { code: string; message: string }): void {
    this.operations.set(id, { id, status, final: status, pollsLeft: 0, ...(error ? { error } : {}) });
  }

  /** Mail to this address (To, Cc or Bcc) from now on gets this report instead of Delivered. */
  bounce(address: string, status: ReportStatus = 'Bounced'): void {
    this.bounces.set(address.toLowerCase(), status);
  }

  /** How many accepted, succeeding messages reached this address (To, Cc or Bcc). */
  /** Every Operation-Id that created an operation (by a send or seedOperation), in order. */
  operationIds(): string[] {
    return [...this.operations.keys()];
  }

  deliveredTo(address: string): number {
    const a = address.toLowerCase();
    return this.deliveries.filter((d) => recipientsOf(d.message).some((r) => r.address.toLowerCase() === a)).length;
  }

  /** Resolves once every report scheduled so far has reached its sink. */
  async reportsSettled(): Promise<void> {
    while (this.pendingReports.size > 0) await Promise.all([...this.pendingReports]);
  }

  deliveriesFor(operationId: string): Delivery[] {
    return this.deliveries.filter((d) => d.operationId === operationId);
  }

  count(method: string, pathPrefix: string): number {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix)).length;
  }

  async close(): Promise<void> {
    await this.reportsSettled();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);

    const url = new URL(req.url ?? '/', this.endpoint);
    const method = req.method ?? 'GET';
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}, operationId?: string): void => {
      this.requests.push({ method, path: url.pathname, status, ...(operationId ? { operationId } : {}) });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    };
    // The spec's error response: ErrorResponse in the body, its code again in x-ms-error-code.
    const error = (status: number, code: string, message: string, headers: Record<string, string> = {}, target?: string): void =>
      reply(status, { error: { code, message, ...(target ? { target } : {}) } }, { 'x-ms-error-code': code, ...headers });

    const authProblem = this.checkSignature(req, body);
    if (authProblem) return error(401, 'Denied', authProblem);
    const version = checkApiVersion(url);
    if (version) return error(400, version.code, version.message, {}, version.target);

    if (method === 'POST' && url.pathname === '/emails:send') return this.send(req, body, reply, error);
    const match = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && match?.[1]) return this.poll(decodeURIComponent(match[1]), reply, error);
    return error(404, 'NotFound', `No route for ${method} ${url.pathname}`);
  }

  /** Verifies the content hash and the HMAC exactly as ACS does; returns why it fails, if it does. */
  private checkSignature(req: IncomingMessage, body: string): string | undefined {
    const date = req.headers['x-ms-date'];
    const contentHash = req.headers['x-ms-content-sha256'];
    const auth = req.headers.authorization ?? '';
    const m = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(auth);
    if (typeof date !== 'string' || typeof contentHash !== 'string' || !m?.[1]) return 'Missing or malformed HMAC authorization';
    if (createHash('sha256').update(body, 'utf8').digest('base64') !== contentHash) return 'Content hash does not match the body';
    const stringToSign = `${req.method ?? ''}\n${req.url ?? ''}\n${date};${req.headers.host ?? ''};${contentHash}`;
    const expected = createHmac('sha256', Buffer.from(this.accessKey, 'base64')).update(stringToSign, 'utf8').digest();
    const given = Buffer.from(m[1], 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'Signature does not match (wrong access key?)';
    return undefined;
  }

  private send(
    req: IncomingMessage,
    body: string,
    reply: (status: number, json: unknown, headers?: Record<string, string>, operationId?: string) => void,
    error: (status: number, code: string, message: string, headers?: Record<string, string>, target?: string) => void,
  ): void {
    const quota = this.overQuota(this.sendTimes, this.options.quotas?.sendsPerMinute, this.options.quotas?.sendsPerHour);
    if (quota !== undefined) return error(429, 'TooManyRequests', 'Email send quota exceeded', { 'retry-after': String(quota) });
    if (this.throttled.count > 0) {
      this.throttled.count--;
      return error(429, 'TooManyRequests', 'Rate limit exceeded', { 'retry-after': String(this.throttled.retryAfterSeconds) });
    }
    if (this.serverErrors > 0) {
      this.serverErrors--;
      return error(500, 'InternalError', 'Something went wrong');
    }
    const header = req.headers['operation-id'];
    const badId = checkOperationId(header);
    if (badId) return error(400, badId.code, badId.message, {}, badId.target);
    const id = typeof header === 'string' && header ? header : randomUUID();
    let op = this.operations.get(id);
    if (!op) {
      const message = checkMessage(body, this.options.emptyTo ?? 'accept');
      if (isContractError(message)) return error(400, message.code, message.message, {}, message.target);
      this.sendTimes.push(this.options.now());
      const failure = this.failures.shift();
      op = {
        id,
        status: 'Running',
        final: failure ? 'Failed' : 'Succeeded',
        pollsLeft: this.options.pollsUntilDone,
        ...(this.options.runningMs !== undefined ? { doneAt: this.options.now() + this.options.runningMs } : {}),
        ...(failure ? { error: failure } : {}),
      };
      this.operations.set(id, op);
      if (op.final === 'Succeeded') this.deliveries.push({ operationId: id, message });
      this.scheduleReports(op, message);
    }
    const headers: Record<string, string> = { 'retry-after': String(this.options.pollRetryAfterSeconds) };
    if (this.withoutLocation > 0) this.withoutLocation--;
    else headers['operation-location'] = `${this.endpoint}/emails/operations/${id}?api-version=2025-09-01`;
    reply(202, view(op), headers, id);
  }

  private async poll(
    id: string,
    reply: (status: number, json: unknown, headers?: Record<string, string>, operationId?: string) => void,
    error: (status: number, code: string, message: string, headers?: Record<string, string>, target?: string) => void,
  ): Promise<void> {
    if (this.slowPollMs > 0) await sleep(this.slowPollMs);
    const quota = this.overQuota(this.statusTimes, this.options.quotas?.statusPerMinute, this.options.quotas?.statusPerHour);
    if (quota !== undefined) return error(429, 'TooManyRequests', 'Email status quota exceeded', { 'retry-after': String(quota) });
    if (this.options.quotas) this.statusTimes.push(this.options.now());
    const op = this.operations.get(id);
    if (!op) return error(404, 'NotFound', `Operation ${id} not found`);
    if (op.doneAt !== undefined) {
      if (this.options.now() >= op.doneAt) op.status = op.final;
    } else if (op.pollsLeft > 0) op.pollsLeft--;
    else op.status = op.final;
    const final = op.status !== 'Running' && op.status !== 'NotStarted';
    reply(200, view(op), final ? {} : { 'retry-after': String(this.options.pollRetryAfterSeconds) }, id);
  }

  /** Seconds until a request fits the quota again, or undefined when it fits now. */
  private overQuota(times: number[], perMinute: number | undefined, perHour: number | undefined): number | undefined {
    if (perMinute === undefined || perHour === undefined) return undefined;
    const now = this.options.now();
    while (times.length > 0 && times[0]! <= now - HOUR) times.shift();
    const inMinute = times.filter((t) => t > now - MINUTE);
    let waitMs = 0;
    if (inMinute.length >= perMinute) waitMs = Math.max(waitMs, inMinute[inMinute.length - perMinute]! + MINUTE - now);
    if (times.length >= perHour) waitMs = Math.max(waitMs, times[times.length - perHour]! + HOUR - now);
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : undefined;
  }

  /** One report per recipient, after the delay: Delivered, the bounce set for it, or Failed with the operation. */
  private scheduleReports(op: Operation, message: WireMessage): void {
    const reports = this.options.reports;
    if (!reports) return;
    const events = recipientsOf(message).map((r) =>
      deliveryReportEvent(
        {
          sender: message.senderAddress,
          recipient: r.address,
          messageId: op.id,
          status: op.final === 'Failed' ? 'Failed' : (this.bounces.get(r.address.toLowerCase()) ?? 'Delivered'),
          at: new Date(this.options.now() + (this.options.runningMs ?? 0)),
        },
        reports.style,
      ),
    );
    const pending: Promise<void> = (async () => {
      await sleep(reports.delayMs ?? 0);
      for (const event of events) {
        this.reportsSent.push(event);
        await reports.sink(event);
      }
    })().finally(() => this.pendingReports.delete(pending));
    this.pendingReports.add(pending);
  }
}

function recipientsOf(message: WireMessage): WireAddress[] {
  return [...(message.recipients.to ?? []), ...(message.recipients.cc ?? []), ...(message.recipients.bcc ?? [])];
}

function view(op: Operation): unknown {
  return { id: op.id, status: op.status, ...(op.status === 'Failed' && op.error ? { error: op.error } : {}) };
}
