/**
 * A deterministic stream of PIM events of every type against a bench tenant (bench/tenant.ts):
 * the same tenant and options give the same events, byte for byte (choices from a seeded PRNG).
 */
import { EVENT_TYPES, type PimEvent } from '../shared/events/schema.js';
import { ROLE } from '../shared/directory/roleDirectory.js';
import { CONTRIBUTOR, READER, prng, type GeneratedTenant } from './tenant.js';

const AZURE_ROLES: Array<[string, string]> = [
  [ROLE.owner, 'Owner'],
  [CONTRIBUTOR, 'Contributor'],
  [READER, 'Reader'],
];

/**
 * `count` valid events cycling through every type of EVENT_TYPES, about a third on Azure
 * scopes, principals drawn from the role holders (one in twenty a group), actors from the admins.
 */
export function generateEvents(
  tenant: GeneratedTenant,
  count: number,
  options: { seed?: number; prefix?: string; start?: Date } = {},
): PimEvent[] {
  const rand = prng(options.seed ?? 47);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const start = (options.start ?? new Date('2026-11-17T08:00:00Z')).getTime();
  const names = new Map(tenant.data.users.map((u) => [u.id, u.displayName]));
  const roleNames = new Map(tenant.data.roleDefinitions.map((r) => [r.id, r.displayName]));
  const adminRoles = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator];
  const events: PimEvent[] = [];
  for (let n = 0; n < count; n++) {
    const type = EVENT_TYPES[n % EVENT_TYPES.length]!;
    const occurredAt = new Date(start + n * 1000).toISOString();
    const id = `${options.prefix ?? 'bench'}-${String(n).padStart(6, '0')}`;
    const actorId = pick(tenant.adminIds);
    const actor = { id: actorId, displayName: names.get(actorId) };
    if (type === 'pimEnabled') {
      events.push({ id, type, tenantId: tenant.data.tenant.id, occurredAt, scope: { kind: 'directory', id: '/' }, actor });
      continue;
    }
    const azure = rand() < 0.3;
    const scope = azure ? { kind: 'azureResource' as const, id: pick(tenant.azureScopes) } : { kind: 'directory' as const, id: '/' };
    const [roleId, roleName] = azure
      ? pick(AZURE_ROLES)
      : rand() < 0.25
        ? ((r) => [r, roleNames.get(r)!])(pick(adminRoles))
        : ((r) => [r, roleNames.get(r)!])(pick(tenant.otherRoles));
    const asGroup = rand() < 0.05;
    const principalId = asGroup ? pick(tenant.groupHolderIds) : pick(tenant.holderIds);
    const principal = {
      id: principalId,
      displayName: names.get(principalId) ?? 'Role group',
      type: asGroup ? ('group' as const) : ('user' as const),
    };
    const base = { id, tenantId: tenant.data.tenant.id, occurredAt, scope, role: { id: roleId, displayName: roleName }, principal, actor };
    const permanent = type === 'roleMadePermanent' || type === 'roleAssignedOutsidePim';
    const state =
      type === 'roleAssignedOutsidePim' || type === 'roleMadePermanent' || rand() < 0.4 ? ('active' as const) : ('eligible' as const);
    const assignment = {
      state,
      permanent,
      startDateTime: occurredAt,
      ...(permanent ? {} : { endDateTime: new Date(start + n * 1000 + 180 * 86_400_000).toISOString() }),
    };
    switch (type) {
      case 'activationPendingApproval':
      case 'assignmentPendingApproval':
      case 'activationApproved':
      case 'activationDenied':
      case 'activationCanceled':
        events.push({
          ...base,
          type,
          request: {
            id: `req-${n}`,
            justification: `Change ${n}: maintenance window`,
            ticketNumber: `CHG-${10000 + n}`,
            ticketSystem: 'ServiceNow',
          },
        });
        break;
      case 'activationCompleted':
        events.push({
          ...base,
          type,
          assignment: {
            state: 'active',
            permanent: false,
            startDateTime: occurredAt,
            endDateTime: new Date(start + n * 1000 + 8 * 3_600_000).toISOString(),
          },
        });
        break;
      default:
        events.push({ ...base, type, assignment });
    }
  }
  return events;
}
