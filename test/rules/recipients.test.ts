/**
 * The rules module on its own (pure): each matrix entry, each rule setting, dedupe, the requester
 * rule and the cap. test/usecases/notifyMatrix.test.ts covers the same entries end to end on the
 * sample tenant through Azurite.
 */
import { describe, expect, it } from 'vitest';
import { ROLE, type RoleHolder, type RolePolicy } from '../../shared/directory/roleDirectory.js';
import { parseEvent } from '../../shared/events/parse.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { decideRecipients, type RecipientInputs, type RecipientOptions } from '../../shared/rules/recipients.js';

const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
const ROLE_X = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function event(partial: Record<string, unknown>): PimEvent {
  const r = parseEvent({
    id: 'e1',
    tenantId: TENANT,
    occurredAt: '2026-11-18T10:00:00Z',
    scope: { kind: 'directory', id: '/' },
    role: { id: ROLE_X },
    principal: { id: uid(1), type: 'user' },
    ...partial,
  });
  if (r.kind === 'invalid') throw r.error;
  return r.event;
}

function holder(
  n: number,
  roleDefinitionId: string,
  state: 'active' | 'eligible' = 'active',
  address: string | null = `u${n}@contoso.com`,
): RoleHolder {
  return { id: uid(n), displayName: `User ${n}`, address, state, roleDefinitionId, via: 'direct', endDateTime: null };
}

const PRA = holder(10, ROLE.privilegedRoleAdministrator);
const PRA_ELIGIBLE = holder(11, ROLE.privilegedRoleAdministrator, 'eligible');
const SA = holder(20, ROLE.securityAdministrator);
const GA = holder(30, ROLE.globalAdministrator, 'eligible');
const REQUESTER = { id: uid(1), displayName: 'Requester', address: 'requester@contoso.com' };

function inputs(ev: PimEvent, over: Partial<RecipientInputs> = {}): RecipientInputs {
  return { event: ev, admins: [PRA, PRA_ELIGIBLE, SA, GA], approvers: [], principal: [REQUESTER], policy: { rules: [] }, ...over };
}

const options: RecipientOptions = { maxRecipients: 1000, model: 'seed-2019' };
const sent = (i: RecipientInputs, o = options) =>
  Object.fromEntries(decideRecipients(i, o).recipients.map((r) => [r.address, r.notification]));

function rule(id: string, props: Record<string, unknown>): RolePolicy['rules'][number] {
  return { '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule', id, ...props };
}

describe('directory roles at factory defaults', () => {
  it('activation pending approval with no approvers goes to the active PRA and GA holders only', () => {
    const activeGa = holder(31, ROLE.globalAdministrator);
    expect(sent(inputs(event({ type: 'activationPendingApproval' }), { admins: [PRA, PRA_ELIGIBLE, SA, GA, activeGa] }))).toEqual({
      'u10@contoso.com': 'approvalRequest',
      'u31@contoso.com': 'approvalRequest',
    });
  });

  it('activation pending approval with approvers goes to the approvers, not to PRA', () => {
    const approvers = [{ id: uid(40), displayName: 'Approver', address: 'approver@contoso.com', via: 'approver' }];
    expect(sent(inputs(event({ type: 'activationPendingApproval' }), { approvers }))).toEqual({
      'approver@contoso.com': 'approvalRequest',
    });
  });

  it('a PRA who is also an approver still gets the request, once', () => {
    const approvers = [{ id: PRA.id, displayName: PRA.displayName, address: 'U10@CONTOSO.COM', via: 'approver' }];
    expect(sent(inputs(event({ type: 'activationPendingApproval' }), { approvers }))).toEqual({ 'U10@CONTOSO.COM': 'approvalRequest' });
  });

  it('activation completed goes to PRA, SA and GA as an alert and to the requester as a notice', () => {
    expect(sent(inputs(event({ type: 'activationCompleted' })))).toEqual({
      'u10@contoso.com': 'activationAlert',
      'u11@contoso.com': 'activationAlert',
      'u20@contoso.com': 'activationAlert',
      'u30@contoso.com': 'activationAlert',
      'requester@contoso.com': 'activationNotice',
    });
  });

  it('PIM enabled goes to PRA, SA and GA', () => {
    const ev = event({ type: 'pimEnabled', role: undefined, principal: undefined });
    expect(Object.keys(sent(inputs(ev, { principal: [] }))).sort()).toEqual([
      'u10@contoso.com',
      'u11@contoso.com',
      'u20@contoso.com',
      'u30@contoso.com',
    ]);
  });

  it('extension approval on a directory role goes to PRA and GA, not SA', () => {
    const r = sent(inputs(event({ type: 'assignmentPendingApproval' })));
    expect(r).toEqual({
      'u10@contoso.com': 'extensionApprovalRequest',
      'u11@contoso.com': 'extensionApprovalRequest',
      'u30@contoso.com': 'extensionApprovalRequest',
    });
  });

  it('RECIPIENT_MODEL=microsoft-current drops eligible directory admins', () => {
    const r = sent(inputs(event({ type: 'activationCompleted' })), { ...options, model: 'microsoft-current' as const });
    expect(Object.keys(r).sort()).toEqual(['requester@contoso.com', 'u10@contoso.com', 'u20@contoso.com']);
  });
});

