/**
 * Transitive group membership over a snapshot: the users in a group, through any depth of
 * nesting, each once. Membership cycles (A in B in A) happen in real tenants, so the walk
 * remembers the groups it has entered. Results are memoised: the snapshot never changes.
 */
import type { SnapshotGroup } from './snapshotSchema.js';

export class GroupIndex {
  private readonly members = new Map<string, string[]>();
  private readonly expanded = new Map<string, readonly string[]>();

  constructor(
    groups: readonly SnapshotGroup[],
    private readonly isUser: (key: string) => boolean,
  ) {
    for (const group of groups) {
      const key = group.id.toLowerCase();
      // The first entry wins for a duplicate id, as everywhere else in the snapshot.
      if (!this.members.has(key))
        this.members.set(
          key,
          group.members.map((m) => m.toLowerCase()),
        );
    }
  }

  has(groupKey: string): boolean {
    return this.members.has(groupKey);
  }

  /** Lower-cased ids of the users in the group, transitively, in breadth-first order. */
  usersOf(groupKey: string): readonly string[] {
    const cached = this.expanded.get(groupKey);
    if (cached) return cached;
    const users = new Set<string>();
    const entered = new Set<string>([groupKey]);
    const queue = [groupKey];
    for (let i = 0; i < queue.length; i++) {
      for (const member of this.members.get(queue[i] as string) ?? []) {
        if (this.isUser(member)) users.add(member);
        else if (this.members.has(member) && !entered.has(member)) {
          entered.add(member);
          queue.push(member);
        }
      }
    }
    const result = [...users];
    this.expanded.set(groupKey, result);
    return result;
  }
}
