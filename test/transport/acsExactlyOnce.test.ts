/**
 * Crash recovery: the delivery ledger saw a claim but no outcome, so the retry passes
 * mayHaveBeenSent and AcsTransport must ask ACS before sending. Deliveries counted at
 * FakeAcs are the ground truth.
 */
import { AzureKeyCredential } from '@azure/core-auth';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { OperationStatusClient } from '../../shared/transport/acs/operationStatus.js';
import { AcsTransport, createAcsTransport, type AcsTransportOptions } from '../../shared/transport/acsTransport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import type { Message } from '../../shared/transport/transport.js';
import type { FakeAcs } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';

const email: Message = personalMessage({
  notification: 'activationCompleted',
  subject: 'PIM: Alex Wilber activated the Security Administrator role',
  html: '<p>Activated</p>',
  text: 'Activated',
  from: { address: 'pim-noreply@contoso.example' },
  to: { address: 'alex@contoso.example' },
});

const startFake = fakeAcsPerTest();

function transportFor(fake: FakeAcs, options: AcsTransportOptions = {}): AcsTransport {
  return createAcsTransport(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    { clientOptions: { allowInsecureConnection: true, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } }, ...options },
  );
}

describe('AcsTransport: exactly once across crashes', () => {
  it('accepted, outcome forgotten, retried with mayHaveBeenSent: one delivery', async () => {
    const fake = await startFake();
    const id = randomUUID();
    await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: false });
    // The worker dies before the ledger write; another worker picks the message up.
    const retry = await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: true });

    expect(retry).toEqual({ messageId: id, alreadyAccepted: true, delivered: false });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('the same operation id sent again even without mayHaveBeenSent is not delivered twice', async () => {
    const fake = await startFake();
    const id = randomUUID();
    await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: false });
    await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: false });
    expect(fake.count('POST', '/emails:send')).toBe(2);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('mayHaveBeenSent but ACS never heard of it (404): sends once', async () => {
    const fake = await startFake();
    const id = randomUUID();
    const result = await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: true });

    expect(result).toEqual({ messageId: id, alreadyAccepted: false, delivered: false });
    expect(fake.requests.filter((r) => r.method === 'GET' && r.status === 404)).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('an earlier attempt still Running counts as accepted at once: no waiting for it, not sent again', async () => {
    // Running for a minute whoever asks, as real ACS is for a while after a send.
    const fake = await startFake({ runningMs: 60_000 });
    const id = randomUUID();
    await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: false });

    const retry = await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: true });
    expect(retry).toEqual({ messageId: id, alreadyAccepted: true, delivered: false });
    // One status read, not a poll until it ends: the operation is still Running.
    expect(fake.count('GET', '/emails/operations/')).toBe(1);
    const status = new OperationStatusClient(fake.endpoint, new AzureKeyCredential(fake.accessKey), { allowInsecureConnection: true });
    expect((await status.get(id))?.status).toBe('Running');
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('an earlier attempt Canceled: sends again under the next attempt id, once', async () => {
    const fake = await startFake();
    const id = randomUUID();
    fake.seedOperation(id, 'Canceled');

    const result = await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: attemptOperationId(id, 1), alreadyAccepted: false, delivered: false });
    expect(fake.deliveries.map((d) => d.operationId)).toEqual([attemptOperationId(id, 1)]);

    // And a later retry walks the chain to that acceptance rather than sending a third time.
    const again = await transportFor(fake).accept(email, { operationId: id, mayHaveBeenSent: true });
    expect(again).toEqual({ messageId: attemptOperationId(id, 1), alreadyAccepted: true, delivered: false });
    expect(fake.deliveries).toHaveLength(1);
  });

  it('derives distinct, stable UUIDs for attempts', () => {
    const id = randomUUID();
    const ids = [0, 1, 2, 3].map((n) => attemptOperationId(id, n));
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toBe(id);
    expect(attemptOperationId(id, 2)).toBe(ids[2]);
    for (const derived of ids) expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('says which settings are missing', () => {
    expect(() => createAcsTransport({ ACS_CONNECTION_STRING: undefined, ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined })).toThrow(
      /ACS_ENDPOINT.*ACS_CONNECTION_STRING/,
    );
  });
});
