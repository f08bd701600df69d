/** mapAuditRecord: each PIM audit record becomes the right, valid event (or the reason it does not). */
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIVITIES, lookupActivity } from '../../shared/sources/activities.js';
import { auditEventId, mapAuditRecord } from '../../shared/sources/auditRecord.js';
import { parseEvent } from '../../shared/events/parse.js';
import { ADMIN, ALICE, GA, READER, RG, TENANT, record, requestIdOf, resourceRecord } from '../support/auditRecords.js';

const at = new Date('2026-11-25T09:00:00Z');

describe('mapAuditRecord', () => {
  it('turns an activation into activationCompleted with role, principal, actor and request', () => {
    const r = record('Add member to role completed (PIM activation)', at);
    const mapped = mapAuditRecord(r, TENANT);
    expect(mapped.kind).toBe('event');
    if (mapped.kind !== 'event') return;
    expect(mapped.event).toMatchObject({
      // The request's id, not the record's: the requests collector derives the same one.
      id: `req:${requestIdOf(r)}:activationCompleted`,
      type: 'activationCompleted',
      tenantId: TENANT,
      occurredAt: '2026-11-25T09:00:00.000Z',
      scope: { kind: 'directory', id: '/' },
      role: { id: GA, displayName: 'Global Administrator' },
      principal: { id: ALICE, type: 'user', displayName: 'Alice' },
      actor: { id: ADMIN, displayName: 'Admin' },
      request: { justification: 'Incident 42', ticketNumber: 'INC-42' },
    });
    expect(parseEvent(mapped.event).kind).toBe('valid');
  });

  it.each([
    [
      'Add eligible member to role in PIM completed (timebound)',
      'roleAssigned',
      { state: 'eligible', permanent: false, endDateTime: '2026-12-20T10:00:00.000Z' },
    ],
    ['Add eligible member to role in PIM completed (permanent)', 'roleAssigned', { state: 'eligible', permanent: true }],
    // Issue 11 item 10: the "Users made permanent" tile counts these (Entra and Azure resource records share the name).
    ['Add member to role in PIM completed (permanent)', 'roleMadePermanent', { state: 'active', permanent: true }],
    ['Update member in PIM denied by admin (extend/renew)', 'assignmentRequestDenied', { state: 'active', permanent: false }],
    ['Add member to role outside of PIM (permanent)', 'roleAssignedOutsidePim', { state: 'active', permanent: true }],
    ['Update eligible member in PIM requested (extend)', 'assignmentPendingApproval', { state: 'eligible', permanent: false }],
    ['Update member in PIM approved by admin (extend/renew)', 'roleExtended', { state: 'active', permanent: false }],
  ])('%s → %s with the assignment the name implies', (activity, type, assignment) => {
    const mapped = mapAuditRecord(record(activity, at), TENANT);
    expect(mapped).toMatchObject({ kind: 'event', event: { type, assignment } });
    // A permanent assignment carries no end date even when the record has one.
    if (mapped.kind === 'event' && assignment.permanent) expect(mapped.event.assignment?.endDateTime).toBeUndefined();
  });

  it('maps ResourceManagement records to the Azure resource scope and the ARM role definition GUID', () => {
    const mapped = mapAuditRecord(resourceRecord('Add member to role approval requested (PIM activation)', at), TENANT);
    expect(mapped).toMatchObject({
      kind: 'event',
      event: {
        type: 'activationPendingApproval',
        scope: { kind: 'azureResource', id: RG, displayName: 'rg-app' },
        role: { id: READER, displayName: 'Reader' },
      },
    });
  });

  it('reports unknown activities by name, ignores known non-events and failures, and leaves other categories unsupported', () => {
    expect(mapAuditRecord(record('Add member to role via a new portal (PIM)', at), TENANT)).toEqual({
      kind: 'unknown',
      activity: 'Add member to role via a new portal (PIM)',
    });
    expect(mapAuditRecord(record('Remove member from role completed (PIM deactivate)', at), TENANT).kind).toBe('ignored');
    expect(mapAuditRecord(record('Add member to role completed (PIM activation)', at, { result: 'failure' }), TENANT).kind).toBe('ignored');
    expect(
      mapAuditRecord(record('Add member to role completed (PIM activation)', at, { category: 'ApplicationManagement' }), TENANT),
    ).toEqual({
      kind: 'unsupported',
      category: 'ApplicationManagement',
    });
  });

  it('names the record and the field when the record cannot make a valid event, without the values', () => {
    const r = record('Add member to role completed (PIM activation)', at, { targetResources: [{ id: GA, type: 'Role' }] });
    const mapped = mapAuditRecord(r, TENANT);
    expect(mapped.kind).toBe('invalid');
    if (mapped.kind === 'invalid') {
      expect(mapped.error.message).toContain(`audit:${r.id}`);
      expect(mapped.error.message).toContain('principal');
      expect(mapped.error.message).not.toContain('Incident 42');
    }
  });

  it('derives a valid event id from any record id, the same each time', () => {
    expect(auditEventId('PIM_abc-1')).toBe('audit:PIM_abc-1');
    const odd = auditEventId('Directory/weird id#1');
    expect(odd).toMatch(/^audit:h-[0-9a-f]{48}$/);
    expect(auditEventId('Directory/weird id#1')).toBe(odd);
  });
});

