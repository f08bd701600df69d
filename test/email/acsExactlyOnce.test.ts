/**
 * Crash recovery: the delivery ledger saw a claim but no outcome, so the retry passes
 * mayHaveBeenSent and AcsEmailSender must ask ACS before sending. Deliveries counted at
 * FakeAcs are the ground truth.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { AcsEmailSender, createAcsEmailSender, type AcsSenderOptions } from '../../shared/transport/acsTransport.js';
import type { OutgoingEmail } from '../../shared/email/email.js';
import type { FakeAcs } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';

const email: OutgoingEmail = {
  notification: 'activationCompleted',
  subject: 'PIM: Alex Wilber activated the Security Administrator role',
  html: '<p>Activated</p>',
  text: 'Activated',
  from: { address: 'pim-noreply@contoso.example' },
  to: { address: 'alex@contoso.example' },
};

const startFake = fakeAcsPerTest();

function senderFor(fake: FakeAcs, options: AcsSenderOptions = {}): AcsEmailSender {
  return createAcsEmailSender(
    { ACS_CONNECTION_STRING: fake.connectionString(), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    { clientOptions: { allowInsecureConnection: true, retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } }, pollIntervalMs: 10, ...options },
  );
}

describe('AcsEmailSender: exactly once across crashes', () => {
  it('send succeeded, outcome forgotten, retried with mayHaveBeenSent: one delivery', async () => {
    const fake = await startFake();
    const id = randomUUID();
    await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: false });
    // The worker dies before the ledger write; another worker picks the message up.
    const retry = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: true });

    expect(retry).toEqual({ messageId: id, alreadySent: true });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('the same operation id sent again even without mayHaveBeenSent is not delivered twice', async () => {
    const fake = await startFake();
    const id = randomUUID();
    await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: false });
    await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: false });
    expect(fake.count('POST', '/emails:send')).toBe(2);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('mayHaveBeenSent but ACS never heard of it (404): sends once', async () => {
    const fake = await startFake();
    const id = randomUUID();
    const result = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: true });

    expect(result).toEqual({ messageId: id, alreadySent: false });
    expect(fake.requests.filter((r) => r.method === 'GET' && r.status === 404)).toHaveLength(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('an earlier attempt still running: waits for it instead of sending again', async () => {
    const fake = await startFake({ pollsUntilDone: 3 });
    const id = randomUUID();
    fake.slowPolls(100);
    // The first worker gives up waiting (maxWaitMs) while ACS is still working on it.
    await expect(senderFor(fake, { maxWaitMs: 20 }).send(email, { operationId: id, mayHaveBeenSent: false })).rejects.toThrow(
      /did not finish.*retry will ask ACS/,
    );
    fake.slowPolls(0);

    const retry = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: true });
    expect(retry).toEqual({ messageId: id, alreadySent: true });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('an earlier attempt Canceled: sends again under the next attempt id, once', async () => {
    const fake = await startFake();
    const id = randomUUID();
    fake.seedOperation(id, 'Canceled');

    const result = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: attemptOperationId(id, 1), alreadySent: false });
    expect(fake.deliveries.map((d) => d.operationId)).toEqual([attemptOperationId(id, 1)]);

    // And a later retry walks the chain to that success rather than sending a third time.
    const again = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: true });
    expect(again).toEqual({ messageId: attemptOperationId(id, 1), alreadySent: true });
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
    expect(() => createAcsEmailSender({ ACS_CONNECTION_STRING: undefined, ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined })).toThrow(
      /ACS_ENDPOINT.*ACS_CONNECTION_STRING/,
    );
  });
});
