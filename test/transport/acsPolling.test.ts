/**
 * Polling an ACS operation waits what ACS says (`retry-after` on a non-terminal status, the
 * spec's "minimum amount of time in seconds to wait before polling for operation status
 * again"), never a fixed interval: against the local ACS answering `Running` with the
 * retry-after of Microsoft's own example (test/fixtures/microsoft/acs/getOperationStatusRunning.json).
 * The clock is the test's: the local ACS and the poll share it, and a wait moves it.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { AzureKeyCredential } from '@azure/core-auth';
import { describe, expect, it } from 'vitest';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { OperationStatusClient } from '../../shared/transport/acs/operationStatus.js';
import { createAcsTransport } from '../../shared/transport/acsTransport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import type { FakeAcs } from '../support/fakeAcs.js';

const startFake = fakeAcsPerTest();

const running = JSON.parse(readFileSync(fromPackageRoot('test/fixtures/microsoft/acs/getOperationStatusRunning.json'), 'utf8')) as {
  headers: { 'retry-after': string };
};
const documentedRetryAfter = Number(running.headers['retry-after']);

function clock() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    waits,
  };
}

async function sent(fake: FakeAcs): Promise<string> {
  const id = randomUUID();
  const transport = createAcsTransport(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    { clientOptions: { allowInsecureConnection: true } },
  );
  const email = personalMessage({
    notification: 'test',
    subject: 's',
    html: '<p>h</p>',
    text: 't',
    from: { address: 'pim-noreply@contoso.example' },
    to: { address: 'megan@contoso.example' },
  });
  await transport.accept(email, { operationId: id, mayHaveBeenSent: false });
  return id;
}

const statusClient = (fake: FakeAcs) =>
  new OperationStatusClient(fake.endpoint, new AzureKeyCredential(fake.accessKey), { allowInsecureConnection: true });

describe('polling an ACS operation', () => {
  it(`reads once and stops when ACS asks for ${documentedRetryAfter} s and the budget is shorter`, async () => {
    const c = clock();
    const fake = await startFake({ runningMs: 600_000, pollRetryAfterSeconds: documentedRetryAfter, now: c.now });
    const id = await sent(fake);

    const status = await statusClient(fake).waitUntilFinal(id, { budgetMs: 30_000, now: c.now, sleep: c.sleep });
    expect(status).toMatchObject({ status: 'Running', retryAfterMs: documentedRetryAfter * 1000 });
    expect(fake.count('GET', '/emails/operations'), 'one status read, not one every 2 s').toBe(1);
    expect(c.waits).toEqual([]);
  });

  it('waits the retry-after between reads, never less, until the operation is final', async () => {
    const c = clock();
    const fake = await startFake({ runningMs: 7_000, pollRetryAfterSeconds: 3, now: c.now });
    const id = await sent(fake);

    const status = await statusClient(fake).waitUntilFinal(id, { budgetMs: 60_000, now: c.now, sleep: c.sleep });
    expect(status).toMatchObject({ status: 'Succeeded' });
    expect(status?.retryAfterMs, 'a final status carries none').toBeUndefined();
    expect(c.waits).toEqual([3000, 3000, 3000]);
    expect(fake.count('GET', '/emails/operations')).toBe(4);
  });

  it("the transport's outcome() polls the same way (the doctor's test email)", async () => {
    const fake = await startFake({ runningMs: 600_000, pollRetryAfterSeconds: documentedRetryAfter });
    const id = await sent(fake);
    const transport = createAcsTransport(
      { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
      { clientOptions: { allowInsecureConnection: true } },
    );
    const started = performance.now();
    expect(await transport.outcome(id, 5_000)).toMatchObject({ status: 'Running', retryAfterMs: documentedRetryAfter * 1000 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(fake.count('GET', '/emails/operations')).toBe(1);
    expect(await transport.outcome(randomUUID(), 5_000), 'an id ACS does not know').toBeUndefined();
  });
});
