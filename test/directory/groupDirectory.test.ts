/**
 * PIM for Groups end to end on a tenant built for it (groupTenant.ts): the RoleDirectory's group
 * answers and every kind of group matrix entry, through both directory adapters (the snapshot and
 * Graph against the local endpoint) against the same expectations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse.js';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import { parseSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { startHarness, type Harness } from '../support/graphHarness.js';
import { NOAPPROVERS, NOW, SOC, TENANT_ID, U, groupTenant } from './groupTenant.js';

const mail = (name: string) => `${name}@contoso.com`;
const member = { kind: 'group', id: SOC, accessId: 'member' } as const;
const owner = { kind: 'group', id: SOC, accessId: 'owner' } as const;

function groupEvent(input: Record<string, unknown>) {
  const parsed = parseEvent({ tenantId: TENANT_ID, occurredAt: '2026-11-23T06:00:00Z', ...input });
  if (parsed.kind === 'invalid') throw parsed.error;
  return parsed.event;
}

let harness: Harness;
const adapters: Record<string, () => RoleDirectory> = {
  snapshot: () => new SnapshotDirectory(parseSnapshot(groupTenant()).snapshot, { clock: { now: () => NOW } }),
  graph: () => harness.directory,
};
beforeAll(async () => {
  harness = await startHarness(groupTenant(), { server: { now: () => NOW } });
});
afterAll(async () => {
  await harness?.stop();
});

describe.each(Object.keys(adapters))('through the %s directory', (name) => {
  const directory = () => adapters[name]!();
  async function sent(input: Record<string, unknown>, env: Record<string, string> = {}) {
    const plan = await planNotifications(groupEvent(input), directory(), loadSettings(env));
    return { byAddress: Object.fromEntries(plan.emails.map((e) => [e.recipient.address, e.recipient.notification])), plan };
  }

  it('answers for a group: permanent owners (not an activated eligible owner), PIM access holders, policies, names, schedules', async () => {
    const d = directory();
    expect((await d.groupOwners(SOC)).map((h) => h.id).sort()).toEqual([U.olga, U.pete].sort());
    const owners = await d.groupAccessHolders(SOC, 'owner');
    expect(owners).toEqual([
      expect.objectContaining({ id: U.quinn, state: 'active', assignmentType: 'Activated', roleDefinitionId: 'owner' }),
    ]);
    const members = await d.groupAccessHolders(SOC, 'member');
    expect(members.map((h) => [h.id, h.state]).sort()).toEqual(
      [
        [U.rosa, 'eligible'],
        [U.sam, 'active'],
      ].sort(),
    );
    expect((await d.rolePolicy({ kind: 'group', id: SOC }, 'member')).rules.map((r) => r.id)).toContain('Approval_EndUser_Assignment');
    expect((await d.rolePolicy({ kind: 'group', id: SOC }, 'owner')).rules.map((r) => r.id)).toEqual([
      'Notification_Admin_Admin_Eligibility',
    ]);
    expect(await d.roleDisplayName({ kind: 'group', id: SOC }, 'owner')).toBe('Owner');
    const scheduled = (await d.scheduledAssignments()).filter((a) => a.scope.kind === 'group');
    expect(scheduled).toContainEqual(
      expect.objectContaining({
        scope: { kind: 'group', id: SOC },
        roleDefinitionId: 'member',
        principalId: U.rosa,
        state: 'eligible',
        endDateTime: '2026-12-05T00:00:00Z',
      }),
    );
    expect(scheduled).toHaveLength(5);
  });

  it("eligible member assigned: the Critical level drops the owners' alert, the assignee hears", async () => {
    const { byAddress, plan } = await sent({
      id: 'g1',
      type: 'roleAssigned',
      scope: member,
      principal: { id: U.rosa },
      actor: { id: U.uma },
      assignment: { state: 'eligible', permanent: false, endDateTime: '2026-12-05T00:00:00Z' },
    });
    expect(byAddress).toEqual({ [mail('rosa')]: 'groupAssignmentNotice' });
    expect(plan.decision.skipped.map((s) => s.reason)).toContain('Notification_Admin_Admin_Eligibility sends critical emails only');
    expect(plan.emails[0]!.email.subject).toBe('PIM: You were made an eligible member of the group SOC Tier 2 until Sat 5 Dec 2026');
  });

  it('eligible owner assigned: the owner policy turns default recipients off and adds an address', async () => {
    const { byAddress } = await sent({
      id: 'g2',
      type: 'roleAssigned',
      scope: owner,
      principal: { id: U.tara },
      assignment: { state: 'eligible', permanent: true },
    });
    expect(byAddress).toEqual({ 'owners-audit@contoso.com': 'groupAssignmentAlert', [mail('tara')]: 'groupAssignmentNotice' });
  });

  it('active member assigned: permanent owners get the alert, the activated eligible owner does not; None silences the assignee', async () => {
    const { byAddress, plan } = await sent({
      id: 'g3',
      type: 'roleAssigned',
      scope: member,
      principal: { id: U.sam },
      assignment: { state: 'active', permanent: false, endDateTime: '2027-01-31T00:00:00Z' },
    });
    expect(byAddress).toEqual({ [mail('olga')]: 'groupAssignmentAlert', [mail('pete')]: 'groupAssignmentAlert' });
    expect(plan.emails[0]!.email.subject).toBe('PIM: Sam was made an active member of the group SOC Tier 2 until Sun 31 Jan 2027');
    expect(plan.emails[0]!.email.html).toContain(`resourceId/${SOC}/resourceType/Security/provider/aadgroup`);
  });

  it('activation pending approval: the approvers (user and group) are asked, each once; an owner who is not one is only told', async () => {
    const { byAddress } = await sent({ id: 'g4', type: 'activationPendingApproval', scope: member, principal: { id: U.rosa } });
    expect(byAddress).toEqual({
      ...Object.fromEntries(['uma', 'tara', 'pete'].map((n) => [mail(n), 'groupApprovalRequest'])),
      [mail('olga')]: 'groupPendingApprovalAlert',
      'soc-audit@contoso.com': 'groupPendingApprovalAlert',
    });
  });

  it('no default approvers: a policy naming none asks nobody, tells the owner, and is reported', async () => {
    const { byAddress, plan } = await sent({
      id: 'g5',
      type: 'activationPendingApproval',
      scope: { kind: 'group', id: NOAPPROVERS, accessId: 'member' },
      principal: { id: U.vic },
    });
    expect(byAddress).toEqual({ [mail('walt')]: 'groupPendingApprovalAlert' });
    expect(plan.decision.warnings.join('\n')).toMatch(/the approval request reaches no approver/);
  });

  it("never about one's own request: an owner and approver who requests gets no approval email", async () => {
    const { byAddress } = await sent({ id: 'g6', type: 'activationPendingApproval', scope: member, principal: { id: U.pete } });
    expect(byAddress).toEqual({
      ...Object.fromEntries(['uma', 'tara'].map((n) => [mail(n), 'groupApprovalRequest'])),
      [mail('olga')]: 'groupPendingApprovalAlert',
      'soc-audit@contoso.com': 'groupPendingApprovalAlert',
    });
  });

  it('activation completed: owners and the extra address are alerted, the requester is told', async () => {
    const { byAddress } = await sent({ id: 'g7', type: 'activationCompleted', scope: member, principal: { id: U.rosa } });
    expect(byAddress).toEqual({
      [mail('olga')]: 'groupActivationAlert',
      [mail('pete')]: 'groupActivationAlert',
      'soc-audit@contoso.com': 'groupActivationAlert',
      [mail('rosa')]: 'groupActivationNotice',
    });
  });

  it('approved: the requester hears, the other approvers and the owners learn, the approver who acted does not', async () => {
    const { byAddress } = await sent({
      id: 'g8',
      type: 'activationApproved',
      scope: member,
      principal: { id: U.rosa },
      actor: { id: U.uma },
    });
    expect(byAddress).toEqual({
      [mail('rosa')]: 'groupRequestDecision',
      [mail('tara')]: 'groupRequestDecisionAlert',
      [mail('pete')]: 'groupRequestDecisionAlert',
      [mail('olga')]: 'groupRequestDecisionAlert',
    });
  });

  it('the cap keeps the most actionable and says how many were left out', async () => {
    const { plan } = await sent(
      { id: 'g9', type: 'activationPendingApproval', scope: member, principal: { id: U.rosa } },
      { MAX_RECIPIENTS_PER_EVENT: '2' },
    );
    expect(plan.emails.map((e) => e.recipient.notification)).toEqual(['groupApprovalRequest', 'groupApprovalRequest']);
    expect(plan.decision.truncated).toBe(3);
  });
});
