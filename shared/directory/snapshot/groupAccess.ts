/**
 * PIM for Groups in the directory snapshot: `privilegedAccessGroups`, one entry per group
 * managed by PIM, with its members' and owners' eligible and active access (Graph's
 * privilegedAccessGroup eligibility and assignment schedule instances, `accessId` member or
 * owner) and the group's two role settings (roleManagementPolicies with scopeType Group,
 * one per accessId). The group's permanent owners come from `groups[].owners` (Graph's
 * /groups/{id}/owners).
 *
 * GroupAccessIndex answers the RoleDirectory's group questions over it; like the rest of the
 * snapshot, indexes are built once and only the schedule check reads the clock.
 */
import type { SnapshotPrivilegedAccessGroup } from './groupAccessSchema.js';
import type { PolicyRule, RoleHolder, ScheduledAssignment } from '../roleDirectory.js';
import { holdersOf, inForce, toGrant, type Grant, type HolderLookup } from './grants.js';

interface GroupEntry {
  groupId: string;
  grants: Grant[];
  policies: Map<string, PolicyRule[]>;
}

export class GroupAccessIndex {
  private readonly groups = new Map<string, GroupEntry>();
  /** Lower-cased group id → lower-cased user ids of its owners (groups[].owners). */
  private readonly owners = new Map<string, string[]>();

  constructor(
    entries: readonly SnapshotPrivilegedAccessGroup[],
    groupOwners: readonly { id: string; owners: readonly string[] }[],
    private readonly lookup: HolderLookup,
  ) {
    for (const g of groupOwners) {
      const key = g.id.toLowerCase();
      if (!this.owners.has(key))
        this.owners.set(
          key,
          g.owners.map((o) => o.toLowerCase()),
        );
    }
    for (const e of entries) {
      const key = e.groupId.toLowerCase();
      let entry = this.groups.get(key);
      if (!entry) this.groups.set(key, (entry = { groupId: e.groupId, grants: [], policies: new Map() }));
      for (const a of e.assignments) {
        entry.grants.push(toGrant({ ...a, roleDefinitionId: a.accessId, assignmentType: a.assignmentType ?? undefined }));
      }
      for (const p of e.roleManagementPolicies)
        if (!entry.policies.has(p.accessId)) entry.policies.set(p.accessId, p.rules as PolicyRule[]);
    }
  }

  /**
   * The group's owners (groups[].owners, plus standing owner access listed only in PIM) that
   * own it with standing access: one whose ownership is only an activation is an eligible owner.
   */
  permanentOwners(groupId: string, now: number): RoleHolder[] {
    const key = groupId.toLowerCase();
    const grants = (this.groups.get(key)?.grants ?? []).filter(
      (g) => g.roleDefinitionId === 'owner' && g.state === 'active' && inForce(g, now),
    );
    const activatedOnly = new Set(grants.filter((g) => g.assignmentType === 'Activated').map((g) => g.principalKey));
    for (const g of grants) if (g.assignmentType === 'Assigned') activatedOnly.delete(g.principalKey);
    const standing = [
      ...(this.owners.get(key) ?? [])
        .filter((o) => !activatedOnly.has(o))
        .map((o) => toGrant({ principalId: o, roleDefinitionId: 'owner', state: 'active', startDateTime: null, endDateTime: null })),
      ...grants.filter((g) => g.assignmentType === 'Assigned'),
    ];
    // Owners are users; a group or service principal listed as owner has nobody to email.
    return holdersOf(
      standing.filter((g) => this.lookup.users.has(g.principalKey)),
      now,
      this.lookup,
    );
  }

  accessHolders(groupId: string, accessId: 'member' | 'owner', now: number): RoleHolder[] {
    const grants = (this.groups.get(groupId.toLowerCase())?.grants ?? []).filter((g) => g.roleDefinitionId === accessId);
    return holdersOf(grants, now, this.lookup);
  }

  policy(groupId: string, accessId: string): PolicyRule[] {
    return [...(this.groups.get(groupId.toLowerCase())?.policies.get(accessId.toLowerCase()) ?? [])];
  }

  /** Every PIM access to every group, with its schedule, for the expiry scanner. */
  scheduled(principalType: (key: string) => ScheduledAssignment['principalType']): ScheduledAssignment[] {
    const out: ScheduledAssignment[] = [];
    for (const entry of this.groups.values()) {
      for (const g of entry.grants) {
        out.push({
          scope: { kind: 'group', id: entry.groupId },
          roleDefinitionId: g.roleDefinitionId,
          principalId: g.principalId,
          principalType: principalType(g.principalKey),
          state: g.state,
          ...(g.assignmentType ? { assignmentType: g.assignmentType } : {}),
          startDateTime: g.startDateTime,
          endDateTime: g.endDateTime,
        });
      }
    }
    return out;
  }
}
