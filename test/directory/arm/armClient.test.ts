/**
 * ARM through core-rest-pipeline against the local ARM: the token is asked for ARM's scope,
 * throttling and network failures are retried by the pipeline's policies, and what keeps failing
 * (or is refused) ends in an ArmRequestError that says what to do.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ArmApi, ArmRequestError } from '../../../shared/directory/arm/armClient.js';
import { FakeArm } from '../../support/fakeArm.js';
import { fakeCredential, routedFetch } from '../../support/fakeGraph.js';
import { SUB, sampleTenant } from '../../support/sampleTenant.js';
import { sampleWorld } from '../../support/clock.js';

const BASE = 'https://management.azure.com';
const LIST = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=atScope()`;
let arm: FakeArm;

// A fresh endpoint per test: injected faults a test leaves unused must not reach the next one.
beforeEach(async () => {
  arm = await new FakeArm(sampleTenant(), { ...sampleWorld, publicBaseUrl: BASE }).start();
});
afterEach(async () => arm.stop());

test('asks the credential for an ARM token and lists a collection', async () => {
  const credential = fakeCredential();
  const api = new ArmApi({ baseUrl: BASE, credential, fetch: routedFetch({ [BASE]: arm }) });
  const items = await api.list<{ properties: { principalId: string } }>(LIST);
  expect(items.length).toBeGreaterThan(0);
  expect(credential.calls).toContain(`${BASE}/.default`);
});

test('429 and 503 with Retry-After are retried until ARM answers', async () => {
  const api = new ArmApi({ baseUrl: BASE, credential: fakeCredential(), fetch: routedFetch({ [BASE]: arm }) });
  arm.inject({ match: /roleAssignments\?/, status: 429, retryAfterSeconds: 0, times: 1 });
  arm.inject({ match: /roleAssignments\?/, status: 503, retryAfterSeconds: 0, times: 1 });
  expect((await api.list(LIST)).length).toBeGreaterThan(0);
  expect(arm.count(/roleAssignments\?/)).toBe(3);
});

test('throttling that outlasts maxRetries fails with advice, after exactly 1 + maxRetries requests', async () => {
  const api = new ArmApi({ baseUrl: BASE, credential: fakeCredential(), fetch: routedFetch({ [BASE]: arm }), maxRetries: 2 });
  arm.inject({ match: /roleAssignments\?/, status: 503, retryAfterSeconds: 0, times: 100 });
  const error = await api.get(LIST).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ArmRequestError);
  expect((error as ArmRequestError).statusCode).toBe(503);
  expect((error as Error).message).toMatch(/kept throttling.*DIRECTORY_CACHE_TTL_SECONDS/);
  expect(arm.count(/roleAssignments\?/)).toBe(3);
});

test('a refused token is not retried and names the role to grant', async () => {
  const wrongToken = { getToken: async () => ({ token: 'not-for-arm', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const api = new ArmApi({ baseUrl: BASE, credential: wrongToken, fetch: routedFetch({ [BASE]: arm }) });
  const error = await api.get(LIST).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ArmRequestError);
  expect((error as ArmRequestError).statusCode).toBe(401);
  expect((error as Error).message).toMatch(/Reader role.*AZURE_SUBSCRIPTION_IDS/);
  expect(arm.count(/roleAssignments\?/)).toBe(1);
});

test('a connection reset is retried like the SDK retries it', async () => {
  const routed = routedFetch({ [BASE]: arm });
  let failures = 1;
  const flaky: typeof routed = async (input, init) => {
    if (failures-- > 0) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    return routed(input, init);
  };
  const api = new ArmApi({ baseUrl: BASE, credential: fakeCredential(), fetch: flaky });
  expect((await api.list(LIST)).length).toBeGreaterThan(0);
  expect(failures).toBe(-1);
  expect(arm.count(/roleAssignments\?/)).toBe(1);
});
