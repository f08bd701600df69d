/**
 * GraphDirectory's people: who is behind principal ids (users, and groups with their users,
 * transitively), read in bulk and kept in the directory's cache, so that the principal, actor
 * and approvers of an event are usually known already. A lookup the cache misses is coalesced
 * with concurrent events' into shared $batch requests (BatchLoader) rather than one $batch
 * each, and waits first for the bulk loads in flight, which very likely bring that person.
 */
import type { TtlCache } from '../cache.js';
import { BatchLoader } from './batchLoader.js';
import type { GraphReader, GraphUser } from './graphReader.js';
import type { ResolvedPrincipals } from './holders.js';

export class PrincipalResolver {
  /** Single user lookups that miss the cache, coalesced across concurrent events. */
  private readonly userLoader: BatchLoader<GraphUser>;
  /** Group member lookups that miss the cache, coalesced likewise (one $batch for many groups). */
  private readonly memberLoader: BatchLoader<GraphUser[]>;
  /**
   * Bulk loads in flight that will put users and group members in the cache (role holders'
   * principals). A single lookup arriving meanwhile waits for them rather than asking Graph
   * for someone who is very likely among them (an event's actor or principal usually is).
   */
  private readonly bulkLoads = new Set<Promise<unknown>>();

  constructor(
    private readonly graph: GraphReader,
    private readonly cache: TtlCache,
    batchWindowMs?: number,
  ) {
    const window = batchWindowMs === undefined ? {} : { windowMs: batchWindowMs };
    this.userLoader = new BatchLoader(async (ids) => {
      const users = await this.graph.users(ids);
      this.primeUsers([...users.values()]);
      // Keyed as asked: an id, or a userPrincipalName Graph also accepts.
      return new Map([...users].map(([id, u]) => [id.toLowerCase(), u]));
    }, window);
    this.memberLoader = new BatchLoader(async (ids) => {
      const members = await this.graph.transitiveUsers(ids);
      for (const list of members.values()) this.primeUsers(list);
      return new Map([...members].map(([id, list]) => [id.toLowerCase(), list]));
    }, window);
  }

  /** One user by id (or userPrincipalName); undefined when Graph knows none. */
  user(id: string): Promise<GraphUser | undefined> {
    return this.cachedOr(`user:${id.toLowerCase()}`, () => this.userLoader.load(id));
  }

  /** A group's users, through nested groups. */
  transitiveUsers(groupId: string): Promise<GraphUser[]> {
    return this.cachedOr(`members:${groupId.toLowerCase()}`, async () => (await this.memberLoader.load(groupId)) ?? []);
  }

  /**
   * The cached value of `key`; when it is missing but bulk loads are in flight, what they put
   * there; only then `load` (through the cache, so concurrent callers share it).
   */
  async cachedOr<T>(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.cache.peek<T>(key);
    if (cached) return cached;
    if (this.bulkLoads.size > 0) {
      await Promise.allSettled([...this.bulkLoads]);
      const primed = this.cache.peek<T>(key);
      if (primed) return primed;
    }
    return this.cache.get(key, load);
  }

  /** Runs a bulk load, known to single lookups while it is in flight (see bulkLoads). */
  bulk<T>(load: () => Promise<T>): Promise<T> {
    const promise = load();
    this.bulkLoads.add(promise);
    const done = () => void this.bulkLoads.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Users another read returned (a group's owners, say), cached by id for later lookups. */
  primeUsers(users: readonly GraphUser[]): void {
    for (const u of users) this.cache.prime(`user:${u.id.toLowerCase()}`, u);
  }

  /**
   * Users and groups behind principal ids, groups with their users; everyone found goes into
   * the cache (users by id, groups' members by group). Service principals and unknown ids are
   * left out, as mergeHolders expects.
   */
  async resolve(principalIds: readonly string[]): Promise<ResolvedPrincipals> {
    const ids = [...new Map(principalIds.map((id) => [id.toLowerCase(), id])).values()];
    const kinds = ids.length > 0 ? await this.graph.principals(ids) : new Map();
    const users = new Map<string, GraphUser>();
    const groupIds: string[] = [];
    for (const [id, p] of kinds) {
      if (p.kind === 'user') users.set(id.toLowerCase(), p.user);
      else groupIds.push(id);
    }
    this.primeUsers([...users.values()]);
    const groups: ResolvedPrincipals['groups'] = new Map();
    await Promise.all(
      groupIds.map(async (id) => {
        const group = kinds.get(id);
        const name = group?.kind === 'group' ? (group.group.displayName ?? id) : id;
        const members = await this.cache.get(`members:${id.toLowerCase()}`, async () => (await this.memberLoader.load(id)) ?? []);
        groups.set(id.toLowerCase(), { displayName: name, users: members });
      }),
    );
    return { users, groups };
  }
}
