/**
 * Issue 25 on a health-care tenant (hospitalTenant.ts), through both directory adapters (the
 * snapshot, and Graph against the local endpoint), for member and owner access:
 * 1. owners who are not approvers are never asked to approve an activation (an informational alert);
 * 2. extend and renew requests go to the owners, never to the activation approvers;
 * 3. a denied extension tells the requester and the other owners;
 * 4. an owner's own extension tells the user and the other owners;
 * 5. an approved renewal tells the requester and the other owners;
 * 6. an expiry tells the user and the owners;
 * and the owner who acted hears nothing of it, whatever the case of the ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import { parseSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { startHarness, type Harness } from '../support/graphHarness.js';
import { G, NOW, TENANT_ID, U, addressOf, hospitalTenant, type Person } from '../support/hospitalTenant.js';

let harness: Harness;
const adapters: Record<string, () => RoleDirectory> = {
  snapshot: () => new SnapshotDirectory(parseSnapshot(hospitalTenant()).snapshot, { clock: { now: () => NOW } }),
  graph: () => harness.directory,
};
beforeAll(async () => {
  harness = await startHarness(hospitalTenant(), { server: { now: () => NOW } });
});
afterAll(async () => {
  await harness?.stop();
});

const ACCESS = ['member', 'owner'] as const;
const expiring = { state: 'eligible', permanent: false, endDateTime: '2026-12-10T00:00:00Z' };
const extended = { state: 'eligible', permanent: false, endDateTime: '2027-06-30T00:00:00Z' };
/** Who gets what: "person notification" pairs, sorted; other addresses as they are. */
const expect_ = (entries: Array<[Person | string, string]>) =>
  entries.map(([p, n]) => `${p in U ? addressOf(p as Person) : p} ${n}`).sort();
const icuOwnersBut = (...but: Person[]) => (['olivia', 'omar', 'oscar'] as Person[]).filter((p) => !but.includes(p));

