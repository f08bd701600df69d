import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../shared/events/parse.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { isoWeekOf, parseIsoWeek, previousWeek } from '../../shared/time/isoWeek.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
function ev(id: string, occurredAt: string) {
  const r = parseEvent({
    id,
    type: 'activationCompleted',
    tenantId: TENANT,
    occurredAt,
    scope: { kind: 'directory', id: '/' },
    role: { id: '62e90394-69f5-4237-9190-012177145e10' },
    principal: { id: '0b5e8f33-2222-4b4b-8c8c-0123456789ab' },
  });
  if (r.kind === 'invalid') throw r.error;
  return r.event;
}

describe('ISO weeks (UTC)', () => {
  it('puts instants in their UTC week, whatever the offset', () => {
    expect(isoWeekOf('2026-11-16T00:00:00Z').id).toBe('2026-W47');
    expect(isoWeekOf('2026-11-22T23:59:59.999Z').id).toBe('2026-W47');
    expect(isoWeekOf('2026-11-23T00:00:00Z').id).toBe('2026-W48');
    // 00:30 on Monday in Paris is still Sunday in UTC.
    expect(isoWeekOf('2026-11-23T00:30:00+01:00').id).toBe('2026-W47');
    expect(isoWeekOf('2026-11-22T20:00:00-05:00').id).toBe('2026-W48');
  });

  it('parses week ids, knows week-years and refuses weeks that do not exist', () => {
    expect(parseIsoWeek('2026-W47')).toEqual({ id: '2026-W47', start: '2026-11-16T00:00:00Z', end: '2026-11-23T00:00:00Z' });
    expect(parseIsoWeek('2026-W53').start).toBe('2026-12-28T00:00:00Z');
    expect(isoWeekOf('2027-01-01T12:00:00Z').id).toBe('2026-W53');
    expect(() => parseIsoWeek('2025-W53')).toThrow(/does not exist/);
    expect(() => parseIsoWeek('2026-47')).toThrow(/YYYY-Www/);
    expect(previousWeek(parseIsoWeek('2027-W01')).id).toBe('2026-W53');
  });
});

describe('activity table on Azurite', () => {
  it('records an event id once, whatever the redeliveries and concurrent writers', async () => {
    const store = new TableActivityStore(
      TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Act'), { allowInsecureConnection: true }),
    );
    const e = ev('evt-1', '2026-11-18T10:00:00Z');
    const results = await Promise.all([store.record(e), store.record(e), store.record(e)]);
    expect(results.sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    expect(await store.record(e)).toBe('duplicate');
  });

  it('reads exactly one week, boundaries included and excluded', async () => {
    const store = new TableActivityStore(
      TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Act'), { allowInsecureConnection: true }),
    );
    await store.record(ev('first-instant', '2026-11-16T00:00:00Z'));
    await store.record(ev('last-instant', '2026-11-22T23:59:59Z'));
    await store.record(ev('next-monday', '2026-11-23T00:00:00Z'));
    await store.record(ev('paris-monday', '2026-11-23T00:30:00+01:00'));
    const ids: string[] = [];
    for await (const row of store.week(TENANT, '2026-W47')) ids.push(row.eventId);
    expect(ids.sort()).toEqual(['first-instant', 'last-instant', 'paris-monday']);
  });
});
