/** PIM for Groups' audit records (category GroupManagement) become group events. */
import { describe, expect, it } from 'vitest';
import { mapAuditRecord } from '../../shared/sources/auditRecord.js';
import { ALICE, NESTED_GROUP, SOC_GROUP, TENANT, groupRecord } from '../support/auditRecords.js';

const at = new Date('2026-11-20T10:00:00Z');

describe('GroupManagement records', () => {
  it('an eligible member assignment: the managed group and the access as the scope, no role', () => {
    const mapped = mapAuditRecord(groupRecord('Add eligible member to role in PIM completed (timebound)', at, 'Member'), TENANT);
    expect(mapped).toMatchObject({
      kind: 'event',
      event: {
        type: 'roleAssigned',
        scope: { kind: 'group', id: SOC_GROUP, accessId: 'member', displayName: 'SOC Tier 2' },
        principal: { id: ALICE, type: 'user' },
        assignment: { state: 'eligible', permanent: false, endDateTime: '2026-12-20T10:00:00.000Z' },
      },
    });
    expect(mapped.kind === 'event' && mapped.event.role).toBeUndefined();
  });

  it('an owner activation; the access may come from the details instead of the role target', () => {
    const r = groupRecord('Add member to role completed (PIM activation)', at, 'Owner');
    expect(mapAuditRecord(r, TENANT)).toMatchObject({
      kind: 'event',
      event: { type: 'activationCompleted', scope: { kind: 'group', accessId: 'owner' } },
    });
    const fromDetails = groupRecord('Add member to role approval requested (PIM activation)', at, 'Owner', {
      targetResources: [
        { id: ALICE, displayName: 'Alice', type: 'User' },
        { id: SOC_GROUP, displayName: 'SOC Tier 2', type: 'Group' },
      ],
      additionalDetails: [{ key: 'AccessId', value: 'owner' }],
    });
    expect(mapAuditRecord(fromDetails, TENANT)).toMatchObject({
      kind: 'event',
      event: { type: 'activationPendingApproval', scope: { id: SOC_GROUP, accessId: 'owner' } },
    });
  });

  it('a group made member of the group: the details name the managed one, the other group is the principal', () => {
    const r = groupRecord('Add member to role in PIM completed (permanent)', at, 'Member', {
      targetResources: [
        { id: 'member', displayName: 'Member', type: 'Role' },
        { id: SOC_GROUP, displayName: 'SOC Tier 2', type: 'Group' },
        { id: NESTED_GROUP, displayName: 'Night shift', type: 'Group' },
      ],
      additionalDetails: [{ key: 'ResourceId', value: SOC_GROUP }],
    });
    expect(mapAuditRecord(r, TENANT)).toMatchObject({
      kind: 'event',
      event: { scope: { id: SOC_GROUP }, principal: { id: NESTED_GROUP, type: 'group' }, assignment: { state: 'active', permanent: true } },
    });
  });

  it('a record that does not say member or owner is invalid, naming the field', () => {
    const r = groupRecord('Add member to role completed (PIM activation)', at, 'Member', {
      targetResources: [
        { id: ALICE, type: 'User' },
        { id: SOC_GROUP, type: 'Group' },
      ],
      additionalDetails: [],
    });
    const mapped = mapAuditRecord(r, TENANT);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind === 'invalid') expect(mapped.error.message).toContain('scope.accessId');
  });
});
