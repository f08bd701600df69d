/** Builders for directoryAudit records as Graph returns them for PIM (reference §5). */
import type { DirectoryAudit } from '../../shared/sources/auditRecord.js';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const GA = '62e90394-69f5-4237-9190-012177145e10';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const ALICE = 'a0000000-0000-4000-8000-00000000a11c';
export const ADMIN = 'b0000000-0000-4000-8000-0000000000ad';
export const SUB = '00000000-0000-4000-8000-0000000005b1';
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-app`;

let n = 0;

export function record(activity: string, at: Date | string, overrides: Partial<DirectoryAudit> = {}): DirectoryAudit {
  n++;
  return {
    id: `PIM_${String(n).padStart(4, '0')}-rec`,
    category: 'RoleManagement',
    correlationId: `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    result: 'success',
    activityDisplayName: activity,
    activityDateTime: typeof at === 'string' ? at : at.toISOString().replace('Z', '1234Z'),
    loggedByService: 'PIM',
    initiatedBy: { user: { id: ADMIN, displayName: 'Admin', userPrincipalName: 'admin@contoso.example' }, app: null },
    targetResources: [
      { id: GA, displayName: 'Global Administrator', type: 'Role' },
      { id: `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`, displayName: null, type: 'Request' },
      { id: ALICE, displayName: 'Alice', type: 'User', userPrincipalName: 'alice@contoso.example' },
    ],
    additionalDetails: [
      { key: 'RoleDefinitionOriginId', value: GA },
      { key: 'Justification', value: 'Incident 42' },
      { key: 'TicketNumber', value: 'INC-42' },
      { key: 'StartTime', value: '2026-11-20T10:00:00.0000000Z' },
      { key: 'ExpirationTime', value: '2026-12-20T10:00:00.0000000Z' },
    ],
    ...overrides,
  };
}

/** A ResourceManagement record: the role is an ARM role definition path, the scope a resource group. */
export function resourceRecord(activity: string, at: Date, overrides: Partial<DirectoryAudit> = {}): DirectoryAudit {
  const base = record(activity, at, overrides);
  return {
    ...base,
    category: 'ResourceManagement',
    targetResources: [
      { id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, displayName: 'Reader', type: 'Role' },
      { id: RG, displayName: 'rg-app', type: 'Other' },
      { id: ALICE, displayName: 'Alice', type: 'User' },
    ],
    additionalDetails: [{ key: 'Justification', value: 'deploy' }],
    ...overrides,
  };
}

export const SOC_GROUP = 'e0000000-0000-4000-8000-0000000050c2';
export const NESTED_GROUP = 'e0000000-0000-4000-8000-0000000050c3';

/** A GroupManagement record (PIM for Groups): the access as a role target, the user, then the managed group. */
export function groupRecord(
  activity: string,
  at: Date,
  access: 'Member' | 'Owner',
  overrides: Partial<DirectoryAudit> = {},
): DirectoryAudit {
  const base = record(activity, at, overrides);
  return {
    ...base,
    category: 'GroupManagement',
    targetResources: [
      { id: access.toLowerCase(), displayName: access, type: 'Role' },
      { id: ALICE, displayName: 'Alice', type: 'User' },
      { id: SOC_GROUP, displayName: 'SOC Tier 2', type: 'Group' },
    ],
    additionalDetails: base.additionalDetails!.filter((d) => d.key !== 'RoleDefinitionOriginId'),
    ...overrides,
  };
}

/** The request id a record names (its `Request` target), which the request-bound events take their id from. */
export function requestIdOf(r: DirectoryAudit): string {
  const id = r.targetResources?.find((t) => t.type === 'Request')?.id;
  if (!id) throw new Error(`record ${r.id} names no request`);
  return id;
}