describe('Azure resource roles', () => {
  const scope = { kind: 'azureResource', id: '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg1' };
  const owner = holder(50, ROLE.owner);
  const uaa = holder(51, ROLE.userAccessAdministrator, 'eligible');
  const az = (type: string, extra: Record<string, unknown> = {}) =>
    inputs(event({ type, scope, assignment: { state: 'active', permanent: true }, ...extra }), { admins: [owner, uaa] });

  it.each([
    [
      'roleAssigned',
      { 'u50@contoso.com': 'assignmentAlert', 'u51@contoso.com': 'assignmentAlert', 'requester@contoso.com': 'assignmentNotice' },
    ],
    ['roleExpiringSoon', { 'u50@contoso.com': 'expiryAlert', 'u51@contoso.com': 'expiryAlert', 'requester@contoso.com': 'expiryReminder' }],
    [
      'roleEligibleToExtend',
      { 'u50@contoso.com': 'extendWindowAlert', 'u51@contoso.com': 'extendWindowAlert', 'requester@contoso.com': 'extendWindowNotice' },
    ],
    ['roleRenewed', { 'u50@contoso.com': 'renewalAlert', 'u51@contoso.com': 'renewalAlert', 'requester@contoso.com': 'renewedNotice' }],
    ['roleExtended', { 'u50@contoso.com': 'extendedAlert', 'u51@contoso.com': 'extendedAlert', 'requester@contoso.com': 'extendedNotice' }],
    [
      'assignmentRequestDenied',
      {
        'u50@contoso.com': 'extensionDeniedAlert',
        'u51@contoso.com': 'extensionDeniedAlert',
        'requester@contoso.com': 'extensionDeniedNotice',
      },
    ],
    // RENEW: administrators and the affected user are mailed once more when the assignment expires.
    ['roleExpired', { 'u50@contoso.com': 'expiredAlert', 'u51@contoso.com': 'expiredAlert', 'requester@contoso.com': 'expiredNotice' }],
    [
      'activationCompleted',
      { 'u50@contoso.com': 'activationAlert', 'u51@contoso.com': 'activationAlert', 'requester@contoso.com': 'activationNotice' },
    ],
  ])('%s follows the seed table', (type, expected) => {
    expect(sent(az(type))).toEqual(expected);
  });

  it('pending approval asks the explicit approvers and tells the other admins, never the requester', () => {
    const approvers = [
      { id: uid(60), displayName: 'Approver', address: 'approver@contoso.com', via: 'approver' },
      { ...REQUESTER, via: 'approver' },
    ];
    const i = { ...az('activationPendingApproval'), approvers };
    const d = decideRecipients(i, options);
    expect(Object.fromEntries(d.recipients.map((r) => [r.address, r.notification]))).toEqual({
      'approver@contoso.com': 'approvalRequest',
      'u50@contoso.com': 'pendingApprovalAlert',
      'u51@contoso.com': 'pendingApprovalAlert',
    });
    expect(d.skipped.some((s) => s.userId === REQUESTER.id && /the person the event is about/.test(s.reason))).toBe(true);
  });
});

