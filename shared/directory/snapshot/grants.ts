/**
 * Role grants (assignments and eligibilities) flattened into one shape with their schedule
 * pre-parsed, and the rule that turns a list of grants into the users who hold them:
 * groups expanded, each user once with the strongest grant.
 */
import type { HolderState, Person, RoleHolder } from '../roleDirectory.js';
import type { GroupIndex } from './groups.js';

export interface Grant {
  principalId: string;
  /** principalId lower-cased: Graph ids are case-insensitive GUIDs. */
  principalKey: string;
  roleDefinitionId: string;
  state: HolderState;
  assignmentType?: 'Assigned' | 'Activated';
  startDateTime: string | null;
  endDateTime: string | null;
  /** Parsed once so that each lookup only compares numbers. */
  startMs: number;
  endMs: number;
}

export function toGrant(entry: {
  principalId: string;
  roleDefinitionId: string;
  state: HolderState;
  assignmentType?: 'Assigned' | 'Activated';
  startDateTime: string | null;
  endDateTime: string | null;
}): Grant {
  return {
    principalId: entry.principalId,
    principalKey: entry.principalId.toLowerCase(),
    roleDefinitionId: entry.roleDefinitionId,
    state: entry.state,
    ...(entry.state === 'active' ? { assignmentType: entry.assignmentType ?? 'Assigned' } : {}),
    startDateTime: entry.startDateTime,
    endDateTime: entry.endDateTime,
    startMs: entry.startDateTime === null ? -Infinity : Date.parse(entry.startDateTime),
    endMs: entry.endDateTime === null ? Infinity : Date.parse(entry.endDateTime),
  };
}

/** In force at `now`: started (or no start) and not yet ended (or permanent). */
export function inForce(grant: Grant, now: number): boolean {
  return grant.startMs <= now && now < grant.endMs;
}

interface Candidate {
  person: Person;
  grant: Grant;
  via: string;
}

/**
 * Which of two grants of one user wins: active beats eligible; then the one lasting longer
 * (permanent first); then a direct grant over one through a group; then a standing
 * assignment over an activation. Independent of input order, so results are stable.
 */
function stronger(a: Candidate, b: Candidate): boolean {
  if (a.grant.state !== b.grant.state) return a.grant.state === 'active';
  if (a.grant.endMs !== b.grant.endMs) return a.grant.endMs > b.grant.endMs;
  if ((a.via === 'direct') !== (b.via === 'direct')) return a.via === 'direct';
  if (a.grant.assignmentType !== b.grant.assignmentType) return a.grant.assignmentType === 'Assigned';
  return false;
}

export interface HolderLookup {
  users: ReadonlyMap<string, Person>;
  /** Each user's position in name order, computed once, so sorting holders compares numbers. */
  nameRank: ReadonlyMap<string, number>;
  groupNames: ReadonlyMap<string, string>;
  groups: GroupIndex;
}

/**
 * The users holding any of `grants` at `now`, each once. Service principals and ids not in
 * the snapshot hold roles too but have nobody to email, so they are left out here.
 */
export function holdersOf(grants: readonly Grant[], now: number, lookup: HolderLookup): RoleHolder[] {
  const best = new Map<string, Candidate>();
  const offer = (key: string, grant: Grant, via: string): void => {
    const person = lookup.users.get(key);
    if (!person) return;
    const candidate = { person, grant, via };
    const current = best.get(key);
    if (!current || stronger(candidate, current)) best.set(key, candidate);
  };
  for (const grant of grants) {
    if (!inForce(grant, now)) continue;
    if (lookup.users.has(grant.principalKey)) {
      offer(grant.principalKey, grant, 'direct');
      continue;
    }
    const groupName = lookup.groupNames.get(grant.principalKey);
    if (groupName === undefined) continue;
    for (const userKey of lookup.groups.usersOf(grant.principalKey)) offer(userKey, grant, groupName);
  }
  const rank = (key: string): number => lookup.nameRank.get(key) ?? 0;
  // Plain property writes rather than object spreads: with 10,000 holders the spreads were
  // most of the cost of a call.
  return [...best.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([, { person, grant, via }]) => {
      const holder: RoleHolder = {
        id: person.id,
        displayName: person.displayName,
        address: person.address,
        state: grant.state,
        roleDefinitionId: grant.roleDefinitionId,
        via,
        endDateTime: grant.endDateTime,
      };
      if (grant.assignmentType) holder.assignmentType = grant.assignmentType;
      return holder;
    });
}

/** One collator for every sort: String#localeCompare builds one per call, which dominates large lists. */
const collator = new Intl.Collator('en');

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b);
}

export function byName(a: Person, b: Person): number {
  return collator.compare(a.displayName, b.displayName) || collator.compare(a.id, b.id);
}
