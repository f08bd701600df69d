/**
 * Small tenants built per test, in the snapshot format, and the one way these tests ask who
 * gets what: through the real SnapshotDirectory and the real use case (gather, decide, render),
 * as the queue function and `simulate` do. Answers are exact "address notification" pairs.
 */
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { parseSnapshot, type DirectorySnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { parseEvent } from '../../shared/events/parse.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications, type NotificationPlan } from '../../shared/planning/planNotifications.js';

export const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
export const NOW = new Date('2026-12-01T06:00:00Z');
export const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';
export const BACKUP_READER = 'a795c7a0-d4a2-40c1-ae25-d81f01202912';
export const SUB = '/subscriptions/0397ec91-6a5d-4e86-97eb-8b993698c132';
export const RG = `${SUB}/resourceGroups/rg-data`;
export const MG = '/providers/Microsoft.Management/managementGroups/contoso-root';

/** A user id from a small number: the same number is the same person everywhere. */
export const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const gid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
export const mail = (n: number) => `u${n}@contoso.com`;

export type Holding = { n: number; state?: 'active' | 'eligible' };

export interface TenantSpec {
  /** Users 1..users (u<n>@contoso.com); `noAddress` have none. */
  users: number;
  noAddress?: number[];
  groups?: Array<{ n: number; name: string; members: string[] }>;
  /** Directory role holders by role id (principal ids may be groups). */
  directory?: Record<string, Array<{ id: string; state?: 'active' | 'eligible' }>>;
  /** Policies of directory roles, by role id. */
  policies?: Record<string, unknown[]>;
  azure?: Array<{
    id: string;
    displayName?: string;
    parentId?: string;
    holdings: Array<{ id: string; roleDefinitionId: string; state?: 'active' | 'eligible' }>;
    policies?: Record<string, unknown[]>;
  }>;
}

export function snapshot(spec: TenantSpec): DirectorySnapshot {
  const noAddress = new Set(spec.noAddress ?? []);
  const directory = Object.entries(spec.directory ?? {}).flatMap(([roleDefinitionId, hs]) => hs.map((h) => ({ ...h, roleDefinitionId })));
  const value = {
    tenant: { id: TENANT, displayName: 'Contoso', pimEnabled: true },
    users: Array.from({ length: spec.users }, (_, i) => {
      const n = i + 1;
      return {
        id: uid(n),
        displayName: `User ${n}`,
        mail: noAddress.has(n) ? null : mail(n),
        userPrincipalName: noAddress.has(n) ? null : mail(n),
        otherMails: [],
      };
    }),
    groups: (spec.groups ?? []).map((g) => ({ id: gid(g.n), displayName: g.name, mail: null, members: g.members })),
    roleDefinitions: [
      { id: ROLE.globalAdministrator, displayName: 'Global Administrator' },
      { id: ROLE.privilegedRoleAdministrator, displayName: 'Privileged Role Administrator' },
      { id: ROLE.securityAdministrator, displayName: 'Security Administrator' },
      { id: EXCHANGE_ADMIN, displayName: 'Exchange Administrator' },
    ],
    roleAssignments: directory
      .filter((h) => (h.state ?? 'active') === 'active')
      .map((h) => ({ principalId: h.id, roleDefinitionId: h.roleDefinitionId, directoryScopeId: '/', assignmentType: 'Assigned' })),
    roleEligibilities: directory
      .filter((h) => h.state === 'eligible')
      .map((h) => ({ principalId: h.id, roleDefinitionId: h.roleDefinitionId, directoryScopeId: '/' })),
    roleManagementPolicies: Object.entries(spec.policies ?? {}).map(([roleDefinitionId, rules]) => ({ roleDefinitionId, rules })),
    azureResources: (spec.azure ?? []).map((r) => ({
      id: r.id,
      ...(r.displayName ? { displayName: r.displayName } : {}),
      ...(r.parentId ? { parentId: r.parentId } : {}),
      roleDefinitions: [
        { id: ROLE.owner, displayName: 'Owner' },
        { id: ROLE.userAccessAdministrator, displayName: 'User Access Administrator' },
        { id: BACKUP_READER, displayName: 'Backup Reader' },
      ],
      roleAssignments: r.holdings.map((h) => ({
        principalId: h.id,
        roleDefinitionId: h.roleDefinitionId,
        state: h.state ?? 'active',
        ...((h.state ?? 'active') === 'active' ? { assignmentType: 'Assigned' } : {}),
      })),
      roleManagementPolicies: Object.entries(r.policies ?? {}).map(([roleDefinitionId, rules]) => ({ roleDefinitionId, rules })),
    })),
  };
  return parseSnapshot(value).snapshot;
}

export function directoryOf(spec: TenantSpec): SnapshotDirectory {
  return new SnapshotDirectory(snapshot(spec), { clock: { now: () => NOW } });
}

export function event(input: Record<string, unknown>): PimEvent {
  const parsed = parseEvent({
    id: 'evt-1',
    tenantId: TENANT,
    occurredAt: NOW.toISOString(),
    scope: { kind: 'directory', id: '/' },
    role: { id: EXCHANGE_ADMIN },
    ...input,
  });
  if (parsed.kind === 'invalid') throw parsed.error;
  return parsed.event;
}

export interface Outcome {
  /** "address notification", sorted. */
  pairs: string[];
  warnings: string[];
  plan: NotificationPlan;
}

export async function whoGetsWhat(directory: SnapshotDirectory, e: PimEvent, env: Record<string, string> = {}): Promise<Outcome> {
  const plan = await planNotifications(e, directory, loadSettings(env));
  const pairs = plan.decision.recipients.map((r) => `${r.address.toLowerCase()} ${r.notification}`).sort();
  return { pairs, warnings: plan.decision.warnings, plan };
}

/** Expected pairs from user numbers. */
export const pairs = (notification: string, ...ns: number[]) => ns.map((n) => `${mail(n)} ${notification}`);
export const sorted = (...lists: string[][]) => lists.flat().sort();

/** A notification rule in Graph shape. */
export function rule(id: string, props: Record<string, unknown>): Record<string, unknown> {
  return { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule', id, ...props };
}

/** Approval_EndUser_Assignment naming users and groups as primary approvers. */
export function approval(approvers: Array<{ user?: string; group?: string }>): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
    id: 'Approval_EndUser_Assignment',
    setting: {
      isApprovalRequired: true,
      approvalStages: [
        {
          primaryApprovers: approvers.map((a) =>
            a.user
              ? { '@odata.type': '#microsoft.graph.singleUser', userId: a.user }
              : { '@odata.type': '#microsoft.graph.groupMembers', groupId: a.group },
          ),
        },
      ],
    },
  };
}
