/**
 * Issue 11's invariants over generated tenants and events (fast-check), through the real
 * SnapshotDirectory, the gathering step and the rules module:
 * - nobody gets an email about their own action (only the email written for them, as principal);
 * - nobody who is not an approver gets an approval request;
 * - the principal's own email survives any cap;
 * - every approval request reaches at least one approver or is reported;
 * - every email kind a role's None / Critical level forbids is absent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { EVENT_TYPES, type PimEvent } from '../../shared/events/schema.js';
import { matrixEntriesFor } from '../../shared/rules/matrix.js';
import type { NotificationKind } from '../../shared/rules/notifications.js';
import { NOTIFICATION_RULE_IDS, notificationRuleId, notificationSetting } from '../../shared/rules/policy.js';
import { APPROVAL_KINDS, UNREACHED_APPROVAL, decideRecipients } from '../../shared/rules/recipients.js';
import { RECIPIENT_MODELS } from '../../shared/rules/recipientModel.js';
import { gatherRecipientInputs } from '../../shared/planning/recipientInputs.js';
import {
  BACKUP_READER,
  EXCHANGE_ADMIN,
  SUB,
  approval,
  directoryOf,
  event,
  gid,
  rule,
  uid,
  type TenantSpec,
} from '../support/recipientTenant.js';

const USERS = 8;
// A reminder to approve asks its approver to act as much as the request did.
const ASKS_TO_ACT = new Set<NotificationKind>([
  'approvalRequest',
  'extensionApprovalRequest',
  'approvalReminder',
  'groupApprovalRequest',
  'groupExtensionApprovalRequest',
]);
const ADMIN_ROLES = [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator];
const AZURE_ADMIN = [ROLE.owner, ROLE.userAccessAdministrator];

const userN = fc.integer({ min: 1, max: USERS });
const caseOf = (id: string, upper: boolean) => (upper ? id.toUpperCase() : id);
const principalId = fc.oneof(userN.map(uid), fc.integer({ min: 1, max: 2 }).map(gid));
const holding = (roles: string[]) =>
  fc.record({ id: principalId, role: fc.constantFrom(...roles), state: fc.constantFrom('active' as const, 'eligible' as const) });
const policyRules = fc
  .record({
    levels: fc.array(fc.constantFrom('None', 'Critical', 'All'), {
      minLength: NOTIFICATION_RULE_IDS.length,
      maxLength: NOTIFICATION_RULE_IDS.length,
    }),
    defaults: fc.array(fc.boolean(), { minLength: NOTIFICATION_RULE_IDS.length, maxLength: NOTIFICATION_RULE_IDS.length }),
    extra: fc.array(fc.option(userN, { nil: undefined }), {
      minLength: NOTIFICATION_RULE_IDS.length,
      maxLength: NOTIFICATION_RULE_IDS.length,
    }),
    approvers: fc.array(
      fc.oneof(
        userN.map((n) => ({ user: uid(n) })),
        fc.integer({ min: 1, max: 2 }).map((n) => ({ group: gid(n) })),
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ levels, defaults, extra, approvers }) => [
    ...NOTIFICATION_RULE_IDS.map((id, i) =>
      rule(id, {
        notificationLevel: levels[i],
        isDefaultRecipientsEnabled: defaults[i],
        notificationRecipients: extra[i] ? [`u${extra[i]}@contoso.com`] : [],
      }),
    ),
    ...(approvers.length ? [approval(approvers)] : []),
  ]);

const world = fc.record({
  noAddress: fc.subarray(
    Array.from({ length: USERS }, (_, i) => i + 1),
    { maxLength: 3 },
  ),
  groups: fc.array(
    fc.subarray(
      Array.from({ length: USERS }, (_, i) => uid(i + 1)),
      { minLength: 1, maxLength: 4 },
    ),
    { minLength: 2, maxLength: 2 },
  ),
  directory: fc.array(holding(ADMIN_ROLES), { maxLength: 8 }),
  azure: fc.array(holding(AZURE_ADMIN), { maxLength: 6 }),
  directoryPolicy: policyRules,
  azurePolicy: policyRules,
  type: fc.constantFrom(...EVENT_TYPES.filter((t) => t !== 'pimEnabled')),
  onAzure: fc.boolean(),
  principal: principalId,
  actor: fc.option(userN, { nil: undefined }),
  state: fc.constantFrom('active' as const, 'eligible' as const),
  upper: fc.boolean(),
  model: fc.constantFrom(...RECIPIENT_MODELS),
  cap: fc.integer({ min: 1, max: 12 }),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function build(w: World): { spec: TenantSpec; ev: PimEvent } {
  const directory: NonNullable<TenantSpec['directory']> = {};
  for (const h of w.directory) (directory[h.role] ??= []).push({ id: h.id, state: h.state });
  const spec: TenantSpec = {
    users: USERS,
    noAddress: w.noAddress,
    groups: w.groups.map((members, i) => ({ n: i + 1, name: `Group ${i + 1}`, members })),
    directory,
    policies: { [EXCHANGE_ADMIN]: w.directoryPolicy },
    azure: [
      {
        id: SUB,
        holdings: w.azure.map((h) => ({ id: h.id, roleDefinitionId: h.role, state: h.state })),
        policies: { [BACKUP_READER]: w.azurePolicy },
      },
    ],
  };
  const ev = event({
    type: w.type,
    scope: w.onAzure ? { kind: 'azureResource', id: caseOf(SUB, w.upper) } : { kind: 'directory', id: '/' },
    role: { id: caseOf(w.onAzure ? BACKUP_READER : EXCHANGE_ADMIN, w.upper) },
    principal: { id: caseOf(w.principal, w.upper) },
    ...(w.actor ? { actor: { id: caseOf(uid(w.actor), !w.upper) } } : {}),
    assignment: { state: w.state, permanent: false, endDateTime: '2026-12-10T00:00:00Z' },
  });
  return { spec, ev };
}

describe('recipient invariants over generated tenants (issue 11)', () => {
  it('hold for every tenant, event, model and cap', async () => {
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const { spec, ev } = build(w);
        const inputs = await gatherRecipientInputs(ev, directoryOf(spec));
        const full = decideRecipients(inputs, { maxRecipients: 100_000, model: w.model });
        const capped = decideRecipients(inputs, { maxRecipients: w.cap, model: w.model });
        const principalKinds = new Set(
          matrixEntriesFor(ev.type, ev.scope.kind)
            .filter((c) => c.audience.kind === 'principal')
            .map((c) => c.notification),
        );
        const principalIds = new Set(inputs.principal.map((p) => p.id.toLowerCase()));
        const principalMail = new Set(inputs.principal.map((p) => p.address?.toLowerCase()));
        const isPrincipal = (r: { userId?: string; address: string }) =>
          (!!r.userId && principalIds.has(r.userId.toLowerCase())) || principalMail.has(r.address.toLowerCase());

        for (const r of full.recipients) {
          // Nobody is told about their own action: the actor gets at most the email written for them as principal.
          // (A user without an address in the directory does not own the u<n> address an extra recipient may use.)
          const actorMail = w.actor && !w.noAddress.includes(w.actor) ? `u${w.actor}@contoso.com` : undefined;
          if (w.actor && (r.userId?.toLowerCase() === uid(w.actor) || r.address.toLowerCase() === actorMail)) {
            expect(isPrincipal(r) && principalKinds.has(r.notification)).toBe(true);
          }
          // The person the event is about gets only the email written for them.
          if (isPrincipal(r)) expect(principalKinds.has(r.notification)).toBe(true);
          // Approval requests go to approvers only (named, default, the admins who can extend, or additional recipients of the approver rule).
          if (APPROVAL_KINDS.has(r.notification)) expect(isApproverOf(r, inputs, ev)).toBe(true);
          // The role's level allows this kind in at least one entry that lists it.
          expect(allowedKinds(ev, inputs.policy).has(r.notification)).toBe(true);
        }

        // The cap keeps a prefix of the full order, the principal's own emails first.
        expect(capped.recipients).toEqual(full.recipients.slice(0, w.cap));
        const own = full.recipients.filter((r) => isPrincipal(r) && principalKinds.has(r.notification));
        expect(capped.recipients.slice(0, Math.min(w.cap, own.length))).toEqual(own.slice(0, w.cap));
        if (capped.truncated > 0) expect(capped.warnings.some((x) => /MAX_RECIPIENTS_PER_EVENT/.test(x))).toBe(true);

        // Every approval request reaches an approver, or is reported.
        if (ev.type === 'activationPendingApproval' || ev.type === 'assignmentPendingApproval') {
          const reached = full.recipients.some((r) => APPROVAL_KINDS.has(r.notification));
          expect(reached || full.warnings.some((x) => x.startsWith(UNREACHED_APPROVAL))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

function isApproverOf(
  r: { userId?: string; address: string },
  inputs: Awaited<ReturnType<typeof gatherRecipientInputs>>,
  ev: PimEvent,
): boolean {
  const id = r.userId?.toLowerCase();
  const approverRule =
    ev.type === 'activationPendingApproval'
      ? 'Notification_Approver_EndUser_Assignment'
      : notificationRuleId('Approver', 'Admin', ev.assignment?.state === 'eligible' ? 'Eligibility' : 'Assignment');
  if (notificationSetting(inputs.policy, approverRule).notificationRecipients.some((a) => a.toLowerCase() === r.address.toLowerCase()))
    return true;
  if (ev.type === 'activationPendingApproval') {
    if (inputs.approvers.some((a) => a.id.toLowerCase() === id)) return true;
    // Default approvers: active Privileged Role or Global Administrators of a directory role.
    return (
      ev.scope.kind === 'directory' &&
      inputs.admins.some(
        (h) =>
          h.id.toLowerCase() === id &&
          h.state === 'active' &&
          [ROLE.privilegedRoleAdministrator, ROLE.globalAdministrator].includes(h.roleDefinitionId.toLowerCase() as never),
      )
    );
  }
  // Extension approvals: the administrators who can extend.
  const extenders = ev.scope.kind === 'directory' ? [ROLE.privilegedRoleAdministrator, ROLE.globalAdministrator] : AZURE_ADMIN;
  return inputs.admins.some((h) => h.id.toLowerCase() === id && extenders.includes(h.roleDefinitionId.toLowerCase() as never));
}

function allowedKinds(ev: PimEvent, policy: Awaited<ReturnType<typeof gatherRecipientInputs>>['policy']): Set<NotificationKind> {
  const allowed = new Set<NotificationKind>();
  for (const entry of matrixEntriesFor(ev.type, ev.scope.kind)) {
    if (!entry.rule) {
      allowed.add(entry.notification);
      continue;
    }
    const level =
      entry.rule.level === 'assignment' ? (ev.assignment?.state === 'eligible' ? 'Eligibility' : 'Assignment') : entry.rule.level;
    const setting = notificationSetting(policy, notificationRuleId(entry.rule.recipient, entry.rule.caller, level));
    if (setting.level === 'None') continue;
    // "Critical" keeps only the emails asking the recipient to act (written out here, not read from the code).
    if (setting.level === 'Critical' && !ASKS_TO_ACT.has(entry.notification)) continue;
    allowed.add(entry.notification);
  }
  return allowed;
}
