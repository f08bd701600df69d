/**
 * Reading a PIM request list in the first of its documented shapes that the service takes
 * (pimRequestQueries.ts): a `400` to one shape is the service refusing that query, so the next,
 * simpler shape is asked and the caller hears of it once (`fellBack`), to log which call and why.
 * Any other failure, or a 400 to the last shape, is handed back as the list's outcome for the
 * caller to decide on (skip a group, warn about a kind, wait for a permission, retry later):
 * nothing here throws, so one list never stops the others.
 *
 * Graph lists go through `$batch` (20 per request, Graph's limit) and follow `@odata.nextLink`;
 * ARM lists follow `nextLink`.
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import type { GraphApi } from '../directory/graph/graphClient.js';
import { batchError } from '../directory/graph/graphReader.js';

/** The service refused the query shape ("Bad Request"): ask a simpler one. */
export const REFUSED_SHAPE = 400;

/** A list read whole in one of its shapes, or why it could not be (`status` 0: no HTTP answer). */
export type ListRead<T> = { kind: 'read'; items: T[] } | { kind: 'failed'; status: number; error: Error };

/** A shape the service refused and the simpler one asked instead. */
export interface Fallback {
  refused: string;
  next: string;
  reason: string;
}

/** Each list (its shapes, cheapest first) read through shared `$batch` requests, results in the order given. */
export async function readGraphLists<T>(
  graph: Pick<GraphApi, 'batchGet' | 'get'>,
  lists: readonly (readonly string[])[],
  fellBack: (fallback: Fallback) => void,
): Promise<ListRead<T>[]> {
  const out: ListRead<T>[] = lists.map(() => ({ kind: 'read', items: [] }));
  let pending = lists.flatMap((shapes, i) => (shapes.length > 0 ? [{ i, shape: 0 }] : []));
  while (pending.length > 0) {
    const paths = pending.map((p) => lists[p.i]![p.shape]!);
    let results: Awaited<ReturnType<GraphApi['batchGet']>>;
    try {
      results = await graph.batchGet(paths);
    } catch (e) {
      for (const p of pending) out[p.i] = failure(e);
      break;
    }
    const next: typeof pending = [];
    await Promise.all(
      pending.map(async (p, k) => {
        const r = results[k]!;
        const path = paths[k]!;
        const simpler = lists[p.i]![p.shape + 1];
        if (r.status === 200) {
          out[p.i] = await restOfPages<T>(graph, r.body as GraphPage<T>);
        } else if (r.status === REFUSED_SHAPE && simpler) {
          fellBack({ refused: path, next: simpler, reason: reasonOf(r.body) });
          next.push({ i: p.i, shape: p.shape + 1 });
        } else {
          out[p.i] = { kind: 'failed', status: r.status, error: batchError(path, r.status, r.body) };
        }
      }),
    );
    pending = next;
  }
  return out;
}

/** One ARM list (its shapes, cheapest first), every page. */
export async function readArmList<T>(
  arm: Pick<ArmApi, 'get'>,
  shapes: readonly string[],
  fellBack: (fallback: Fallback) => void,
): Promise<ListRead<T>> {
  for (let shape = 0; ; shape++) {
    try {
      const items: T[] = [];
      let next: string | undefined = shapes[shape]!;
      while (next) {
        const page: { value?: T[]; nextLink?: string | null } = await arm.get(next);
        items.push(...(page.value ?? []));
        next = page.nextLink ?? undefined;
      }
      return { kind: 'read', items };
    } catch (e) {
      const simpler = shapes[shape + 1];
      if (statusOf(e) !== REFUSED_SHAPE || !simpler) return failure(e);
      fellBack({ refused: shapes[shape]!, next: simpler, reason: (e as Error).message });
    }
  }
}

interface GraphPage<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

async function restOfPages<T>(graph: Pick<GraphApi, 'get'>, first: GraphPage<T> | undefined): Promise<ListRead<T>> {
  const items: T[] = [...(first?.value ?? [])];
  let next = first?.['@odata.nextLink'];
  try {
    while (next) {
      const page: GraphPage<T> = await graph.get(next);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'];
    }
  } catch (e) {
    return failure(e);
  }
  return { kind: 'read', items };
}

function failure(e: unknown): { kind: 'failed'; status: number; error: Error } {
  return { kind: 'failed', status: statusOf(e), error: e instanceof Error ? e : new Error(String(e)) };
}

function statusOf(e: unknown): number {
  const status = (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : 0;
}

/** The service's own words (error code and message), cut: they go to a log line. */
function reasonOf(body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return `${error?.code ?? 'BadRequest'}: ${error?.message ?? ''}`.trim().slice(0, 300);
}
