/** The pure part of the requests source: each request shape and status → the events it implies. */
import { describe, expect, it } from 'vitest';
import { fromArm, fromGraph } from '../../shared/sources/pimRequestSource.js';
import { endAfter, impliedEvents, requestEvent, type ScheduleRequest } from '../../shared/sources/scheduleRequest.js';
import { ALICE, GA, READER, SUB, TENANT } from '../support/auditRecords.js';

const T0 = '2026-11-25T10:00:00.000Z';
const soon = new Date('2026-11-25T10:01:00Z');

function req(overrides: Partial<ScheduleRequest>): ScheduleRequest {
  return {
    kind: 'directory',
    schedule: 'assignment',
    id: 'r1',
    action: 'selfActivate',
    status: 'PendingApproval',
    createdDateTime: T0,
    principalId: ALICE,
    roleDefinitionId: GA,
    scopeId: '/',
    approvalId: 'a1',
    permanent: false,
    ...overrides,
  };
}

describe('impliedEvents', () => {
  it.each([
    ['selfActivate', 'PendingApproval', 'a1', ['activationPendingApproval']],
    ['SelfActivate', 'AdminApproved', 'a1', ['activationApproved']],
    ['selfActivate', 'Granted', undefined, []],
    ['selfActivate', 'Provisioned', 'a1', ['activationApproved', 'activationCompleted']],
    ['selfActivate', 'Provisioned', undefined, ['activationCompleted']],
    ['selfActivate', 'Denied', 'a1', ['activationDenied']],
    ['selfActivate', 'Canceled', 'a1', ['activationCanceled']],
    ['selfActivate', 'TimedOut', 'a1', ['requestExpired']],
    ['selfActivate', 'Failed', 'a1', []],
    ['selfExtend', 'PendingAdminDecision', 'a1', ['assignmentPendingApproval']],
    ['adminExtend', 'Provisioned', undefined, ['roleExtended']],
    ['selfRenew', 'ScheduleCreated', 'a1', ['roleRenewed']],
    ['selfExtend', 'Denied', 'a1', ['assignmentRequestDenied']],
    ['SelfRenew', 'AdminDenied', 'a1', ['assignmentRequestDenied']],
    ['AdminAssign', 'Provisioned', undefined, ['roleAssigned']],
    ['selfDeactivate', 'Provisioned', undefined, []],
    ['adminRemove', 'Revoked', undefined, []],
  ])('%s %s (approval %s) → %j', (action, status, approvalId, events) => {
    expect(impliedEvents(req({ action, status, approvalId }), soon)).toEqual(events);
  });

  it('expires a Graph request still pending at the end of the 24-hour window, not a minute before', () => {
    expect(impliedEvents(req({}), new Date('2026-11-26T09:59:00Z'))).toEqual(['activationPendingApproval']);
    expect(impliedEvents(req({}), new Date('2026-11-26T10:00:00Z'))).toEqual(['requestExpired']);
  });
});

describe('request readers', () => {
  it('reads a Graph request with a duration and an ARM request with a zone-less createdOn and an ARM role path', () => {
    const graph = fromGraph(
      {
        id: 'g1',
        action: 'selfActivate',
        status: 'PendingApproval',
        createdDateTime: '2026-11-25T10:00:00.1234567Z',
        principalId: ALICE.toUpperCase(),
        roleDefinitionId: GA,
        directoryScopeId: '/',
        approvalId: 'x',
        createdBy: { user: { id: ALICE } },
        scheduleInfo: { startDateTime: T0, expiration: { type: 'afterDuration', duration: 'PT8H' } },
      },
      'directory',
      'assignment',
    );
    expect(graph).toMatchObject({
      id: 'g1',
      principalId: ALICE,
      createdDateTime: '2026-11-25T10:00:00.123Z',
      endDateTime: '2026-11-25T18:00:00.000Z',
      createdById: ALICE,
      permanent: false,
    });
    const arm = fromArm(
      {
        id: '/x',
        name: 'a1',
        properties: {
          requestType: 'AdminAssign',
          status: 'Provisioned',
          createdOn: '2026-11-25T10:00:00',
          principalId: ALICE,
          principalType: 'User',
          roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
          scope: `/subscriptions/${SUB}`,
          scheduleInfo: { startDateTime: T0, expiration: { type: 'NoExpiration' } },
        },
      },
      'eligibility',
    );
    expect(arm).toMatchObject({
      kind: 'azureResource',
      id: 'a1',
      roleDefinitionId: READER,
      createdDateTime: T0,
      principalType: 'user',
      permanent: true,
    });
    // Missing what an event needs: no request at all rather than a broken one.
    expect(fromGraph({ id: 'g2', status: 'PendingApproval', createdDateTime: T0 }, 'directory', 'assignment')).toBeUndefined();
    expect(endAfter(T0, 'P1DT2H30M')).toBe('2026-11-26T12:30:00.000Z');
    expect(endAfter(T0, 'eight hours')).toBeUndefined();
  });

  it('builds a valid event: permanent eligible assignment has no end, an activation is active and time-bound', () => {
    const assigned = requestEvent(
      req({ action: 'adminAssign', status: 'Provisioned', schedule: 'eligibility', permanent: true, endDateTime: undefined }),
      'roleAssigned',
      TENANT,
      soon,
    );
    expect(assigned.kind === 'valid' && assigned.event).toMatchObject({
      id: 'req:r1:roleAssigned',
      assignment: { state: 'eligible', permanent: true },
      request: { id: 'r1', createdDateTime: T0 },
    });
    const completed = requestEvent(
      req({ status: 'Provisioned', schedule: 'assignment', endDateTime: '2026-11-25T18:00:00.000Z' }),
      'activationCompleted',
      TENANT,
      soon,
    );
    expect(completed.kind === 'valid' && completed.event).toMatchObject({
      occurredAt: soon.toISOString(),
      assignment: { state: 'active', permanent: false, endDateTime: '2026-11-25T18:00:00.000Z' },
    });
    const bad = requestEvent(req({ principalId: 'not-a-guid' }), 'activationPendingApproval', TENANT, soon);
    expect(bad.kind).toBe('invalid');
  });
});
