/**
 * Confirming Azure requests whatever ARM calls the scope, at any scope ARM lists requests at, and
 * whatever query shapes Graph takes (the strict local request APIs, fakeRequests.ts): a
 * subscription written as its alias (`/providers/Microsoft.Subscription/subscriptions/{id}`, as
 * ARM's list example writes it) is the subscription, for the confirmation and for its admins; a
 * request made at a management group is found in that group's list; a list Graph refuses in every
 * shape leaves the events that name their request confirmed by id, and forged ones refused.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PimEvent } from '../../shared/events/schema.js';
import type { TenantData } from '../support/fakeGraph.js';
import { CHRISTIE, OWNER, RAUL, ROLE_EXCHANGE, SUB, TENANT, eventId, minutesAgo, startTrust, type Trust } from './confirmHarness.js';

const ALIAS = `/providers/Microsoft.Subscription/subscriptions/${SUB}`;
const MG = '/providers/Microsoft.Management/managementGroups/contoso-platform';
/** Miriam Graham: active Owner of the sample subscription. */
const MIRIAM = 'miriam.graham@contoso.com';

let t: Trust | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
  vi.restoreAllMocks();
});

/** A pending activation of Owner for Raul at `scope`, without a request id unless given: found by principal, role and scope. */
function ownerRequested(scope: string, requestId?: string): PimEvent {
  return {
    id: eventId('scope'),
    type: 'activationPendingApproval',
    tenantId: TENANT,
    occurredAt: minutesAgo(0),
    scope: { kind: 'azureResource', id: scope },
    role: { id: OWNER },
    principal: { id: RAUL, type: 'user' },
    ...(requestId ? { request: { id: requestId } } : {}),
  } as PimEvent;
}

function ownerRequest(trust: Trust, scope: string) {
  return trust.pim.add({
    id: randomUUID(),
    kind: 'azureResource',
    scope,
    createdDateTime: minutesAgo(30),
    principalId: RAUL,
    roleDefinitionId: OWNER,
  });
}

const recipients = (trust: Trust) => trust.sent.map((e) => e.to.address.toLowerCase());

describe("a subscription in either of ARM's spellings", () => {
  it('confirms an event at /subscriptions/… against a request ARM lists at the alias', async () => {
    t = await startTrust();
    ownerRequest(t, `/subscriptions/${SUB}`);
    t.arm.aliasSubscriptions = { lists: true, gets: false };
    expect(await t.notify(ownerRequested(`/subscriptions/${SUB}`))).toMatchObject({ kind: 'done' });
    expect(recipients(t)).toContain(MIRIAM);
  });

  it('confirms an event at the alias against a request listed at /subscriptions/…, and mails the subscription’s admins', async () => {
    t = await startTrust();
    ownerRequest(t, `/subscriptions/${SUB}`);
    expect(await t.notify(ownerRequested(ALIAS))).toMatchObject({ kind: 'done' });
    expect(recipients(t)).toContain(MIRIAM);
    expect(t.sent.at(-1)!.text).not.toContain('Microsoft.Subscription');
  });

  it('confirms an event at the alias by its request id, read at the subscription', async () => {
    t = await startTrust();
    const r = ownerRequest(t, ALIAS);
    t.arm.aliasSubscriptions = { lists: false, gets: true };
    expect(await t.notify(ownerRequested(ALIAS, r.id))).toMatchObject({ kind: 'done' });
    expect(recipients(t)).toContain(MIRIAM);
  });
});

describe('a management group', () => {
  const withManagementGroup = (data: TenantData) => {
    data.azureResources!.find((r) => r.id === `/subscriptions/${SUB}`)!.parentId = MG;
    data.azureResources!.push({ id: MG, displayName: 'Platform', roleAssignments: [] });
  };

  it('confirms a request event without an id from the requests made at the group, and refuses a forged one', async () => {
    t = await startTrust({}, withManagementGroup);
    ownerRequest(t, MG);
    expect(await t.notify(ownerRequested(MG))).toMatchObject({ kind: 'done' });
    // Its own list, the requests at (and above) it: not every subscription's below it.
    expect(
      t.arm.count(/managementGroups\/contoso-platform\/providers\/Microsoft\.Authorization\/roleAssignmentScheduleRequests\?.*atScope\(\)/),
    ).toBe(1);
    const forged = { ...ownerRequested(MG), principal: { id: CHRISTIE, type: 'user' as const } };
    const outcome = await t.notify(forged);
    expect(outcome.kind === 'invalid' && outcome.error.message).toMatch(/not confirmed by PIM: no request for principal 70f88c65/);
  });
});

describe('a list Graph refuses in every documented shape', () => {
  it('confirms events by their request id, refuses forged ones, and says which list once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    t = await startTrust();
    t.graph.refusedShapes = [/roleManagement\/directory\/role\w+ScheduleRequests(\?|$)/];
    const event = (requestId: string): PimEvent =>
      ({
        id: eventId('refused'),
        type: 'activationPendingApproval',
        tenantId: TENANT,
        occurredAt: minutesAgo(0),
        scope: { kind: 'directory', id: '/' },
        role: { id: ROLE_EXCHANGE },
        principal: { id: CHRISTIE, type: 'user' },
        request: { id: requestId },
      }) as PimEvent;
    for (let i = 0; i < 2; i++) {
      const r = t.pim.add({
        id: randomUUID(),
        kind: 'directory',
        createdDateTime: minutesAgo(30),
        principalId: CHRISTIE,
        roleDefinitionId: ROLE_EXCHANGE,
      });
      expect(await t.notify(event(r.id))).toMatchObject({ kind: 'done' });
    }
    const forged = await t.notify(event(randomUUID()));
    expect(forged.kind === 'invalid' && forged.error.message).toMatch(/not confirmed by PIM: no request/);
    const said = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('not listed'));
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^PIM requests of directory \(assignment\) not listed: .*400 BadRequest; confirmed by id or schedules only$/);
  });
});
