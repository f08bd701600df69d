/**
 * Events of a chosen size for the delivery benchmark's "flat from 1 to 1,000 recipients":
 * one directory role per size whose activation notifies exactly that many people, through the
 * rules as they are (no shortcut around planning): the role's `Notification_Admin_EndUser_Assignment`
 * has its default recipients off and size − 1 additional recipients (PIM's "Additional
 * recipients"), and the person who activated gets their own notice. So an `activationCompleted`
 * on the role of size N plans N emails: N − 1 identical ones (one reason line) and one notice.
 */
import type { PimEvent } from '../shared/events/schema.js';
import type { GeneratedTenant } from './tenant.js';

export interface FanOutEvent {
  event: PimEvent;
  /** Emails the rules plan for it. */
  recipients: number;
}

/** A role id per size (GUIDs of their own kind, next to the tenant's). */
const roleId = (size: number) => `b0000000-0000-4000-8f0f-${size.toString(16).padStart(12, '0')}`;

/** The tenant with one fan-out role per size (a copy: the generated tenant is left as it is). */
export function withFanOutRoles(tenant: GeneratedTenant, sizes: readonly number[]): GeneratedTenant {
  const domain = 'contoso-bench.example';
  const data = { ...tenant.data };
  data.roleDefinitions = [...data.roleDefinitions, ...sizes.map((n) => ({ id: roleId(n), displayName: `Bench fan-out ${n}` }))];
  data.roleManagementPolicies = [
    ...data.roleManagementPolicies,
    ...sizes.map((n) => ({
      roleDefinitionId: roleId(n),
      rules: [
        {
          '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
          id: 'Notification_Admin_EndUser_Assignment',
          notificationType: 'Email',
          recipientType: 'Admin',
          notificationLevel: 'All',
          isDefaultRecipientsEnabled: false,
          notificationRecipients: Array.from({ length: n - 1 }, (_, i) => `fanout${n}-${i}@${domain}`),
        },
      ],
    })),
  ];
  // The activating people hold the roles (eligible), as they would.
  data.roleEligibilities = [
    ...data.roleEligibilities,
    ...sizes.flatMap((n) =>
      tenant.holderIds.slice(0, 4).map((principalId) => ({
        principalId,
        roleDefinitionId: roleId(n),
        directoryScopeId: '/',
        startDateTime: null,
        endDateTime: null,
      })),
    ),
  ];
  return { ...tenant, data };
}

/** `perSize` activations of each size, sizes interleaved (1, 10, 100, 1000, 1, 10, …) so that they share the load alike. */
export function fanOutEvents(
  tenant: GeneratedTenant,
  sizes: readonly number[],
  perSize: (size: number) => number,
  prefix: string,
): FanOutEvent[] {
  const names = new Map(tenant.data.users.map((u) => [u.id, u.displayName]));
  const start = Date.parse('2026-11-18T08:00:00Z');
  const out: FanOutEvent[] = [];
  const rounds = Math.max(...sizes.map(perSize));
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      if (round >= perSize(size)) continue;
      const n = out.length;
      const principalId = tenant.holderIds[n % 4]!;
      const principal = { id: principalId, displayName: names.get(principalId) ?? 'Bench user', type: 'user' as const };
      const occurredAt = new Date(start + n * 1000).toISOString();
      out.push({
        recipients: size,
        event: {
          id: `${prefix}-${size}-${String(round).padStart(4, '0')}`,
          type: 'activationCompleted',
          tenantId: tenant.data.tenant.id,
          occurredAt,
          scope: { kind: 'directory', id: '/' },
          role: { id: roleId(size), displayName: `Bench fan-out ${size}` },
          principal,
          actor: principal,
          assignment: {
            state: 'active',
            permanent: false,
            startDateTime: occurredAt,
            endDateTime: new Date(start + n * 1000 + 8 * 3_600_000).toISOString(),
          },
        },
      });
    }
  }
  return out;
}
