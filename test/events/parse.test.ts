import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventText } from '../../shared/events/parse.js';

const valid = {
  id: 'evt-1',
  type: 'roleAssigned',
  tenantId: '2f0c6d3e-1111-4a4a-9b9b-0123456789ab',
  occurredAt: '2026-11-23T10:00:00+01:00',
  scope: { kind: 'directory', id: '/' },
  role: { id: '62e90394-69f5-4237-9190-012177145e10' },
  principal: { id: '0b5e8f33-2222-4b4b-8c8c-0123456789ab' },
  assignment: { state: 'eligible', permanent: false, endDateTime: '2027-01-01T00:00:00Z' },
};

describe('event validation', () => {
  it('accepts a valid event and drops unknown fields', () => {
    const r = parseEvent({ ...valid, extra: 'ignored' });
    expect(r.kind).toBe('valid');
    if (r.kind === 'valid') expect(r.event).not.toHaveProperty('extra');
  });

  it('names the event id and the field when a field is wrong', () => {
    const r = parseEvent({ ...valid, principal: { id: 'not-a-guid' } });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.error.message).toMatch(/^event evt-1 is invalid: principal\.id/);
  });

  it('requires the assignment for assignment events', () => {
    const { assignment: _a, ...rest } = valid;
    const r = parseEvent(rest);
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.error.issues.map((i) => i.path)).toContain('assignment');
  });

  it('lets pimEnabled go without role and principal', () => {
    const r = parseEvent({ id: 'p1', type: 'pimEnabled', tenantId: valid.tenantId, occurredAt: valid.occurredAt, scope: valid.scope });
    expect(r.kind).toBe('valid');
  });

  it('rejects an unknown type, a date without zone and non-JSON text', () => {
    expect(parseEvent({ ...valid, type: 'roleStolen' }).kind).toBe('invalid');
    expect(parseEvent({ ...valid, occurredAt: '2026-11-23T10:00:00' }).kind).toBe('invalid');
    const r = parseEventText('{not json');
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.error.message).toContain('not valid JSON');
  });

  it('rejects a justification over 1000 characters', () => {
    const r = parseEvent({ ...valid, request: { justification: 'x'.repeat(1001) } });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.error.issues[0]?.path).toBe('request.justification');
  });
});

describe('poison records', () => {
  it('fit in a queue message unless the message itself is near the 64 KiB limit', async () => {
    const { fitsInQueueMessage, poisonRecord } = await import('../../shared/queues/poison.js');
    const small = parseEventText('{"id": "x"}');
    const big = 'x'.repeat(47_000);
    if (small.kind === 'valid') throw new Error('expected invalid');
    expect(fitsInQueueMessage(poisonRecord('{"id": "x"}', small.error, new Date(0)))).toBe(true);
    expect(fitsInQueueMessage(poisonRecord(big, small.error, new Date(0)))).toBe(true);
    expect(fitsInQueueMessage(poisonRecord(big + 'x'.repeat(2_000), small.error, new Date(0)))).toBe(false);
  });
});
