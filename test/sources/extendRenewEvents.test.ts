/**
 * Extend and renew requests as both collectors see them (issue 25): the event says whether the
 * user asked (`request.action` selfExtend / selfRenew, then approved or denied) or an
 * administrator extended or renewed on their own (adminExtend / adminRenew, the administrator
 * as the actor), and a denied request becomes `assignmentRequestDenied` from either source
 * under one event id.
 */
import { describe, expect, it } from 'vitest';
import { mapAuditRecord } from '../../shared/sources/auditRecord.js';
import { impliedEvents, requestEvent, type ScheduleRequest } from '../../shared/sources/scheduleRequest.js';
import { pimEventSchema, type PimEvent } from '../../shared/events/schema.js';
import { parseEvent } from '../../shared/events/parse.js';
import { ADMIN, ALICE, READER, SOC_GROUP, SUB, TENANT, groupRecord, record } from '../support/auditRecords.js';

const at = new Date('2026-11-25T10:00:00Z');
const soon = new Date('2026-11-25T10:01:00Z');

function groupRequest(overrides: Partial<ScheduleRequest>): ScheduleRequest {
  return {
    kind: 'group',
    schedule: 'eligibility',
    id: 'grp-r1',
    action: 'selfExtend',
    status: 'PendingAdminDecision',
    createdDateTime: '2026-11-25T09:00:00.000Z',
    principalId: ALICE,
    roleDefinitionId: 'member',
    scopeId: SOC_GROUP,
    createdById: ALICE,
    approvalId: 'ap-1',
    endDateTime: '2027-01-31T00:00:00.000Z',
    permanent: false,
    ...overrides,
  };
}

function built(r: ScheduleRequest): PimEvent[] {
  return impliedEvents(r, soon).map((type) => {
    const b = requestEvent(r, type, TENANT, soon);
    if (b.kind !== 'valid') throw b.error;
    return b.event;
  });
}

describe('the requests collector', () => {
  it("a user's extend request: pending (selfExtend, the requester as actor), then denied (no actor: the request does not name who decided)", () => {
    expect(built(groupRequest({}))).toMatchObject([
      { type: 'assignmentPendingApproval', actor: { id: ALICE }, request: { id: 'grp-r1', action: 'selfExtend' } },
    ]);
    const [denied] = built(groupRequest({ status: 'Denied' }));
    expect(denied).toMatchObject({
      id: 'req:grp-r1:assignmentRequestDenied',
      type: 'assignmentRequestDenied',
      scope: { kind: 'group', id: SOC_GROUP, accessId: 'member' },
      assignment: { state: 'eligible', permanent: false },
      request: { action: 'selfExtend' },
    });
    expect(denied!.actor).toBeUndefined();
  });

  it("an owner's own extension and renewal (adminExtend / adminRenew): the owner who acted is the actor", () => {
    expect(built(groupRequest({ action: 'adminExtend', status: 'Provisioned', createdById: ADMIN, approvalId: undefined }))).toMatchObject([
      { type: 'roleExtended', actor: { id: ADMIN }, request: { action: 'adminExtend' } },
    ]);
    // ARM writes the action capitalised; the event carries Graph's spelling.
    expect(
      built(
        groupRequest({
          kind: 'azureResource',
          action: 'AdminRenew',
          status: 'Provisioned',
          createdById: ADMIN,
          scopeId: `/subscriptions/${SUB}`,
          roleDefinitionId: READER,
        }),
      ),
    ).toMatchObject([{ type: 'roleRenewed', actor: { id: ADMIN }, request: { action: 'adminRenew' } }]);
    // An administrator's assignment, too: the admin who assigned hears nothing about it.
    expect(built(groupRequest({ action: 'adminAssign', status: 'Provisioned', createdById: ADMIN }))).toMatchObject([
      { type: 'roleAssigned', actor: { id: ADMIN }, request: { action: 'adminAssign' } },
    ]);
  });

  it('an approved renewal request says selfRenew and carries no actor', () => {
    const [renewed] = built(groupRequest({ action: 'selfRenew', status: 'Provisioned' }));
    expect(renewed).toMatchObject({ type: 'roleRenewed', request: { action: 'selfRenew' } });
    expect(renewed!.actor).toBeUndefined();
  });
});

describe('the audit collector', () => {
  it.each([
    ['Update member in PIM requested (extend)', [], 'assignmentPendingApproval', 'selfExtend'],
    ['Add eligible member to role in PIM requested (renew)', [], 'assignmentPendingApproval', 'selfRenew'],
    ['Update member in PIM approved by admin (extend/renew)', [], 'roleExtended', 'selfExtend'],
    ['Update member in PIM approved by admin (extend/renew)', [{ key: 'RequestType', value: 'Renew' }], 'roleRenewed', 'selfRenew'],
    ['Update member in PIM denied by admin (extend/renew)', [], 'assignmentRequestDenied', 'selfExtend'],
    [
      'Update member in PIM denied by admin (extend/renew)',
      [{ key: 'Request action', value: 'selfRenew' }],
      'assignmentRequestDenied',
      'selfRenew',
    ],
  ])('%s %j → %s (%s)', (activity, details, type, action) => {
    const r = groupRecord(activity, at, 'Member');
    const mapped = mapAuditRecord({ ...r, additionalDetails: [...r.additionalDetails!, ...details] }, TENANT);
    expect(mapped).toMatchObject({ kind: 'event', event: { type, scope: { kind: 'group' }, request: { action } } });
  });

  it('a decision names the administrator who made it as the actor, for every kind of access', () => {
    for (const r of [
      groupRecord('Update member in PIM denied by admin (extend/renew)', at, 'Owner'),
      record('Update member in PIM approved by admin (extend/renew)', at),
    ]) {
      const mapped = mapAuditRecord(r, TENANT);
      expect(mapped.kind === 'event' && mapped.event.actor?.id).toBe(ADMIN);
    }
  });

  it('a denied request from the audit log and from the request APIs is one event (one id)', () => {
    const requestId = 'grp-r1';
    const r = groupRecord('Update member in PIM denied by admin (extend/renew)', at, 'Member');
    const audit = mapAuditRecord({ ...r, additionalDetails: [...r.additionalDetails!, { key: 'RequestId', value: requestId }] }, TENANT);
    const [fromRequests] = built(groupRequest({ id: requestId, status: 'Denied' }));
    expect(audit.kind === 'event' && audit.event.id).toBe(fromRequests!.id);
  });
});

describe('the event schema', () => {
  it('keeps old messages valid (no request.action) and refuses an action Graph does not define', () => {
    const old = {
      id: 'old-1',
      type: 'roleExtended',
      tenantId: TENANT,
      occurredAt: at.toISOString(),
      scope: { kind: 'group', id: SOC_GROUP, accessId: 'member' },
      principal: { id: ALICE },
      assignment: { state: 'active', permanent: false },
      request: { id: 'x' },
    };
    expect(pimEventSchema.safeParse(old).success).toBe(true);
    expect(parseEvent({ ...old, request: { action: 'selfExtend' } }).kind).toBe('valid');
    const bad = parseEvent({ ...old, request: { action: 'extendPlease' } });
    expect(bad.kind === 'invalid' && bad.error.message).toContain('request.action');
  });
});
