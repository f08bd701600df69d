/**
 * Issue 11, one test per numbered item, each on a small tenant built for it, through the real
 * SnapshotDirectory and use case: the exact (recipient, email kind) pairs, and the warning
 * where one is due. Item 8 (expiry reminders) is in test/usecases/expiryScanner.test.ts, item 10
 * (audit mapping) in test/sources/auditRecord.test.ts, item 11 through Graph/ARM in
 * test/directory/graph/managementGroups.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import {
  BACKUP_READER,
  EXCHANGE_ADMIN,
  MG,
  RG,
  SUB,
  approval,
  directoryOf,
  event,
  gid,
  mail,
  pairs,
  rule,
  sorted,
  uid,
  whoGetsWhat,
} from '../support/recipientTenant.js';

const GA = ROLE.globalAdministrator;
const PRA = ROLE.privilegedRoleAdministrator;
const SA = ROLE.securityAdministrator;
const OWNER = ROLE.owner;
const UAA = ROLE.userAccessAdministrator;
const azure = (id = RG) => ({ kind: 'azureResource', id });
const user = (n: number) => ({ id: uid(n), type: 'user' });

describe('issue 11 recipients', () => {
  it('1. "Critical emails only" drops the activation alert and keeps approval requests', async () => {
    const critical = { notificationLevel: 'Critical' };
    const dir = directoryOf({
      users: 4,
      directory: { [GA]: [{ id: uid(2) }], [SA]: [{ id: uid(3) }] },
      policies: {
        [EXCHANGE_ADMIN]: [
          rule('Notification_Admin_EndUser_Assignment', critical),
          rule('Notification_Approver_EndUser_Assignment', critical),
          approval([{ user: uid(4) }]),
        ],
      },
    });
    expect((await whoGetsWhat(dir, event({ type: 'activationCompleted', principal: user(1) }))).pairs).toEqual(
      pairs('activationNotice', 1),
    );
    expect((await whoGetsWhat(dir, event({ type: 'activationPendingApproval', principal: user(1) }))).pairs).toEqual(
      pairs('approvalRequest', 4),
    );
  });

  it('2. the Owner who approved is not told that they approved; the requester and the others are', async () => {
    const dir = directoryOf({
      users: 5,
      azure: [
        {
          id: SUB,
          holdings: [
            { id: uid(2), roleDefinitionId: OWNER },
            { id: uid(3), roleDefinitionId: OWNER },
            { id: uid(4), roleDefinitionId: UAA },
          ],
          policies: { [BACKUP_READER]: [approval([{ user: uid(2) }, { user: uid(5) }])] },
        },
      ],
    });
    const out = await whoGetsWhat(
      dir,
      event({ type: 'activationApproved', scope: azure(), role: { id: BACKUP_READER }, principal: user(1), actor: { id: uid(2) } }),
    );
    expect(out.pairs).toEqual(sorted(pairs('requestDecision', 1), pairs('requestDecisionAlert', 3, 4, 5)));
  });

  it('3. ids compare case-insensitively: actor, principal, approvers, groups, roles, scopes', async () => {
    const dir = directoryOf({
      users: 5,
      groups: [{ n: 1, name: 'Approvers', members: [uid(2), uid(3)] }],
      directory: { [GA]: [{ id: uid(4) }] },
      policies: { [EXCHANGE_ADMIN]: [approval([{ group: gid(1).toUpperCase() }])] },
      azure: [{ id: SUB, holdings: [{ id: uid(5), roleDefinitionId: OWNER }] }],
    });
    const decided = await whoGetsWhat(
      dir,
      event({
        type: 'activationApproved',
        role: { id: EXCHANGE_ADMIN.toUpperCase() },
        principal: { id: uid(1).toUpperCase(), type: 'user' },
        actor: { id: uid(2).toUpperCase() },
      }),
    );
    expect(decided.pairs).toEqual(sorted(pairs('requestDecision', 1), pairs('requestDecisionAlert', 3)));
    // A holder id in upper case is still the admin it names; a scope in upper case is still the scope.
    const dirUpper = directoryOf({ users: 3, directory: { [GA.toUpperCase()]: [{ id: uid(2).toUpperCase() }] } });
    expect(
      (await whoGetsWhat(dirUpper, event({ type: 'activationCompleted', principal: user(1), actor: { id: uid(1).toUpperCase() } }))).pairs,
    ).toEqual(sorted(pairs('activationNotice', 1), pairs('activationAlert', 2)));
    const az = await whoGetsWhat(
      dir,
      event({
        type: 'roleAssigned',
        scope: azure(RG.toUpperCase()),
        role: { id: BACKUP_READER },
        principal: user(1),
        actor: { id: uid(5).toUpperCase() },
        assignment: { state: 'active', permanent: true },
      }),
    );
    expect(az.pairs).toEqual(pairs('assignmentNotice', 1));
  });

  it('4. only approvers get the approval request; Azure admins who are not approvers get a pending-approval alert; Entra falls back to ACTIVE PRA and GA', async () => {
    const dir = directoryOf({
      users: 7,
      directory: {
        [PRA]: [{ id: uid(2) }, { id: uid(3), state: 'eligible' }],
        [GA]: [{ id: uid(4) }, { id: uid(5), state: 'eligible' }],
        [SA]: [{ id: uid(6) }],
      },
      azure: [
        {
          id: SUB,
          holdings: [
            { id: uid(2), roleDefinitionId: OWNER },
            { id: uid(3), roleDefinitionId: UAA, state: 'eligible' },
            { id: uid(7), roleDefinitionId: OWNER },
          ],
          policies: { [BACKUP_READER]: [approval([{ user: uid(7) }])] },
        },
      ],
    });
    const az = await whoGetsWhat(
      dir,
      event({ type: 'activationPendingApproval', scope: azure(), role: { id: BACKUP_READER }, principal: user(1) }),
    );
    expect(az.pairs).toEqual(sorted(pairs('approvalRequest', 7), pairs('pendingApprovalAlert', 2, 3)));
    const entra = await whoGetsWhat(dir, event({ type: 'activationPendingApproval', principal: user(1) }));
    expect(entra.pairs).toEqual(pairs('approvalRequest', 2, 4));
    expect(entra.warnings).toEqual([]);
  });

  it('5. the cap keeps the principal first, then approvers, then admins, and reports the truncation', async () => {
    const gas = Array.from({ length: 1500 }, (_, i) => ({ id: uid(100 + i) }));
    const dir = directoryOf({
      users: 1700,
      directory: { [GA]: gas },
      azure: [
        {
          id: SUB,
          holdings: gas.map((g) => ({ id: g.id, roleDefinitionId: OWNER })),
          policies: { [BACKUP_READER]: [approval([{ user: uid(1650) }])] },
        },
      ],
    });
    const activation = await whoGetsWhat(dir, event({ type: 'activationCompleted', principal: user(1650) }));
    expect(activation.pairs).toHaveLength(1000);
    expect(activation.pairs).toContain(`${mail(1650)} activationNotice`);
    expect(activation.plan.decision.truncated).toBe(501);
    expect(activation.warnings).toEqual(['501 of 1501 recipients are over MAX_RECIPIENTS_PER_EVENT (1000) and were left out']);
    const pending = await whoGetsWhat(
      dir,
      event({ type: 'activationPendingApproval', scope: azure(), role: { id: BACKUP_READER }, principal: user(1) }),
      { MAX_RECIPIENTS_PER_EVENT: '10' },
    );
    expect(pending.pairs).toContain(`${mail(1650)} approvalRequest`);
    expect(pending.pairs.filter((p) => p.endsWith('pendingApprovalAlert'))).toHaveLength(9);
  });

  it('6. a requester who is also an admin gets the email written for them', async () => {
    const dir = directoryOf({ users: 3, directory: { [GA]: [{ id: uid(1) }, { id: uid(2) }], [PRA]: [{ id: uid(1) }] } });
    const out = await whoGetsWhat(dir, event({ type: 'activationCompleted', principal: user(1), actor: { id: uid(1) } }));
    expect(out.pairs).toEqual(sorted(pairs('activationNotice', 1), pairs('activationAlert', 2)));
    const group = directoryOf({
      users: 3,
      groups: [{ n: 1, name: 'Tier 0', members: [uid(2), uid(3)] }],
      directory: { [GA]: [{ id: uid(2) }, { id: uid(1) }] },
    });
    const assigned = await whoGetsWhat(
      group,
      event({
        type: 'roleAssigned',
        principal: { id: gid(1), type: 'group' },
        actor: { id: uid(1) },
        assignment: { state: 'eligible', permanent: true },
      }),
    );
    expect(assigned.pairs).toEqual(pairs('assignmentNotice', 2, 3));
  });

  it('7. an approval request nobody can receive is reported, and falls back to the default approvers', async () => {
    const onlyRequester = directoryOf({
      users: 3,
      directory: { [PRA]: [{ id: uid(2) }], [GA]: [{ id: uid(3), state: 'eligible' }] },
      policies: { [EXCHANGE_ADMIN]: [approval([{ user: uid(1) }])] },
    });
    const self = await whoGetsWhat(onlyRequester, event({ type: 'activationPendingApproval', principal: user(1) }));
    expect(self.pairs).toEqual(pairs('approvalRequest', 2));
    expect(self.warnings).toEqual([
      expect.stringMatching(/none of the role's 1 approver\(s\) can receive the approval request; sent to the default approvers/),
    ]);

    const noAddress = directoryOf({
      users: 3,
      noAddress: [2],
      directory: { [GA]: [{ id: uid(3) }] },
      policies: { [EXCHANGE_ADMIN]: [approval([{ user: uid(2) }])] },
    });
    expect((await whoGetsWhat(noAddress, event({ type: 'activationPendingApproval', principal: user(1) }))).pairs).toEqual(
      pairs('approvalRequest', 3),
    );

    // No active PRA or GA at all (PIM's lock-out case): nobody can approve, and it is said.
    const lockedOut = directoryOf({
      users: 3,
      directory: { [PRA]: [{ id: uid(2), state: 'eligible' }], [GA]: [{ id: uid(3), state: 'eligible' }] },
    });
    const locked = await whoGetsWhat(lockedOut, event({ type: 'activationPendingApproval', principal: user(1) }), {
      RECIPIENT_MODEL: 'microsoft-current',
    });
    expect(locked.pairs).toEqual([]);
    expect(locked.warnings).toEqual([
      expect.stringMatching(/^the approval request reaches no approver \(the role names no approvers and no active default approver/),
      'nobody is notified of this event',
    ]);

    const azureSelf = directoryOf({
      users: 2,
      azure: [
        { id: SUB, holdings: [{ id: uid(2), roleDefinitionId: OWNER }], policies: { [BACKUP_READER]: [approval([{ user: uid(1) }])] } },
      ],
    });
    const az = await whoGetsWhat(
      azureSelf,
      event({ type: 'activationPendingApproval', scope: azure(), role: { id: BACKUP_READER }, principal: user(1) }),
    );
    expect(az.pairs).toEqual(pairs('pendingApprovalAlert', 2));
    expect(az.warnings).toEqual([expect.stringMatching(/^the approval request reaches no approver \(no approver can receive it\)/)]);
  });

  it('9. names come from the directory: group assignee, Azure scope, approver group; an unknown role is refused', async () => {
    const dir = directoryOf({
      users: 4,
      groups: [
        { n: 1, name: 'Tier 0 admins', members: [uid(2)] },
        { n: 2, name: 'Messaging approvers', members: [uid(3)] },
      ],
      directory: { [GA]: [{ id: uid(4) }] },
      policies: { [EXCHANGE_ADMIN]: [approval([{ group: gid(2) }])] },
      azure: [{ id: SUB, displayName: 'Contoso Production', holdings: [{ id: uid(4), roleDefinitionId: OWNER }] }],
    });
    const madePermanent = await whoGetsWhat(
      dir,
      event({ type: 'roleMadePermanent', principal: { id: gid(1), type: 'group' }, assignment: { state: 'eligible', permanent: true } }),
    );
    const alert = madePermanent.plan.emails.find((e) => e.recipient.notification === 'assignmentAlert')!;
    expect(alert.email.subject).toBe('PIM: Tier 0 admins was made permanently eligible for the Exchange Administrator role');
    const onSub = await whoGetsWhat(
      dir,
      event({
        type: 'roleAssigned',
        scope: azure(SUB),
        role: { id: BACKUP_READER },
        principal: user(1),
        assignment: { state: 'active', permanent: true },
      }),
    );
    expect(onSub.plan.emails.find((e) => e.recipient.notification === 'assignmentAlert')!.email.text).toContain('Contoso Production');
    // A resource group the snapshot lists no name for is named by its id's last segment, never the raw ARM id.
    const onRg = await whoGetsWhat(
      dir,
      event({
        type: 'roleAssigned',
        scope: azure(RG),
        role: { id: BACKUP_READER },
        principal: user(1),
        assignment: { state: 'active', permanent: true },
      }),
    );
    const rgText = onRg.plan.emails.find((e) => e.recipient.notification === 'assignmentAlert')!.email.text;
    expect(rgText).toContain('Scope: rg-data');
    expect(rgText).not.toContain(RG);
    const pending = await whoGetsWhat(dir, event({ type: 'activationPendingApproval', principal: user(1) }));
    expect(pending.plan.emails[0]!.email.text).toMatch(/approver through group Messaging approvers/);
    // A role the directory does not know cannot be mailed about truthfully: the event is refused with its reason.
    await expect(
      whoGetsWhat(dir, event({ type: 'activationCompleted', role: { id: '99999999-9999-4999-8999-999999999999' }, principal: user(1) })),
    ).rejects.toThrow(/role\.id: is not a role the directory knows/);
  });

  it('11. Owners of a management group above the subscription are admins of everything below it', async () => {
    const dir = directoryOf({
      users: 4,
      azure: [
        {
          id: '/providers/Microsoft.Management/managementGroups/tenant-root',
          holdings: [{ id: uid(4), roleDefinitionId: UAA, state: 'eligible' }],
        },
        {
          id: MG,
          parentId: '/providers/Microsoft.Management/managementGroups/tenant-root',
          holdings: [{ id: uid(2), roleDefinitionId: OWNER }],
        },
        { id: SUB, parentId: MG, holdings: [{ id: uid(3), roleDefinitionId: OWNER }] },
      ],
    });
    const out = await whoGetsWhat(
      dir,
      event({
        type: 'roleAssigned',
        scope: azure(`${RG}/providers/Microsoft.Storage/storageAccounts/st1`),
        role: { id: BACKUP_READER },
        principal: user(1),
        assignment: { state: 'active', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
      }),
    );
    expect(out.pairs).toEqual(sorted(pairs('assignmentAlert', 2, 3, 4), pairs('assignmentNotice', 1)));
  });

  it('12. extensions and renewals: the other admins after an admin extends; the requester hears approval or denial', async () => {
    const dir = directoryOf({
      users: 5,
      directory: { [PRA]: [{ id: uid(2) }], [GA]: [{ id: uid(3) }], [SA]: [{ id: uid(4) }] },
      azure: [
        {
          id: SUB,
          holdings: [
            { id: uid(2), roleDefinitionId: OWNER },
            { id: uid(5), roleDefinitionId: UAA },
          ],
        },
      ],
    });
    const assignment = { state: 'eligible', permanent: false, endDateTime: '2027-06-01T00:00:00Z' };
    const extended = await whoGetsWhat(dir, event({ type: 'roleExtended', principal: user(1), actor: { id: uid(2) }, assignment }));
    expect(extended.pairs).toEqual(sorted(pairs('extendedNotice', 1), pairs('extendedAlert', 3)));
    const denied = await whoGetsWhat(
      dir,
      event({ type: 'assignmentRequestDenied', principal: user(1), actor: { id: uid(3) }, assignment }),
    );
    expect(denied.pairs).toEqual(sorted(pairs('extensionDeniedNotice', 1), pairs('extensionDeniedAlert', 2)));
    expect(denied.plan.emails.find((e) => e.recipient.notification === 'extensionDeniedNotice')!.email.subject).toBe(
      'PIM: Your request to extend the Exchange Administrator role was denied',
    );
    const renewed = await whoGetsWhat(
      dir,
      event({ type: 'roleRenewed', scope: azure(SUB), role: { id: BACKUP_READER }, principal: user(1), actor: { id: uid(5) }, assignment }),
    );
    expect(renewed.pairs).toEqual(sorted(pairs('renewedNotice', 1), pairs('renewalAlert', 2)));
  });

  it('13. RECIPIENT_MODEL: seed-2019 counts eligible Entra admins, microsoft-current only active ones; eligible Azure Owners count in both', async () => {
    const dir = directoryOf({
      users: 5,
      directory: { [GA]: [{ id: uid(2) }, { id: uid(3), state: 'eligible' }] },
      azure: [
        {
          id: SUB,
          holdings: [
            { id: uid(4), roleDefinitionId: OWNER, state: 'eligible' },
            { id: uid(5), roleDefinitionId: UAA },
          ],
        },
      ],
    });
    const entra = event({ type: 'activationCompleted', principal: user(1) });
    const az = event({ type: 'activationCompleted', scope: azure(), role: { id: BACKUP_READER }, principal: user(1) });
    expect((await whoGetsWhat(dir, entra, { RECIPIENT_MODEL: 'seed-2019' })).pairs).toEqual(
      sorted(pairs('activationNotice', 1), pairs('activationAlert', 2, 3)),
    );
    expect((await whoGetsWhat(dir, entra, { RECIPIENT_MODEL: 'microsoft-current' })).pairs).toEqual(
      sorted(pairs('activationNotice', 1), pairs('activationAlert', 2)),
    );
    for (const model of ['seed-2019', 'microsoft-current']) {
      expect((await whoGetsWhat(dir, az, { RECIPIENT_MODEL: model })).pairs).toEqual(
        sorted(pairs('activationNotice', 1), pairs('activationAlert', 4, 5)),
      );
    }
  });
});
