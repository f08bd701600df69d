/** The event schema's group scope: PIM for Groups events, and what is refused with a clear reason. */
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse.js';
import { eventJsonSchema } from '../../shared/events/schema.js';

const base = {
  id: 'g-1',
  type: 'roleAssigned',
  tenantId: '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37',
  occurredAt: '2026-11-18T11:00:00Z',
  principal: { id: 'c1719bd3-1903-4468-89aa-19bed00cecc2' },
  assignment: { state: 'eligible', permanent: true },
};
const group = { kind: 'group', id: 'aeecddf9-ff6b-4ce4-8384-dcb3b7fe19f1', accessId: 'member' };

describe('group scope', () => {
  it('accepts membership and ownership of a group without a role', () => {
    expect(parseEvent({ ...base, scope: group })).toMatchObject({ kind: 'valid', event: { scope: group } });
    expect(
      parseEvent({ ...base, type: 'activationPendingApproval', scope: { ...group, accessId: 'owner', displayName: 'SOC Tier 2' } }).kind,
    ).toBe('valid');
  });

  it('refuses a group scope without a valid access or group id, naming the field', () => {
    const noAccess = parseEvent({ ...base, scope: { kind: 'group', id: group.id } });
    expect(noAccess.kind).toBe('invalid');
    if (noAccess.kind === 'invalid') expect(noAccess.error.issues.map((i) => i.path)).toContain('scope.accessId');
    const path = parseEvent({ ...base, scope: { ...group, id: '/groups/x' } });
    expect(path.kind).toBe('invalid');
    if (path.kind === 'invalid') expect(path.error.issues.map((i) => i.path)).toContain('scope.id');
    expect(parseEvent({ ...base, scope: { ...group, accessId: 'admin' } }).kind).toBe('invalid');
  });

  it('still requires the role for directory and Azure scopes', () => {
    const result = parseEvent({ ...base, scope: { kind: 'directory', id: '/' } });
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.error.message).toContain('role: is required for a directory or azureResource scope');
    expect(parseEvent({ ...base, scope: { kind: 'directory', id: '/' }, role: { id: '62e90394-69f5-4237-9190-012177145e10' } }).kind).toBe(
      'valid',
    );
  });

  it('is in the generated JSON Schema', () => {
    const text = JSON.stringify(eventJsonSchema());
    expect(text).toContain('"accessId"');
    expect(text).toContain('"const":"group"');
  });
});
