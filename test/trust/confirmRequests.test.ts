/**
 * Events about PIM requests are mailed only when PIM's request APIs (the local Graph and ARM,
 * real wire formats) show that request with the same principal, role, scope and a status that
 * is the event's or a later one. Forged requests, forged decisions and requests for someone
 * else end in the poison queue as "not confirmed by PIM"; recent ones wait for PIM to catch up.
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

function activation(type: PimEvent['type'], requestId: string, overrides: Partial<Record<string, unknown>> = {}): PimEvent {
  return {
    id: eventId(type),
    type,
    tenantId: TENANT,
    occurredAt: minutesAgo(0),
    scope: { kind: 'directory', id: '/' },
    role: { id: ROLE_EXCHANGE },
    principal: { id: CHRISTIE, type: 'user' },
    request: { id: requestId, justification: 'Mailbox migration' },
    ...overrides,
  } as PimEvent;
}

function pending(principalId = CHRISTIE, roleDefinitionId = ROLE_EXCHANGE, extra: Partial<Parameters<Trust['pim']['add']>[0]> = {}) {
  return t.pim.add({ id: randomUUID(), kind: 'directory', createdDateTime: minutesAgo(40), principalId, roleDefinitionId, ...extra });
}

async function poisonReason(event: PimEvent): Promise<string> {
  const before = t.sent.length;
  const outcome = await t.notify(event);
  expect(outcome.kind, JSON.stringify(outcome)).toBe('invalid');
  expect(t.sent.length, 'nothing is mailed').toBe(before);
  return outcome.kind === 'invalid' ? outcome.error.message : '';
}

describe('requests are confirmed with PIM before mailing', () => {
  it('mails a real approval request and its decision', async () => {
    const r = pending();
    const asked = await t.notify(activation('activationPendingApproval', r.id));
    expect(asked).toMatchObject({ kind: 'done' });
    expect(asked.kind === 'done' && asked.sent).toBeGreaterThan(0);
    t.pim.setStatus(r.id, 'Provisioned', minutesAgo(1));
    // The list read a moment ago still says PendingApproval: PIM's answer by id decides.
    const approved = await t.notify(activation('activationApproved', r.id, { occurredAt: minutesAgo(1) }));
    expect(approved).toMatchObject({ kind: 'done' });
  });

  it('refuses a forged approval request whose request id PIM does not have', async () => {
    const forged = activation('activationPendingApproval', randomUUID(), { role: { id: ROLE_GA, displayName: 'Global Administrator' } });
    expect(await poisonReason(forged)).toMatch(/is invalid: not confirmed by PIM: no request [0-9a-f-]{36} for principal .*role 62e90394/);
    // Not a GUID: no request of Graph's can have that id, and it is not asked for.
    const reads = t.graph.count(/ScheduleRequests\//);
    expect(await poisonReason({ ...forged, id: eventId('not-guid'), request: { id: 'req-7f3a91' } })).toMatch(
      /not confirmed by PIM: no request req-7f3a91 for principal/,
    );
    expect(t.graph.count(/ScheduleRequests\//)).toBe(reads);
  });

  it('refuses a forged "approved" for a request still waiting, and one that was denied', async () => {
    const waiting = pending();
    expect(await poisonReason(activation('activationApproved', waiting.id))).toMatch(
      /not confirmed by PIM: request .* is not approved yet \(status PendingApproval\)/,
    );
    const denied = pending();
    t.pim.setStatus(denied.id, 'Denied', minutesAgo(20));
    expect(await poisonReason(activation('activationApproved', denied.id))).toMatch(
      /not confirmed by PIM: request .* was not approved \(status Denied\)/,
    );
    expect(await poisonReason(activation('activationCompleted', denied.id))).toMatch(/did not complete/);
    // The real decision is mailed.
    expect(await t.notify(activation('activationDenied', denied.id))).toMatchObject({ kind: 'done' });
  });

  it('refuses a real request id carried by an event about someone else, another role or another scope', async () => {
    const r = pending();
    expect(await poisonReason(activation('activationPendingApproval', r.id, { principal: { id: RAUL } }))).toMatch(
      /request .* is for another principal/,
    );
    expect(await poisonReason(activation('activationPendingApproval', r.id, { role: { id: ROLE_GA } }))).toMatch(
      /request .* is for another role/,
    );
    const onRg = { scope: { kind: 'azureResource', id: RG_DATA }, role: { id: ROLE_EXCHANGE } };
    expect(await poisonReason(activation('activationPendingApproval', r.id, onRg))).toMatch(/not confirmed by PIM: no request/);
  });

  it('refuses an event of another tenant and one dated in the future', async () => {
    const r = pending();
    expect(await poisonReason(activation('activationPendingApproval', r.id, { tenantId: randomUUID() }))).toMatch(
      /tenantId is not this tenant/,
    );
    expect(await poisonReason(activation('activationPendingApproval', r.id, { occurredAt: '2199-01-01T00:00:00Z' }))).toMatch(
      /is in the future/,
    );
  });

  it('confirms an Azure resource request through ARM, and refuses it at another scope', async () => {
    const r = t.pim.add({
      id: randomUUID(),
      kind: 'azureResource',
      scope: RG_DATA,
      createdDateTime: minutesAgo(10),
      principalId: RAUL,
      roleDefinitionId: OWNER,
    });
    const event = activation('activationPendingApproval', r.id, {
      scope: { kind: 'azureResource', id: RG_DATA, displayName: 'PROD payroll' },
      role: { id: OWNER },
      principal: { id: RAUL },
    });
    expect(await t.notify(event)).toMatchObject({ kind: 'done' });
    // The scope names the directory's name, never the event's.
    expect(t.sent.at(-1)!.text).not.toContain('PROD payroll');
    const elsewhere = {
      ...event,
      id: eventId('elsewhere'),
      scope: { kind: 'azureResource' as const, id: `${RG_DATA.replace('rg-prod-data', 'rg-prod-web')}` },
    };
    // ARM keeps a request at its own scope: asked for at another one, it has none.
    expect(await poisonReason(elsewhere)).toMatch(
      /not confirmed by PIM: no request .* at scope \/subscriptions\/.*\/resourceGroups\/rg-prod-web$/,
    );
  });

  it('refuses an Azure scope ARM does not show the app', async () => {
    const r = pending();
    const sub = randomUUID();
    // ARM refuses a subscription the app has no role on (AuthorizationFailed).
    t.arm.inject({ match: new RegExp(sub), status: 403, times: 10 });
    const unknownSub = { scope: { kind: 'azureResource', id: `/subscriptions/${sub}/resourceGroups/rg-payroll` }, role: { id: OWNER } };
    expect(await poisonReason(activation('activationPendingApproval', r.id, unknownSub))).toMatch(
      /not confirmed by PIM: PIM's records of scope \/subscriptions\/.*\/resourceGroups\/rg-payroll cannot be read \(40[34]\)/,
    );
    expect(
      await poisonReason(
        activation('activationPendingApproval', r.id, {
          scope: { kind: 'azureResource', id: `/subscriptions/${randomUUID()}/../../providers/x` },
          role: { id: OWNER },
        }),
      ),
    ).toMatch(/scope\.id is not an ARM scope id/);
  });

  it('confirms a PIM for Groups request, and refuses it for another group', async () => {
    const r = t.pim.add({
      id: randomUUID(),
      kind: 'group',
      scope: PIM_GROUP,
      createdDateTime: minutesAgo(10),
      principalId: GROUP_MEMBER,
      roleDefinitionId: 'member',
    });
    const event = activation('activationPendingApproval', r.id, {
      scope: { kind: 'group', id: PIM_GROUP, accessId: 'member' },
      role: undefined,
      principal: { id: GROUP_MEMBER },
    });
    expect(await t.notify(event)).toMatchObject({ kind: 'done' });
    const renamed = {
      ...event,
      id: eventId('other-group'),
      scope: { kind: 'group' as const, id: randomUUID(), accessId: 'member' as const, displayName: 'Tier 0 admins' },
    };
    expect(await poisonReason(renamed)).toMatch(/request .* is for another scope/);
  });

  it('finds a request without an id among the recent ones by principal, role and scope', async () => {
    const fresh = await startTrust();
    try {
      const r = fresh.pim.add({
        id: randomUUID(),
        kind: 'directory',
        createdDateTime: minutesAgo(40),
        principalId: CHRISTIE,
        roleDefinitionId: ROLE_EXCHANGE,
      });
      const { request: _r, ...noId } = activation('activationPendingApproval', r.id);
      expect(await fresh.notify({ ...noId, id: eventId('no-id') } as PimEvent)).toMatchObject({ kind: 'done' });
      const { request: _f, ...forged } = activation('activationPendingApproval', r.id, { principal: { id: RAUL } });
      const outcome = await fresh.notify({ ...forged, id: eventId('no-id-forged') } as PimEvent);
      expect(outcome.kind === 'invalid' && outcome.error.message).toMatch(/not confirmed by PIM: no request for principal a4f92d22/);
    } finally {
      await fresh.stop();
    }
  });

  it('waits for PIM to catch up with a recent event instead of refusing it, then mails it', async () => {
    const waiting = await startTrust({ CONFIRM_LAG_SECONDS: '600' });
    try {
      const id = randomUUID();
      const event = activation('activationPendingApproval', id, { occurredAt: minutesAgo(0.5) });
      const first = await waiting.notify(event);
      expect(first).toMatchObject({
        kind: 'queuedAgain',
        reason: 'awaitingPim',
        detail: expect.stringMatching(/^not in PIM's records yet \(no request /),
      });
      // Half its age (30 s): looked at again in seconds, not a minute.
      const delay = first.kind === 'queuedAgain' ? first.retryAfterMs : 0;
      expect(delay).toBeGreaterThanOrEqual(15_000);
      expect(delay).toBeLessThan(16_000);
      expect(waiting.requeued).toEqual([{ text: JSON.stringify(event), delayMs: delay }]);
      expect(waiting.sent).toEqual([]);
      // The request shows up in PIM: the message put back goes out.
      waiting.pim.add({ id, kind: 'directory', createdDateTime: minutesAgo(0.5), principalId: CHRISTIE, roleDefinitionId: ROLE_EXCHANGE });
      expect(await waiting.notify(event)).toMatchObject({ kind: 'done' });
      // An event long past the lag window is decided at once.
      const old = activation('activationPendingApproval', randomUUID(), { occurredAt: minutesAgo(11) });
      expect(await waiting.notify(old)).toMatchObject({ kind: 'invalid' });
    } finally {
      await waiting.stop();
    }
  });

  it('retries a transient Graph failure instead of refusing the event', async () => {
    const r = pending();
    const fresh = await startTrust();
    try {
      fresh.pim.all.push(...t.pim.all);
      // Inside the $batch that reads the lists and the requests by id, as outside it.
      fresh.graph.inject({ match: /ScheduleRequests/, status: 503, times: 50, inBatch: true });
      await expect(fresh.notify(activation('activationPendingApproval', r.id))).rejects.toThrow(/503/);
    } finally {
      await fresh.stop();
    }
  }, 60_000);

  it('costs a few Graph requests for many events: one list read shared, by-id reads in $batch', async () => {
    const fresh = await startTrust();
    try {
      const requests = Array.from({ length: 30 }, () =>
        fresh.pim.add({
          id: randomUUID(),
          kind: 'directory',
          createdDateTime: minutesAgo(40),
          principalId: CHRISTIE,
          roleDefinitionId: ROLE_EXCHANGE,
        }),
      );
      const before = fresh.graph.count(/ScheduleRequests\?/);
      const outcomes = await Promise.all(requests.map((r) => fresh.notify(activation('activationPendingApproval', r.id))));
      expect(outcomes.every((o) => o.kind === 'done')).toBe(true);
      // Both schedules' lists once, in one $batch (the by-id reads are not needed: every request is in the list).
      expect(fresh.graph.count(/ScheduleRequests\?/, true) - before).toBe(2);
      expect(fresh.graph.count(/ScheduleRequests/, false)).toBe(0);
      const http = fresh.graph.count(undefined, false);
      const forged = await Promise.all(
        Array.from({ length: 30 }, () => fresh.notify(activation('activationPendingApproval', randomUUID()))),
      );
      expect(forged.every((o) => o.kind === 'invalid')).toBe(true);
      // 30 unknown ids, each read by id, all inside shared $batch requests: far fewer HTTP requests than ids.
      expect(fresh.graph.count(/ScheduleRequests\/[0-9a-f-]{36}$/, true)).toBe(30);
      expect(fresh.graph.count(/ScheduleRequests\/[0-9a-f-]{36}$/, false)).toBe(0);
      expect(fresh.graph.count(undefined, false) - http).toBeLessThan(10);
    } finally {
      await fresh.stop();
    }
  }, 60_000);
});

describe('the setting', () => {
  it('mails unconfirmed events with a warning when CONFIRM_WITH_PIM is false', async () => {
    const off = await startTrust({ CONFIRM_WITH_PIM: 'false' });
    try {
      const forged = activation('activationPendingApproval', randomUUID());
      expect(await off.notify(forged)).toMatchObject({ kind: 'done' });
      expect(off.sent.length).toBeGreaterThan(0);
      expect(off.logs.join('\n')).toMatch(
        new RegExp(`warn event ${forged.id} \\(activationPendingApproval\\): mailed unconfirmed by PIM: CONFIRM_WITH_PIM is false`),
      );
      expect(off.graph.count(/ScheduleRequests/)).toBe(0);
    } finally {
      await off.stop();
    }
  });

  it('waits for the grant when the app may not read PIM requests: never mailed unconfirmed, mailed once the permission is there', async () => {
    const fresh = await startTrust();
    try {
      fresh.graph.inject({ match: /roleAssignmentScheduleRequests/, status: 403, times: 1000, inBatch: true });
      const r = fresh.pim.add({
        id: randomUUID(),
        kind: 'directory',
        createdDateTime: minutesAgo(40),
        principalId: CHRISTIE,
        roleDefinitionId: ROLE_EXCHANGE,
      });
      const event = activation('activationPendingApproval', r.id);
      expect(await fresh.notify(event)).toMatchObject({ kind: 'queuedAgain', reason: 'waitingForPermission' });
      expect(fresh.sent).toHaveLength(0);
      expect(fresh.requeued.map((q) => q.text)).toEqual([JSON.stringify(event)]);
      expect(fresh.logs.join('\n')).toMatch(
        /missing permission: Microsoft Graph GET \/roleManagement\/directory\/roleAssignmentScheduleRequests.* 403 Authorization_RequestDenied/,
      );
      fresh.graph.clearFaults();
      expect(await fresh.notify(event)).toMatchObject({ kind: 'done' });
      expect(fresh.sent.length).toBeGreaterThan(0);
    } finally {
      await fresh.stop();
    }
  });
});
