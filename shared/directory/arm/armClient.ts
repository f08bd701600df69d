/**
 * Azure Resource Manager access for resource-role lookups: plain fetch with a bearer token for
 * ARM from the same TokenCredential as Graph. Plain fetch rather than @azure/arm-authorization:
 * we need four read-only list calls, their `nextLink` paging and Retry-After handling, and the
 * same injectable transport as the Graph client (see graph/graphClient.ts) to reach a local endpoint.
 */
import type { TokenCredential } from '@azure/identity';
import { DEFAULT_REQUEST_TIMEOUT_MS, withTimeout, type FetchLike } from '../graph/graphClient.js';

export interface ArmApiOptions {
  /** ARM_BASE_URL, e.g. https://management.azure.com. */
  baseUrl: string;
  credential: TokenCredential;
  fetch?: FetchLike;
  /** Most retries of a 429/503/504 before giving up. */
  maxRetries?: number;
  /** Gives up on a request that does not answer in time (default 30 s; see graphClient.ts). */
  requestTimeoutMs?: number;
}

const RETRYABLE = new Set([429, 503, 504]);

export class ArmRequestError extends Error {
  override readonly name = 'ArmRequestError';
  constructor(message: string, readonly statusCode: number, readonly code: string | undefined) {
    super(message);
  }
}

export class ArmApi {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly maxRetries: number;

  constructor(private readonly options: ArmApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxRetries = options.maxRetries ?? 4;
  }

  /** GET `pathAndQuery` (starting with a scope, e.g. /subscriptions/...) or an absolute nextLink. */
  async get<T>(pathAndQuery: string): Promise<T> {
    const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${this.baseUrl}${pathAndQuery}`;
    for (let attempt = 0; ; attempt++) {
      // The credential caches tokens itself, so asking per request costs nothing after the first.
      const token = await this.options.credential.getToken(`${this.baseUrl}/.default`);
      if (!token) throw new ArmRequestError('No token for Azure Resource Manager: check the managed identity (AZURE_CLIENT_ID)', 401, undefined);
      const response = await this.fetchImpl(url, {
        headers: { authorization: `Bearer ${token.token}`, accept: 'application/json' },
        signal: withTimeout(undefined, this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
      });
      if (response.ok) return (await response.json()) as T;
      if (RETRYABLE.has(response.status) && attempt < this.maxRetries) {
        await response.body?.cancel();
        await sleep(retryAfterSeconds(response.headers.get('retry-after'), attempt));
        continue;
      }
      throw await this.explain(response, pathAndQuery);
    }
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

  private async explain(response: Response, path: string): Promise<ArmRequestError> {
    let code: string | undefined;
    try {
      const body = (await response.json()) as { error?: { code?: string } };
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
    return new ArmRequestError(`${where} failed with ${response.status} ${code ?? ''}${advice}`.replace(/ +:/, ':'), response.status, code);
  }
}

function retryAfterSeconds(raw: string | null, attempt: number): number {
  const seconds = raw === null ? NaN : Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 120);
  return Math.min(2 ** attempt, 30);
}

function sleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}