describe('role settings change the defaults', () => {
  const assigned = (state: 'eligible' | 'active') => event({ type: 'roleAssigned', assignment: { state, permanent: false } });

  it('level None silences the entry, additional recipients included', () => {
    const policy = {
      rules: [rule('Notification_Admin_EndUser_Assignment', { notificationLevel: 'None', notificationRecipients: ['x@contoso.com'] })],
    };
    expect(sent(inputs(event({ type: 'activationCompleted' }), { policy }))).toEqual({ 'requester@contoso.com': 'activationNotice' });
  });

  it('Critical keeps actionable emails and drops informational ones', () => {
    const policy = {
      rules: [
        rule('Notification_Admin_Admin_Eligibility', { notificationLevel: 'Critical' }),
        rule('Notification_Approver_EndUser_Assignment', { notificationLevel: 'Critical' }),
      ],
    };
    expect(Object.values(sent(inputs(assigned('eligible'), { policy })))).toEqual(['assignmentNotice']);
    expect(sent(inputs(event({ type: 'activationPendingApproval' }), { policy }))).toEqual({ 'u10@contoso.com': 'approvalRequest' });
  });

  it('the rule level follows the assignment state (Eligibility vs Assignment)', () => {
    const policy = { rules: [rule('Notification_Admin_Admin_Eligibility', { notificationLevel: 'None' })] };
    expect(Object.values(sent(inputs(assigned('eligible'), { policy })))).toEqual(['assignmentNotice']);
    expect(Object.values(sent(inputs(assigned('active'), { policy })))).toContain('assignmentAlert');
  });

  it('default recipients off keeps only the additional recipients', () => {
    const policy = {
      rules: [
        rule('Notification_Admin_Admin_Assignment', {
          notificationLevel: 'All',
          isDefaultRecipientsEnabled: false,
          notificationRecipients: ['secops@contoso.com'],
        }),
      ],
    };
    expect(sent(inputs(assigned('active'), { policy }))).toEqual({
      'secops@contoso.com': 'assignmentAlert',
      'requester@contoso.com': 'assignmentNotice',
    });
  });

  it('additional recipients come on top of the defaults', () => {
    const policy = { rules: [rule('Notification_Requestor_Admin_Assignment', { notificationRecipients: ['manager@contoso.com'] })] };
    expect(sent(inputs(assigned('active'), { policy }))['manager@contoso.com']).toBe('assignmentNotice');
  });
});

describe('always', () => {
  it('one email per person per event, the most actionable, with every reason kept', () => {
    const both = holder(10, ROLE.globalAdministrator);
    const approvers = [{ id: uid(10), displayName: 'x', address: 'U10@contoso.com', via: 'approver named in the role settings' }];
    const d = decideRecipients(inputs(event({ type: 'activationApproved' }), { admins: [PRA, both], approvers, principal: [] }), options);
    expect(d.recipients).toHaveLength(1);
    expect(d.recipients[0]!.notification).toBe('requestDecisionAlert');
    const completed = decideRecipients(inputs(event({ type: 'activationCompleted' }), { admins: [PRA, both], principal: [] }), options);
    expect(completed.recipients[0]!.reasons.map((r) => r.via)).toEqual([
      'Privileged Role Administrator (active)',
      'Global Administrator (active)',
    ]);
  });

  it('a person with no address is skipped with a reason', () => {
    const d = decideRecipients(
      inputs(event({ type: 'activationCompleted' }), { admins: [holder(70, ROLE.globalAdministrator, 'active', null)] }),
      options,
    );
    expect(d.recipients.map((r) => r.address)).toEqual(['requester@contoso.com']);
    expect(d.skipped).toContainEqual(expect.objectContaining({ userId: uid(70), reason: expect.stringMatching(/no mail/) }));
  });

  it('caps recipients in a stable order: approval requests first, then by address', () => {
    const admins = Array.from({ length: 30 }, (_, i) => holder(100 + i, ROLE.privilegedRoleAdministrator));
    const ev = event({ type: 'activationPendingApproval' });
    const d = decideRecipients(inputs(ev, { admins }), { ...options, maxRecipients: 7 });
    expect(d.recipients).toHaveLength(7);
    expect(d.truncated).toBe(23);
    const again = decideRecipients(inputs(ev, { admins: [...admins].reverse() }), { ...options, maxRecipients: 7 });
    expect(again.recipients.map((r) => r.address)).toEqual(d.recipients.map((r) => r.address));
  });

  it('a decision tells the requester, and the other approvers, but not the approver who acted', () => {
    const approvers = [
      { id: uid(40), displayName: 'Acted', address: 'acted@contoso.com', via: 'approver' },
      { id: uid(41), displayName: 'Other', address: 'other@contoso.com', via: 'approver' },
    ];
    const ev = event({ type: 'activationApproved', actor: { id: uid(40) } });
    expect(sent(inputs(ev, { approvers }))).toEqual({
      'requester@contoso.com': 'requestDecision',
      'other@contoso.com': 'requestDecisionAlert',
    });
  });
});
