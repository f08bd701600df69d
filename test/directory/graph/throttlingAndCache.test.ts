/** 429/503 with Retry-After (in and out of $batch), and the cache keeping a burst of events cheap. */
import { afterEach, expect, test } from 'vitest';
import { ROLE, type RoleDirectory } from '../../../shared/directory/roleDirectory.js';
import { TtlCache } from '../../../shared/directory/cache.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { GROUPS, RG, USERS, sampleTenant } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

test('a 429 with Retry-After outside $batch is retried by the client', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  h.graph.inject({ match: /roleAssignmentScheduleInstances/, status: 429, retryAfterSeconds: 1, times: 1 });
  expect(await h.directory.directoryRoleHolders(ROLE.globalAdministrator)).toHaveLength(5);
  expect(h.graph.count(/roleAssignmentScheduleInstances/)).toBe(2);
});

test('429 inside a $batch: only the throttled inner requests are sent again', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  h.graph.inject({ match: /\/users\?\$filter=id in/, status: 429, retryAfterSeconds: 1, times: 1, inBatch: true });
  const holders = await h.directory.directoryRoleHolders(ROLE.globalAdministrator);
  expect(holders.find((x) => x.id === USERS.eli)).toMatchObject({ state: 'active' });
  expect(h.graph.count(/\/users\?\$filter=id in/, true)).toBe(2);

  // Two groups asked at once share a $batch; only the throttled one is sent again.
  h.graph.resetCounts();
  h.graph.inject({
    match: new RegExp(`/groups/${GROUPS.owners}/transitiveMembers`),
    status: 429,
    retryAfterSeconds: 1,
    times: 1,
    inBatch: true,
  });
  const [owners, cycle] = await Promise.all([h.directory.groupMembers(GROUPS.owners), h.directory.groupMembers(GROUPS.cycle)]);
  expect(owners.map((m) => m.id)).toEqual([USERS.fay]);
  expect(cycle).toHaveLength(4);
  expect(h.graph.count(new RegExp(`/groups/${GROUPS.owners}/`), true)).toBe(2);
  expect(h.graph.count(new RegExp(`/groups/${GROUPS.cycle}/`), true)).toBe(1);
  expect(h.graph.count(/\$batch/, false)).toBe(2);
});

test('a 503 from ARM is retried after Retry-After', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  h.arm.inject({ match: /roleAssignmentScheduleInstances\?/, status: 503, retryAfterSeconds: 1, times: 1 });
  expect(await h.directory.azureScopeAdmins(RG)).toHaveLength(3);
  expect(h.arm.count(/roleAssignmentScheduleInstances\?/)).toBe(2);
});

test('an endpoint that keeps failing gives an error that says what to do', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  h.graph.inject({ match: /\/groups\/.*transitiveMembers/, status: 429, retryAfterSeconds: 0, times: 100, inBatch: true });
  await expect(h.directory.groupMembers('00000000-0000-0000-0000-000000000201')).rejects.toThrow(/throttling.*DIRECTORY_CACHE_TTL_SECONDS/);
});

/** What the notify use case asks per event: admins (PRA, SA, GA), the role's policy, the principal. */
async function oneEvent(directory: RoleDirectory): Promise<void> {
  await Promise.all([
    directory.directoryRoleHolders(ROLE.privilegedRoleAdministrator),
    directory.directoryRoleHolders(ROLE.securityAdministrator),
    directory.directoryRoleHolders(ROLE.globalAdministrator),
    directory.rolePolicy({ kind: 'directory', id: '/' }, ROLE.globalAdministrator),
    directory.user(USERS.bea),
  ]);
}

test('100 events about one role cost the Graph requests of one', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  await oneEvent(h.directory);
  const single = h.graph.count();
  await h.stop();

  h = await startHarness(sampleTenant(), { server: sampleWorld });
  await Promise.all(Array.from({ length: 50 }, () => oneEvent(h!.directory)));
  for (let i = 0; i < 50; i++) await oneEvent(h.directory);
  // Tenant-wide instances (2), principals: users, groups, members ($batch 3), policies (1).
  expect(single).toBeGreaterThan(5);
  expect(h.graph.count()).toBe(single);
  await h.stop();

  // The cache is what makes it so: with TTL 0 every event after the first asks again.
  h = await startHarness(sampleTenant(), { server: sampleWorld, env: { DIRECTORY_CACHE_TTL_SECONDS: '0' } });
  for (let i = 0; i < 10; i++) await oneEvent(h.directory);
  expect(h.graph.count()).toBeGreaterThanOrEqual(10 * single);
});

test('a failed lookup is not cached: the next event asks again and gets the answer', async () => {
  h = await startHarness(sampleTenant(), { server: sampleWorld });
  h.graph.inject({ match: /roleEligibilityScheduleInstances/, status: 400 as 429, times: 1 });
  await expect(h.directory.directoryRoleHolders(ROLE.globalAdministrator)).rejects.toThrow();
  expect(await h.directory.directoryRoleHolders(ROLE.globalAdministrator)).toHaveLength(5);
});

test('TtlCache: coalesces concurrent callers, expires after the TTL, never caches a failure', async () => {
  let now = 0;
  const cache = new TtlCache({ ttlSeconds: 60, clock: { now: () => new Date(now) } });
  let loads = 0;
  const load = async () => ++loads;
  expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
  now += 59_000;
  expect(await cache.get('k', load)).toBe(1);
  now += 2_000;
  expect(await cache.get('k', load)).toBe(2);

  let attempts = 0;
  const flaky = async () => {
    if (++attempts === 1) throw new Error('boom');
    return 'ok';
  };
  await expect(cache.get('f', flaky)).rejects.toThrow('boom');
  expect(await cache.get('f', flaky)).toBe('ok');

  const noTtl = new TtlCache({ ttlSeconds: 0 });
  let n = 0;
  const counted = async () => ++n;
  expect(await Promise.all([noTtl.get('k', counted), noTtl.get('k', counted)])).toEqual([1, 1]);
  expect(await noTtl.get('k', counted)).toBe(2);
});
