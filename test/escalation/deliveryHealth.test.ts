/**
 * Delivery health on Azurite and the local ACS: a share of undeliverable reports above
 * DELIVERY_HEALTH_PERCENT, once the hour has enough reports, is logged with the figures once per
 * hour (however many workers count) and mailed to DELIVERY_HEALTH_ADDRESS once.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { countReport, DELIVERY_HEALTH_MIN_REPORTS, type HealthDeps } from '../../shared/escalation/deliveryHealth.js';
import { TableDeliveryHealth } from '../../shared/escalation/tableDeliveryHealth.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { harness } from '../support/delivery.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { directory, SETTINGS, subjectsTo } from './escalationHarness.js';

const startFake = fakeAcsPerTest();

async function world(now: Date, address?: string) {
  const fake = await startFake();
  const h = await harness(fake);
  const client = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Health'), { allowInsecureConnection: true });
  const logs: string[] = [];
  const clock = { now };
  const deps: HealthDeps = {
    health: new TableDeliveryHealth(client),
    ledger: h.ledger,
    directory: directory(),
    transport: h.transport,
    settings: { ...SETTINGS, DELIVERY_HEALTH_PERCENT: 2, DELIVERY_HEALTH_ADDRESS: address },
    clock: { now: () => clock.now },
    log: (level, message) => void logs.push(`${level}: ${message}`),
  };
  return { fake, deps, logs, clock };
}

describe('delivery health', () => {
  it('3 undeliverable of 30 in an hour: one warning with the figures, one email to the operator, counted concurrently', async () => {
    const w = await world(new Date('2026-12-06T07:10:00Z'), 'ops@contoso.example');
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => countReport(i % 8 === 0 && i < 24, w.deps)));
    results.push(...(await Promise.all(Array.from({ length: 5 }, () => countReport(false, w.deps)))));
    expect(results.filter((r) => r === 'warned')).toHaveLength(1);
    const warnings = w.logs.filter((l) => l.startsWith('warn: delivery health'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /\d of \d\d delivery reports in the hour from 2026-12-06T07:00 UTC are undeliverable \(\d+\.\d %, above DELIVERY_HEALTH_PERCENT 2 %\)/,
    );
    expect(subjectsTo(w.fake, 'ops@contoso.example')).toEqual([
      expect.stringMatching(/^PIM: \d+\.\d % of delivery reports undeliverable in the hour from 2026-12-06T07:00 UTC$/),
    ]);

    // The next hour starts afresh.
    w.clock.now = new Date('2026-12-06T08:00:00Z');
    for (let i = 0; i < DELIVERY_HEALTH_MIN_REPORTS; i++) await countReport(false, w.deps);
    expect(w.logs.filter((l) => l.startsWith('warn: delivery health'))).toHaveLength(1);
  });

  it('too few reports in the hour, or a share at or below the threshold: no warning', async () => {
    const w = await world(new Date('2026-12-06T09:00:00Z'));
    for (let i = 0; i < DELIVERY_HEALTH_MIN_REPORTS - 1; i++) await countReport(i < 5, w.deps);
    expect(w.logs).toEqual([]);
    const quiet = await world(new Date('2026-12-06T10:00:00Z'));
    for (let i = 0; i < 100; i++) await countReport(i >= 98, quiet.deps); // 2 % at most, never above
    expect(quiet.logs).toEqual([]);
    expect(quiet.fake.deliveries).toEqual([]);
  });
});
