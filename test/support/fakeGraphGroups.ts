/**
 * The local Graph's PIM for Groups endpoints, over the snapshot format's privilegedAccessGroups:
 * /identityGovernance/privilegedAccess/group/{assignment,eligibility}ScheduleInstances (which,
 * as in Graph, must be filtered by groupId or principalId: graphContract.ts refuses them
 * otherwise, before they get here), and the group-scoped /policies/roleManagementPolicyAssignments
 * (roleDefinitionId `member` / `owner`).
 */
import { inForce, type Reply } from './fakeServer.js';

export interface GroupAccessData {
  groupId: string;
  assignments: {
    principalId: string;
    accessId: 'member' | 'owner';
    state: 'active' | 'eligible';
    assignmentType?: string | null;
    startDateTime?: string | null;
    endDateTime?: string | null;
  }[];
  roleManagementPolicies?: { accessId: 'member' | 'owner'; rules: { id: string; [k: string]: unknown }[] }[];
}

const BASE = '/identityGovernance/privilegedAccess/group';

export function groupAccessRoute(
  data: { tenant: { id: string }; privilegedAccessGroups?: GroupAccessData[] },
  path: string,
  filter: string,
  url: URL,
  now: Date,
  page: (items: unknown[]) => Reply,
  badRequest: (message: string) => Reply,
): Reply | undefined {
  const groups = data.privilegedAccessGroups ?? [];
  const state =
    path === `${BASE}/assignmentScheduleInstances` ? 'active' : path === `${BASE}/eligibilityScheduleInstances` ? 'eligible' : undefined;
  if (state) {
    const by = /^(groupId|principalId) eq '([^']+)'$/.exec(filter.trim());
    // The contract let through another documented filter (accessId, say): one this local Graph does not serve.
    if (!by) return badRequest(`The local Graph serves these lists by one groupId or principalId only, not '${filter}'`);
    const [, field, value] = by;
    const items = groups.flatMap((g) =>
      g.assignments
        .filter((a) => a.state === state && inForce(a, now))
        .map((a, i) => ({
          id: `${g.groupId}_${a.accessId}_${a.principalId}_${i}`,
          groupId: g.groupId,
          principalId: a.principalId,
          accessId: a.accessId,
          memberType: 'direct',
          startDateTime: a.startDateTime ?? null,
          endDateTime: a.endDateTime ?? null,
          ...(state === 'active' ? { assignmentType: (a.assignmentType ?? 'assigned').toLowerCase() } : {}),
        })),
    );
    return page(items.filter((i) => (field === 'groupId' ? i.groupId : i.principalId).toLowerCase() === value!.toLowerCase()));
  }
  if (path === '/policies/roleManagementPolicyAssignments' && /scopeType eq 'Group'/.test(filter)) {
    const scopeId = /scopeId eq '([^']+)'/.exec(filter)?.[1];
    if (!scopeId) return badRequest('The filter must name scopeId and scopeType');
    const access = /roleDefinitionId eq '([^']+)'/.exec(filter)?.[1];
    const group = groups.find((g) => g.groupId.toLowerCase() === scopeId.toLowerCase());
    const expand = (url.searchParams.get('$expand') ?? '').startsWith('policy');
    const items = (group?.roleManagementPolicies ?? [])
      .filter((p) => !access || p.accessId === access.toLowerCase())
      .map((p) => {
        const policyId = `Group_${scopeId}_${p.accessId}`;
        return {
          id: `${policyId}_${p.accessId}`,
          policyId,
          scopeId,
          scopeType: 'Group',
          roleDefinitionId: p.accessId,
          ...(expand ? { policy: { id: policyId, scopeId, scopeType: 'Group', rules: p.rules } } : {}),
        };
      });
    return page(items);
  }
  return undefined;
}