describe('the activity table', () => {
  it('lists each activity once and finds names regardless of case and spacing', () => {
    const names = AUDIT_ACTIVITIES.map((m) => m.activity.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    expect(lookupActivity('  add member to role  COMPLETED (PIM activation) ')?.event).toBe('activationCompleted');
  });

  it('gives every assignment event an assignment and no request event one', async () => {
    const { ASSIGNMENT_EVENT_TYPES } = await import('../../shared/events/schema.js');
    for (const m of AUDIT_ACTIVITIES) {
      if (!m.event) continue;
      const needs = (ASSIGNMENT_EVENT_TYPES as readonly string[]).includes(m.event);
      if (needs) expect(m.assignment, m.activity).toBeDefined();
    }
  });
});

describe('mapAuditRecord: property names in any case', () => {
  it('reads Type / targetResource / TargetResources and capitalised keys as the documented examples spell them', () => {
    const base = record('Add member to role completed (PIM activation)', at);
    const targets = base.targetResources!.map((t) => ({ Id: t.id, DisplayName: t.displayName, Type: t.type }));
    for (const [listName, list] of [
      ['targetResource', targets],
      ['TargetResources', targets],
    ] as const) {
      const { targetResources: _drop, ...rest } = base;
      const raw = { ...rest, [listName]: list, InitiatedBy: { User: { Id: ADMIN, DisplayName: 'Admin' } }, initiatedBy: undefined };
      const mapped = mapAuditRecord(raw as never, TENANT);
      expect(mapped, listName).toMatchObject({
        kind: 'event',
        event: { role: { id: GA }, principal: { id: ALICE, type: 'user' }, actor: { id: ADMIN } },
      });
    }
  });
});

describe('mapAuditRecord: a record without an id', () => {
  it('is refused as invalid rather than sharing one event id with every other id-less record', () => {
    const { id: _id, ...rest } = record('Add member to role completed (PIM activation)', at);
    // Naming no request either: nothing identifies the event.
    const anonymous = {
      ...rest,
      targetResources: rest.targetResources?.filter((t) => t.type !== 'Request'),
      additionalDetails: rest.additionalDetails?.filter((d) => d.key !== 'RequestId'),
    };
    expect(mapAuditRecord(anonymous as never, TENANT).kind).toBe('invalid');
  });

  it('takes the id of the request it names, the one the requests collector gives the same event', () => {
    const { id: _id, ...rest } = record('Add member to role completed (PIM activation)', at);
    const mapped = mapAuditRecord(rest as never, TENANT);
    expect(mapped.kind).toBe('event');
    if (mapped.kind === 'event') expect(mapped.event.id).toMatch(/^req:/);
  });
});
