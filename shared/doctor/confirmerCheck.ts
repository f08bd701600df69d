/**
 * The confirmer's reads (CONFIRM_WITH_PIM): the lists of recent requests it compares request
 * events with, read the way it reads them, by asking it about a request event of each kind of
 * access that carries no request id (the kind it looks up in those lists): the directory, one
 * role-assignable group, each subscription. The answers (such a request is not PIM's) do not
 * matter; what the reads met does.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../composition/services.js';
import { PimRecordConfirmer } from '../confirm/pimRecordConfirmer.js';
import { GraphDirectory } from '../directory/graphDirectory.js';
import { GroupReader } from '../directory/graph/groupReader.js';
import { ROLE } from '../directory/roleDirectory.js';
import { pimEventSchema, type EventScope } from '../events/schema.js';
import { warned, type Check } from './check.js';
import { probeRead, type ProbeContext } from './probe.js';

/** Long enough ago that no "not yet, look again" read is made: one read per list. */
const AGO_MS = 2 * 60 * 60_000;

export async function confirmerCheck(services: Services, ctx: ProbeContext): Promise<Check[]> {
  const { confirmer, directory, settings } = services;
  if (!(directory instanceof GraphDirectory)) return [];
  if (!settings.CONFIRM_WITH_PIM)
    return [
      warned(
        'graph',
        'confirmer',
        "CONFIRM_WITH_PIM=false: every well-formed event on pim-events is mailed, PIM's records unchecked (docs/trust.md)",
        'set CONFIRM_WITH_PIM=true (the default)',
      ),
    ];
  if (!(confirmer instanceof PimRecordConfirmer)) return [];
  return [
    await probeRead(ctx, 'graph', "confirmer's request lists", async () => {
      const tenantId = (await directory.tenant()).id;
      const group = (await new GroupReader(directory.graph).roleAssignableGroups())[0];
      const scopes: EventScope[] = [
        { kind: 'directory', id: '/' },
        ...(group ? [{ kind: 'group' as const, id: group.id, accessId: 'member' as const }] : []),
        ...settings.AZURE_SUBSCRIPTION_IDS.map((s) => ({ kind: 'azureResource' as const, id: `/subscriptions/${s}` })),
      ];
      const occurredAt = new Date(services.clock.now().getTime() - AGO_MS).toISOString();
      for (const scope of scopes) {
        const event = pimEventSchema.parse({
          id: `pim-notify-doctor-${scope.kind}`,
          type: 'activationPendingApproval',
          tenantId,
          occurredAt,
          scope,
          role: { id: scope.kind === 'azureResource' ? ROLE.owner : ROLE.globalAdministrator },
          principal: { id: randomUUID(), type: 'user' },
        });
        await confirmer.confirm(event);
      }
      return `the recent requests of ${scopes.map((s) => (s.kind === 'azureResource' ? s.id : s.kind)).join(', ')} read as the confirmer reads them`;
    }),
  ];
}
