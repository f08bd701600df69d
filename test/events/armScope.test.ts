/**
 * One spelling per subscription: ARM writes a subscription as `/subscriptions/{id}` or as its
 * alias `/providers/Microsoft.Subscription/subscriptions/{id}` (its own examples use both), and
 * every place the app reads a scope takes either as the same subscription: the normaliser, the
 * event parser, the audit mapping and the ARM reader's holdings.
 */
import { describe, expect, it } from 'vitest';
import { armScope, armScopeKey } from '../../shared/events/armScope.js';
import { parseEvent } from '../../shared/events/parse.js';
import { mapAuditRecord } from '../../shared/sources/auditRecord.js';
import { ArmReader } from '../../shared/directory/arm/armReader.js';
import type { ArmApi } from '../../shared/directory/arm/armClient.js';
import { ALICE, READER, SUB, TENANT, resourceRecord } from '../support/auditRecords.js';

const PLAIN = `/subscriptions/${SUB}`;
const ALIAS = `/providers/Microsoft.Subscription/subscriptions/${SUB}`;

describe('armScope', () => {
  it('writes the alias as the subscription, keeps every other scope, and compares without case', () => {
    expect(armScope(ALIAS)).toBe(PLAIN);
    expect(armScope(`providers/microsoft.subscription/subscriptions/${SUB}/resourceGroups/rg-App/`)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-App`,
    );
    expect(armScope('/providers/Microsoft.Management/managementGroups/Platform')).toBe(
      '/providers/Microsoft.Management/managementGroups/Platform',
    );
    expect(armScope('/')).toBe('/');
    expect(armScopeKey(`${ALIAS}/resourceGroups/RG-App`)).toBe(armScopeKey(`${PLAIN}/resourcegroups/rg-app`));
  });

  it('is applied to an event at the alias, to an audit record naming it, and to the holdings ARM lists with it', async () => {
    const parsed = parseEvent({
      id: 'alias-1',
      type: 'activationPendingApproval',
      tenantId: TENANT,
      occurredAt: '2026-11-25T10:00:00Z',
      scope: { kind: 'azureResource', id: `${ALIAS}/resourceGroups/rg-app` },
      role: { id: READER },
      principal: { id: ALICE },
    });
    expect(parsed.kind === 'valid' && parsed.event.scope.id).toBe(`${PLAIN}/resourceGroups/rg-app`);

    const base = resourceRecord('Add member to role request approved (PIM activation)', new Date('2026-11-25T10:00:00Z'));
    const aliased = {
      ...base,
      targetResources: base.targetResources!.map((t) => (t.type === 'Other' ? { ...t, id: `${ALIAS}/resourceGroups/rg-app` } : t)),
    };
    const mapped = mapAuditRecord(aliased, TENANT);
    expect(mapped.kind === 'event' && mapped.event.scope.id).toBe(`${PLAIN}/resourceGroups/rg-app`);

    const api = {
      list: async () => [
        {
          id: `${ALIAS}/providers/Microsoft.Authorization/roleAssignments/x`,
          properties: { scope: ALIAS, roleDefinitionId: READER, principalId: ALICE },
        },
      ],
    } as unknown as ArmApi;
    const [holding] = await new ArmReader(api).roleAssignmentsAtScope(PLAIN);
    expect(holding).toMatchObject({ scope: PLAIN, id: `${PLAIN}/providers/Microsoft.Authorization/roleAssignments/x` });
  });
});
