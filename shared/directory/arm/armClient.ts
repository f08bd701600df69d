/**
 * Azure Resource Manager access for resource-role lookups, through @azure/core-rest-pipeline:
 * its bearer-token policy (a token for ARM from the same TokenCredential as Graph) and its
 * default retry policy (429/503 after Retry-After, other 5xx and network errors with
 * exponential backoff). Not @azure/arm-authorization: we need four read-only list calls and
 * their `nextLink` paging, and the same injectable transport as the Graph client
 * (graph/graphClient.ts) to reach a local endpoint; fetchHttpClient.ts is that transport.
 */
import type { TokenCredential } from '@azure/identity';
import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { DEFAULT_REQUEST_TIMEOUT_MS, type FetchLike } from '../graph/graphClient.js';
import { fetchHttpClient } from './fetchHttpClient.js';

export interface ArmApiOptions {
  /** ARM_BASE_URL, e.g. https://management.azure.com. */
  baseUrl: string;
  credential: TokenCredential;
  fetch?: FetchLike;
  /** Most retries of a throttled (429/503) or failed (5xx, network) request before giving up. */
  maxRetries?: number;
  /** Gives up on a request that does not answer in time (default 30 s; see graphClient.ts). */
  requestTimeoutMs?: number;
}

/** Statuses the retry policy retries; still one of these after the retries means ARM kept throttling. */
const RETRYABLE = new Set([429, 503, 504]);
/** Backoff without a Retry-After: 1 s doubling (the SDK's default start), at most 30 s. */
const MAX_RETRY_DELAY_MS = 30_000;

export class ArmRequestError extends Error {
  override readonly name = 'ArmRequestError';
  constructor(
    message: string,
    readonly statusCode: number,
    readonly code: string | undefined,
    /** On a 401/403: the role the identity needs where (Reader on the call's subscription). */
    readonly permission?: string,
  ) {
    super(message);
  }
}

export class ArmApi {
  private readonly baseUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient;
  private readonly timeoutMs: number;

  constructor(options: ArmApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pipeline = createPipelineFromOptions({
      retryOptions: { maxRetries: options.maxRetries ?? 4, maxRetryDelayInMs: MAX_RETRY_DELAY_MS },
    });
    // The credential caches tokens itself; the policy asks it per request and refreshes early.
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: `${this.baseUrl}/.default` }));
    this.httpClient = fetchHttpClient(options.fetch ?? ((input, init) => fetch(input, init)), this.timeoutMs);
  }

  /** GET `pathAndQuery` (starting with a scope, e.g. /subscriptions/...) or an absolute nextLink. */
  async get<T>(pathAndQuery: string): Promise<T> {
    const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${this.baseUrl}${pathAndQuery}`;
    const request = createPipelineRequest({ url, method: 'GET', timeout: this.timeoutMs });
    request.headers.set('accept', 'application/json');
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    if (response.status >= 200 && response.status < 300) return JSON.parse(response.bodyAsText ?? 'null') as T;
    throw explain(response, pathAndQuery);
  }

  /** GET an ARM collection and follow `nextLink` to the last page. */
  async list<T>(pathAndQuery: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = pathAndQuery;
    while (next) {
      const page: { value?: T[]; nextLink?: string | null } = await this.get(next);
      items.push(...(page.value ?? []));
      next = page.nextLink ?? undefined;
    }
    return items;
  }
}

function explain(response: PipelineResponse, path: string): ArmRequestError {
  let code: string | undefined;
  try {
    const body = JSON.parse(response.bodyAsText ?? '') as { error?: { code?: string } };
    code = body.error?.code;
  } catch {
    code = undefined;
  }
  const where = `Azure Resource Manager GET ${path.replace(/^https:\/\/[^/]+/, '').split('?')[0]}`;
  let advice = '';
  if (response.status === 401 || response.status === 403) {
    advice = ": give the app's managed identity (AZURE_CLIENT_ID) the Reader role on the subscriptions in AZURE_SUBSCRIPTION_IDS";
  } else if (RETRYABLE.has(response.status)) {
    advice = ': ARM kept throttling after retries; raise DIRECTORY_CACHE_TTL_SECONDS';
  } else if (response.status === 404) {
    advice = ': check AZURE_SUBSCRIPTION_IDS and the scope in the event';
  }
  const subscription = /\/subscriptions\/[^/?]+/i.exec(path.replace(/^https:\/\/[^/]+/, ''))?.[0];
  const permission =
    response.status === 401 || response.status === 403
      ? `Reader on ${subscription ?? 'the subscriptions in AZURE_SUBSCRIPTION_IDS'}`
      : undefined;
  return new ArmRequestError(
    `${where} failed with ${response.status} ${code ?? ''}${advice}`.replace(/ +:/, ':'),
    response.status,
    code,
    permission,
  );
}
