/** The pure matches of recordMatch.ts for the statuses the trust tests do not reach through the endpoints. */
import { describe, expect, it } from 'vitest';
import { matchRequest, matchSchedules } from '../../shared/confirm/recordMatch.js';
import type { RoleEvent } from '../../shared/events/schema.js';
import type { ScheduleRequest } from '../../shared/sources/scheduleRequest.js';

const P = '11111111-1111-4111-8111-111111111111';
const R = '62e90394-69f5-4237-9190-012177145e10';
const now = new Date('2026-12-01T12:00:00Z');

const request = (status: string, extra: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
  kind: 'directory',
  schedule: 'assignment',
  id: 'r1',
  action: 'selfActivate',
  status,
  createdDateTime: '2026-12-01T08:00:00Z',
  principalId: P,
  roleDefinitionId: R,
  scopeId: '/',
  permanent: false,
  approvalId: 'a1',
  ...extra,
});
const event = (type: RoleEvent['type'], extra: Record<string, unknown> = {}): RoleEvent =>
  ({
    id: 'e',
    type,
    tenantId: P,
    occurredAt: '2026-12-01T09:00:00Z',
    scope: { kind: 'directory', id: '/' },
    role: { id: R },
    principal: { id: P },
    request: { id: 'r1' },
    ...extra,
  }) as RoleEvent;

describe('matchRequest', () => {
  it('takes an expiry only from a timed-out request or one still waiting after the window', () => {
    expect(matchRequest(event('requestExpired'), request('TimedOut'), now).kind).toBe('confirms');
    expect(matchRequest(event('requestExpired'), request('PendingApproval'), now)).toMatchObject({
      kind: 'lags',
      reason: expect.stringMatching(/has not expired yet/),
    });
    expect(matchRequest(event('requestExpired'), request('PendingApproval'), new Date('2026-12-02T09:00:00Z')).kind).toBe('confirms');
    expect(matchRequest(event('requestExpired'), request('Provisioned'), now)).toMatchObject({ kind: 'contradicts' });
  });

  it('reminds only about a request that still waits, and cancels only a canceled one', () => {
    expect(matchRequest(event('approvalReminder'), request('PendingApproval'), now).kind).toBe('confirms');
    expect(matchRequest(event('approvalReminder'), request('Denied'), now)).toMatchObject({
      kind: 'contradicts',
      reason: expect.stringMatching(/no longer waits/),
    });
    expect(matchRequest(event('activationCanceled'), request('Canceled'), now).kind).toBe('confirms');
    expect(matchRequest(event('activationCanceled'), request('Provisioned'), now)).toMatchObject({ kind: 'contradicts' });
  });

  it('keeps activations and extensions apart, and needs an approval for "approved"', () => {
    expect(matchRequest(event('assignmentPendingApproval'), request('PendingApproval'), now)).toMatchObject({
      kind: 'contradicts',
      reason: expect.stringMatching(/is an activation/),
    });
    expect(matchRequest(event('assignmentRequestDenied'), request('Denied', { action: 'selfExtend' }), now).kind).toBe('confirms');
    expect(matchRequest(event('activationApproved'), request('Provisioned', { approvalId: undefined }), now)).toMatchObject({
      kind: 'contradicts',
      reason: expect.stringMatching(/was not approved/),
    });
    expect(
      matchRequest(
        event('roleExtended', { assignment: { state: 'active', permanent: false } }),
        request('Provisioned', { action: 'adminAssign' }),
        now,
      ),
    ).toMatchObject({ kind: 'contradicts', reason: expect.stringMatching(/not an extension/) });
    expect(
      matchRequest(
        event('roleAssigned', { assignment: { state: 'eligible', permanent: true } }),
        request('Provisioned', { action: 'adminAssign' }),
        now,
      ),
    ).toMatchObject({ kind: 'contradicts', reason: expect.stringMatching(/is for an active assignment/) });
  });
});

describe('matchSchedules', () => {
  const schedule = {
    scope: { kind: 'directory' as const, id: '/' },
    roleDefinitionId: R.toUpperCase(),
    principalId: P,
    principalType: 'user' as const,
    state: 'active' as const,
    startDateTime: null,
    endDateTime: '2026-12-01T11:00:00Z',
  };
  it('counts a schedule whose end has passed as gone', () => {
    const expired = event('roleExpired', { assignment: { state: 'active', permanent: false } });
    expect(matchSchedules(expired, [schedule], now).kind).toBe('confirms');
    expect(matchSchedules(expired, [{ ...schedule, endDateTime: null }], now)).toMatchObject({
      kind: 'lags',
      reason: expect.stringMatching(/still in force permanently/),
    });
    expect(matchSchedules(event('roleAssigned', { assignment: { state: 'active', permanent: false } }), [schedule], now)).toMatchObject({
      kind: 'lags',
    });
  });
});