describe.each(Object.keys(adapters))('through the %s directory', (name) => {
  async function plan(input: Record<string, unknown>, env: Record<string, string> = {}) {
    const parsed = parseEvent({ id: 'h1', tenantId: TENANT_ID, occurredAt: NOW.toISOString(), ...input });
    if (parsed.kind === 'invalid') throw parsed.error;
    const p = await planNotifications(parsed.event, adapters[name]!(), loadSettings(env));
    return { pairs: p.emails.map((e) => `${e.recipient.address.toLowerCase()} ${e.recipient.notification}`).sort(), plan: p };
  }
  const icu = (accessId: string) => ({ kind: 'group', id: G.icu, accessId });

  describe.each(ACCESS)('%s access to ICU Clinical Systems', (accessId) => {
    it('1. activation pending approval: approvers are asked; owners who are not approvers are told, never asked', async () => {
      const { pairs, plan: p } = await plan({ type: 'activationPendingApproval', scope: icu(accessId), principal: { id: U.mia } });
      // Ada approves both; ICU Approvers (Ben and the owner Olivia) only membership.
      const approvers: Person[] = accessId === 'member' ? ['ada', 'ben', 'olivia'] : ['ada'];
      expect(pairs).toEqual(
        expect_([
          ...approvers.map((a): [Person, string] => [a, 'groupApprovalRequest']),
          ...icuOwnersBut(...approvers).map((o): [Person, string] => [o, 'groupPendingApprovalAlert']),
        ]),
      );
      // Orla owns the group but has no address: skipped with a reason, not a crash.
      expect(p.decision.skipped).toContainEqual(expect.objectContaining({ userId: U.orla, reason: expect.stringMatching(/no mail/) }));
      expect(p.emails.find((e) => e.recipient.notification === 'groupPendingApprovalAlert')?.email.text).toMatch(
        /no action is needed from you/,
      );
    });

    it('2. an extension request goes to the owners only, not to the activation approvers', async () => {
      const { pairs, plan: p } = await plan({
        type: 'assignmentPendingApproval',
        scope: icu(accessId),
        principal: { id: U.mia },
        actor: { id: U.mia },
        assignment: expiring,
        request: { id: 'ext-1', action: 'selfExtend' },
      });
      expect(pairs).toEqual(expect_(icuOwnersBut().map((o): [Person, string] => [o, 'groupExtensionApprovalRequest'])));
      expect(p.emails[0]!.email.subject).toBe(
        `PIM: Mia requests approval to extend their ${accessId} access to the group ICU Clinical Systems`,
      );
      const renewal = await plan({
        type: 'assignmentPendingApproval',
        scope: icu(accessId),
        principal: { id: U.mia },
        assignment: expiring,
        request: { action: 'selfRenew' },
      });
      expect(renewal.plan.emails[0]!.email.subject).toMatch(/requests approval to renew their/);
    });

    it('3. a denied extension: the requester and the other owners, not the owner who denied (id in upper case)', async () => {
      const { pairs, plan: p } = await plan({
        type: 'assignmentRequestDenied',
        scope: icu(accessId),
        principal: { id: U.mia },
        actor: { id: U.omar.toUpperCase() },
        assignment: expiring,
        request: { action: 'selfExtend' },
      });
      expect(pairs).toEqual(
        expect_([
          ['mia', 'groupExtensionDeniedNotice'],
          ...icuOwnersBut('omar').map((o): [Person, string] => [o, 'groupExtensionDeniedAlert']),
        ]),
      );
      expect(p.decision.skipped).toContainEqual(
        expect.objectContaining({ userId: U.omar, reason: 'nobody is told about their own action' }),
      );
      expect(p.emails.find((e) => e.recipient.notification === 'groupExtensionDeniedNotice')?.email.subject).toBe(
        `PIM: Your request to extend your ${accessId} access to the group ICU Clinical Systems was denied`,
      );
    });

    it("4. an owner's own extension: the user and the other owners", async () => {
      const { pairs, plan: p } = await plan({
        type: 'roleExtended',
        scope: icu(accessId),
        principal: { id: U.mia },
        actor: { id: U.olivia },
        assignment: extended,
        request: { action: 'adminExtend' },
      });
      expect(pairs).toEqual(
        expect_([['mia', 'groupExtendedNotice'], ...icuOwnersBut('olivia').map((o): [Person, string] => [o, 'groupExtendedAlert'])]),
      );
      expect(p.emails.find((e) => e.recipient.notification === 'groupExtendedAlert')?.email.text).toMatch(
        new RegExp(
          `Mia's eligible ${accessId === 'member' ? 'membership' : 'ownership'} of the group ICU Clinical Systems was extended by Olivia`,
        ),
      );
    });

    it('5. a renewal approved by one owner: the requester and the other owners', async () => {
      const { pairs, plan: p } = await plan({
        type: 'roleRenewed',
        scope: icu(accessId),
        principal: { id: U.mia },
        actor: { id: U.oscar },
        assignment: extended,
        request: { action: 'selfRenew' },
      });
      expect(pairs).toEqual(
        expect_([['mia', 'groupRenewedNotice'], ...icuOwnersBut('oscar').map((o): [Person, string] => [o, 'groupRenewalAlert'])]),
      );
      expect(p.emails.find((e) => e.recipient.notification === 'groupRenewedNotice')?.email.text).toMatch(
        /Your request to renew .* was approved by Oscar/,
      );
    });

    it('6. an expiry: the user and the owners', async () => {
      const { pairs } = await plan({
        type: 'roleExpired',
        occurredAt: '2026-12-10T00:00:00Z',
        scope: icu(accessId),
        principal: { id: U.mia },
        assignment: expiring,
      });
      expect(pairs).toEqual(
        expect_([['mia', 'groupExpiredNotice'], ...icuOwnersBut().map((o): [Person, string] => [o, 'groupExpiredAlert'])]),
      );
    });
  });

  it('a group principal stands for its nested members; eligible owners (a user who activated, a group) are not administrators', async () => {
    const { pairs } = await plan({
      type: 'roleExtended',
      scope: icu('member'),
      principal: { id: G.ward7, type: 'group' },
      actor: { id: U.omar },
      assignment: extended,
      request: { action: 'selfExtend' },
    });
    expect(pairs).toEqual(
      expect_([['nina', 'groupExtendedNotice'], ...icuOwnersBut('omar').map((o): [Person, string] => [o, 'groupExtendedAlert'])]),
    );
    expect(pairs.join(' ')).not.toMatch(/erin|nora/);
  });

  it("a group request's decision keeps the thread's subject: the group approval request's, in the group's words", async () => {
    const request = { id: 'grp-req-9' };
    const asked = await plan({ type: 'activationPendingApproval', scope: icu('member'), principal: { id: U.mia }, request });
    const decided = await plan({
      type: 'activationApproved',
      scope: icu('member'),
      principal: { id: U.mia },
      actor: { id: U.ada },
      request,
    });
    const subject = 'PIM: Mia requests approval to activate member access to the group ICU Clinical Systems';
    expect(asked.plan.emails.find((e) => e.recipient.notification === 'groupApprovalRequest')!.email.subject).toBe(subject);
    expect(new Set(decided.plan.emails.map((e) => e.email.subject))).toEqual(new Set([subject]));
  });

  it('the requester among the approvers is never asked about their own request; the other approver and the owner are', async () => {
    const { pairs } = await plan({
      type: 'activationPendingApproval',
      scope: { kind: 'group', id: G.pharmacy, accessId: 'member' },
      principal: { id: U.sam.toUpperCase() },
    });
    expect(pairs).toEqual(
      expect_([
        ['tom', 'groupApprovalRequest'],
        ['sue', 'groupPendingApprovalAlert'],
      ]),
    );
  });
});
