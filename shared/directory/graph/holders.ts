/**
 * Turning role assignments (of users and groups) into RoleHolders: groups expanded to their
 * users, each user once with the strongest holding. Pure, shared by directory and Azure roles.
 */
import { addressOf, type HolderState, type RoleHolder } from '../roleDirectory.js';
import type { GraphUser } from './graphReader.js';

/** One assignment or eligibility of one principal, whatever API it came from. */
export interface Holding {
  principalId: string;
  roleDefinitionId: string;
  state: HolderState;
  assignmentType?: 'Assigned' | 'Activated';
  endDateTime: string | null;
}

/** Principals by lower-cased id (assignments do not always spell a GUID the same way). */
export interface ResolvedPrincipals {
  users: Map<string, GraphUser>;
  /** Group id (lower-cased) → display name and its users (transitively). */
  groups: Map<string, { displayName: string; users: GraphUser[] }>;
}

export function toPerson(user: GraphUser): { id: string; displayName: string; address: string | null } {
  return { id: user.id, displayName: user.displayName ?? user.userPrincipalName ?? user.id, address: addressOf(user) };
}

export function mergeHolders(holdings: readonly Holding[], principals: ResolvedPrincipals): RoleHolder[] {
  const byUser = new Map<string, RoleHolder>();
  for (const h of holdings) {
    const direct = principals.users.get(h.principalId.toLowerCase());
    const group = principals.groups.get(h.principalId.toLowerCase());
    const candidates: { user: GraphUser; via: string }[] = direct
      ? [{ user: direct, via: 'direct' }]
      : (group?.users ?? []).map((user) => ({ user, via: group?.displayName ?? h.principalId }));
    for (const { user, via } of candidates) {
      const holder: RoleHolder = {
        ...toPerson(user),
        state: h.state,
        ...(h.state === 'active' ? { assignmentType: h.assignmentType ?? 'Assigned' } : {}),
        roleDefinitionId: h.roleDefinitionId,
        via,
        endDateTime: h.endDateTime,
      };
      const current = byUser.get(user.id);
      if (!current || stronger(holder, current)) byUser.set(user.id, holder);
    }
  }
  return [...byUser.values()].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
}

/** Active beats eligible; then a direct holding beats one through a group; then the longer-lasting. */
function stronger(a: RoleHolder, b: RoleHolder): boolean {
  if (a.state !== b.state) return a.state === 'active';
  if ((a.via === 'direct') !== (b.via === 'direct')) return a.via === 'direct';
  return endRank(a.endDateTime) > endRank(b.endDateTime);
}

function endRank(end: string | null): number {
  return end === null ? Number.POSITIVE_INFINITY : Date.parse(end) || 0;
}
