/**
 * Every Graph and ARM request the doctor's reads make, with the status it got, taken from the
 * wire (the clients' injectable fetch): a read the app swallows on purpose (a 403 it degrades
 * around, a 400 it falls back from) still shows in the doctor's line for that read. The
 * requests inside a Graph `$batch` are recorded one by one, from the envelope's `responses`
 * (Graph answers 200 for the envelope whatever each request got).
 */
import type { FetchLike } from '../directory/graph/graphClient.js';

export interface RecordedCall {
  method: string;
  /** Path and query, without the host (and, in a $batch, as the batch item names it). */
  path: string;
  status: number;
  /** The service's error code, when it answered with one. */
  code?: string;
  inBatch: boolean;
}

export class CallRecorder {
  readonly calls: RecordedCall[] = [];

  /** `inner` with every request recorded (global fetch when none is given). */
  fetch(inner?: FetchLike): FetchLike {
    const send: FetchLike = inner ?? ((input, init) => fetch(input, init));
    return async (input, init) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const response = await send(input, init);
      const path = decodeURIComponent(url.pathname + url.search);
      const failed = response.status >= 400 ? await errorCode(response) : undefined;
      this.calls.push({ method, path, status: response.status, ...(failed ? { code: failed } : {}), inBatch: false });
      if (method === 'POST' && /\/\$batch$/.test(url.pathname) && response.status === 200) await this.recordBatch(init?.body, response);
      return response;
    };
  }

  /** A mark to pass to `since`. */
  mark(): number {
    return this.calls.length;
  }

  since(mark: number): RecordedCall[] {
    return this.calls.slice(mark);
  }

  private async recordBatch(body: unknown, response: Response): Promise<void> {
    try {
      const sent = JSON.parse(typeof body === 'string' ? body : '') as { requests?: { id: string; method?: string; url: string }[] };
      const got = (await response.clone().json()) as { responses?: { id: string; status: number; body?: unknown }[] };
      for (const r of got.responses ?? []) {
        const request = sent.requests?.find((q) => q.id === r.id);
        if (!request) continue;
        const code = (r.body as { error?: { code?: string } } | undefined)?.error?.code;
        this.calls.push({
          method: (request.method ?? 'GET').toUpperCase(),
          path: decodeURIComponent(request.url),
          status: r.status,
          ...(r.status >= 400 && code ? { code } : {}),
          inBatch: true,
        });
      }
    } catch {
      // A body the recorder cannot read is the client's business: the call itself is recorded.
    }
  }
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: string } };
    return body.error?.code ?? undefined;
  } catch {
    return undefined;
  }
}

/** `GET /path?query (403 Authorization_RequestDenied)`: a call as a line names it. */
export function describeCall(call: RecordedCall): string {
  return `${call.method} ${call.path} (${call.status}${call.code ? ` ${call.code}` : ''}${call.inBatch ? ', in $batch' : ''})`;
}
