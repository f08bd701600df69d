/**
 * Assignment events (and activations without a request id) are mailed only when the schedules
 * PIM lists at the event's scope (the local Graph and ARM, real wire formats) show the same
 * principal, role or group access, scope and state; expiry warnings need the same end date,
 * an expiry needs the assignment gone. Names in the mail still come from the directory.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PimEvent } from '../../shared/events/schema.js';
import {
  CHRISTIE,
  GROUP_MEMBER,
  OWNER,
  PIM_GROUP,
  RAUL,
  RG_DATA,
  ROLE_EXCHANGE,
  ROLE_GA,
  SUB,
  TENANT,
  eventId,
  minutesAgo,
  startTrust,
  type Trust,
} from './confirmHarness.js';

let t: Trust;
beforeAll(async () => {
  t = await startTrust();
});
afterAll(() => t?.stop());

const SA = '194ae4cb-b126-40b2-bd5b-6091b380977d';

function assignment(
  type: PimEvent['type'],
  principalId: string,
  roleId: string,
  state: 'eligible' | 'active',
  more: Record<string, unknown> = {},
): PimEvent {
  return {
    id: eventId(type),
    type,
    tenantId: TENANT,
    occurredAt: minutesAgo(60),
    scope: { kind: 'directory', id: '/' },
    role: { id: roleId },
    principal: { id: principalId },
    assignment: { state, permanent: false },
    ...more,
  } as PimEvent;
}

async function refused(event: PimEvent): Promise<string> {
  const outcome = await t.notify(event);
  expect(outcome.kind, JSON.stringify(outcome)).toBe('invalid');
  return outcome.kind === 'invalid' ? outcome.error.message : '';
}

async function mailed(event: PimEvent): Promise<void> {
  const outcome = await t.notify(event);
  expect(outcome, `${event.type}: ${outcome.kind === 'invalid' ? outcome.error.message : ''}`).toMatchObject({ kind: 'done' });
}

describe('assignment events are confirmed against PIM schedules', () => {
  it('mails a real assignment and refuses a forged one of Global Administrator', async () => {
    await mailed(assignment('roleAssigned', CHRISTIE, ROLE_EXCHANGE, 'eligible', { assignment: { state: 'eligible', permanent: true } }));
    expect(await refused(assignment('roleAssigned', RAUL, ROLE_GA, 'active'))).toMatch(
      /not confirmed by PIM: no active assignment of principal a4f92d22-1abc-4d70-93ff-c9a6b8eaac20, role 62e90394-69f5-4237-9190-012177145e10 at scope \//,
    );
    // The same holder, but eligible, not active: the state counts.
    expect(await refused(assignment('roleAssigned', CHRISTIE, ROLE_EXCHANGE, 'active'))).toMatch(/no active assignment/);
  });

  it('refuses an expiry for an assignment still in force, and mails one that has ended', async () => {
    expect(await refused(assignment('roleExpired', CHRISTIE, ROLE_EXCHANGE, 'eligible'))).toMatch(
      /the eligible assignment of .* is still in force permanently/,
    );
    // 8b935afe… was eligible for Global Administrator until 2026-10-31: gone from PIM's instances.
    await mailed(
      assignment('roleExpired', '8b935afe-b907-4e79-915e-4c48f1ad5c4f', ROLE_GA, 'eligible', {
        assignment: { state: 'eligible', permanent: false, endDateTime: '2026-10-31T00:00:00Z' },
      }),
    );
  });

  it('checks the end date of an expiry warning and the permanence of "made permanent"', async () => {
    const end = '2026-12-31T23:59:59Z';
    await mailed(
      assignment('roleExpiringSoon', 'd5b5bf4b-c944-46ab-b6fe-3b11482b7912', ROLE_GA, 'eligible', {
        assignment: { state: 'eligible', permanent: false, endDateTime: end },
      }),
    );
    expect(
      await refused(
        assignment('roleExpiringSoon', 'd5b5bf4b-c944-46ab-b6fe-3b11482b7912', ROLE_GA, 'eligible', {
          assignment: { state: 'eligible', permanent: false, endDateTime: '2026-12-02T00:00:00Z' },
        }),
      ),
    ).toMatch(/does not end at 2026-12-02T00:00:00Z/);
    // 85b59fbe… is an active Security Administrator until 2026-12-15: not permanent.
    expect(
      await refused(
        assignment('roleMadePermanent', '85b59fbe-397c-45cf-a16d-bd52e29b1efc', SA, 'active', {
          assignment: { state: 'active', permanent: true },
        }),
      ),
    ).toMatch(/is not permanent/);
    await mailed(
      assignment('roleMadePermanent', '2f1ff273-f85b-4fe7-91ab-7bb190db134c', ROLE_GA, 'active', {
        assignment: { state: 'active', permanent: true },
      }),
    );
  });

  it('confirms an activation without a request id by its active schedule', async () => {
    const activated = { type: 'activationCompleted', assignment: { state: 'active', permanent: false } } as const;
    await mailed({
      ...assignment('activationCompleted', '49b6bdff-d79b-41ac-9a65-739d81ad90c4', ROLE_GA, 'active'),
      ...activated,
    } as PimEvent);
    expect(await refused({ ...assignment('activationCompleted', RAUL, ROLE_GA, 'active'), ...activated } as PimEvent)).toMatch(
      /no active assignment of principal a4f92d22/,
    );
  });

  it('confirms Azure resource schedules at their exact scope through ARM', async () => {
    const atSub = { scope: { kind: 'azureResource', id: `/subscriptions/${SUB}`, displayName: 'Contoso Payroll' } };
    await mailed(
      assignment('roleAssigned', 'a7dffb15-17aa-4886-85fe-1d8b916aedda', OWNER, 'active', {
        ...atSub,
        assignment: { state: 'active', permanent: true },
      }),
    );
    expect(t.sent.at(-1)!.text).not.toContain('Contoso Payroll');
    // Owner of the subscription, but the event says rg-prod-data: another scope.
    expect(
      await refused(
        assignment('roleAssigned', 'a7dffb15-17aa-4886-85fe-1d8b916aedda', OWNER, 'active', {
          scope: { kind: 'azureResource', id: RG_DATA },
        }),
      ),
    ).toMatch(/no active assignment .* at scope \/subscriptions\/.*\/resourceGroups\/rg-prod-data/);
    await mailed(assignment('roleAssigned', RAUL, OWNER, 'eligible', { scope: { kind: 'azureResource', id: RG_DATA } }));
  });

  it('confirms PIM for Groups schedules of the group and access named, and refuses a renamed group', async () => {
    const group = { kind: 'group', id: PIM_GROUP, accessId: 'member', displayName: 'Helpdesk interns' } as const;
    const expiring = {
      type: 'roleExpiringSoon',
      scope: group,
      role: undefined,
      assignment: { state: 'eligible', permanent: false, endDateTime: '2026-12-05T00:00:00Z' },
    } as const;
    await mailed({ ...assignment('roleExpiringSoon', GROUP_MEMBER, ROLE_GA, 'eligible'), ...expiring } as PimEvent);
    expect(t.sent.at(-1)!.text).not.toContain('Helpdesk interns');
    expect(
      await refused({
        ...assignment('roleExpiringSoon', GROUP_MEMBER, ROLE_GA, 'eligible'),
        ...expiring,
        scope: { ...group, accessId: 'owner' },
      } as PimEvent),
    ).toMatch(/no eligible assignment of principal .*, owner access to group/);
    expect(
      await refused({
        ...assignment('roleExpiringSoon', GROUP_MEMBER, ROLE_GA, 'eligible'),
        ...expiring,
        scope: { ...group, id: randomUUID() },
      } as PimEvent),
    ).toMatch(/no eligible assignment/);
  });

  it('still names an unknown actor as unknown in a confirmed event', async () => {
    const actor = { id: randomUUID(), displayName: 'Microsoft Support (call +1 555 0100)' };
    await mailed(
      assignment('roleAssigned', CHRISTIE, ROLE_EXCHANGE, 'eligible', { actor, assignment: { state: 'eligible', permanent: true } }),
    );
    const text = t.sent.at(-1)!.text;
    expect(text).not.toContain('555 0100');
    expect(text).toContain(`unknown (${actor.id})`);
  });

  it('confirms pimEnabled by its tenant only', async () => {
    const enabled = {
      id: eventId('pim'),
      type: 'pimEnabled',
      tenantId: TENANT,
      occurredAt: minutesAgo(5),
      scope: { kind: 'directory', id: '/' },
    } as PimEvent;
    expect(await t.notify(enabled)).toMatchObject({ kind: 'done' });
    expect(await refused({ ...enabled, id: eventId('pim'), tenantId: randomUUID() })).toMatch(/tenantId is not this tenant/);
  });
});
