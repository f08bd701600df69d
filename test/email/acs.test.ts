/**
 * AcsEmailSender through the real @azure/communication-email client against FakeAcs, a local
 * endpoint with the ACS wire format and HMAC signing. Every assertion counts deliveries or
 * requests at the fake: deliveries are the ground truth for "exactly once".
 */
import { createCommunicationAuthPolicy } from '@azure/communication-common';
import { AzureKeyCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createEmptyPipeline, createPipelineRequest } from '@azure/core-rest-pipeline';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { createAcsEmailSender, SendThrottledError, type AcsSenderOptions } from '../../shared/transport/acsTransport.js';
import { PermanentSendError, type OutgoingEmail } from '../../shared/email/email.js';
import type { FakeAcs } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';

const email: OutgoingEmail = {
  notification: 'approvalRequest',
  subject: 'PIM: Alex Wilber requests approval for the Global Administrator role',
  html: '<p>Approve or deny</p>',
  text: 'Approve or deny',
  from: { address: 'pim-noreply@contoso.example', displayName: 'Privileged Identity Management' },
  to: { address: 'megan@contoso.example', displayName: 'Megan Bowen' },
  headers: { 'X-PIM-Event-Id': 'evt-1' },
};

const startFake = fakeAcsPerTest();

/** Fast polls and retries; Retry-After from the fake is still honoured by the SDK. */
function senderFor(fake: FakeAcs, options: AcsSenderOptions & { accessKey?: string; maxRetries?: number } = {}) {
  const { accessKey, maxRetries = 3, ...rest } = options;
  return createAcsEmailSender(
    { ACS_CONNECTION_STRING: fake.connectionString(accessKey), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    {
      clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 } },
      pollIntervalMs: 10,
      ...rest,
    },
  );
}

describe('AcsEmailSender: sending', () => {
  it('delivers one signed message with the email as ACS expects it', async () => {
    const fake = await startFake({ pollsUntilDone: 2 });
    const id = randomUUID();
    const result = await senderFor(fake).send(email, { operationId: id, mayHaveBeenSent: false });

    expect(result).toEqual({ messageId: id, alreadySent: false });
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.deliveries[0]).toEqual({
      operationId: id,
      message: {
        senderAddress: 'pim-noreply@contoso.example',
        recipients: { to: [{ address: 'megan@contoso.example', displayName: 'Megan Bowen' }] },
        content: { subject: email.subject, plainText: 'Approve or deny', html: '<p>Approve or deny</p>' },
        headers: { 'X-PIM-Event-Id': 'evt-1' },
        userEngagementTrackingDisabled: true,
      },
    });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    // Polled until Succeeded: two Running answers, then the final one.
    expect(fake.count('GET', '/emails/operations/')).toBe(3);
  });

  it('is rejected with a wrong access key, and nothing is delivered', async () => {
    const fake = await startFake();
    const sender = senderFor(fake, { accessKey: randomBytes(32).toString('base64') });

    const error = await sender.send(email, { operationId: randomUUID(), mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentSendError);
    expect((error as Error).message).toMatch(/denied.*401.*ACS_CONNECTION_STRING/);
    expect(fake.deliveries).toHaveLength(0);
    expect(fake.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('the fake checks the signed content hash: a body changed after signing is rejected', async () => {
    const fake = await startFake();
    const post = async (tamper: boolean) => {
      const pipeline = createEmptyPipeline();
      pipeline.addPolicy(createCommunicationAuthPolicy(new AzureKeyCredential(fake.accessKey)));
      // Runs after signing, as a man in the middle would.
      if (tamper) pipeline.addPolicy({ name: 'tamper', sendRequest: (req, next) => next(Object.assign(req, { body: `${String(req.body)} ` })) });
      const body = JSON.stringify({ senderAddress: 'a@contoso.example', content: { subject: 's', plainText: 't' }, recipients: { to: [{ address: 'b@contoso.example' }] } });
      const request = createPipelineRequest({ url: `${fake.endpoint}/emails:send?api-version=2025-09-01`, method: 'POST', body, allowInsecureConnection: true });
      return (await pipeline.sendRequest(createDefaultHttpClient(), request)).status;
    };
    expect(await post(true)).toBe(401);
    expect(fake.deliveries).toHaveLength(0);
    expect(await post(false)).toBe(202);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('refuses an operationId that is not a UUID before calling ACS', async () => {
    const fake = await startFake();
    await expect(senderFor(fake).send(email, { operationId: 'evt-1/megan', mayHaveBeenSent: false })).rejects.toThrow(/not a UUID/);
    expect(fake.requests).toHaveLength(0);
  });

  it('rides out a 429 burst within the client retries: delayed, delivered once', async () => {
    const fake = await startFake();
    fake.throttleNextSends(2, 1);
    const result = await senderFor(fake).send(email, { operationId: randomUUID(), mayHaveBeenSent: false });

    expect(result.alreadySent).toBe(false);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 429, 202]);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('throws SendThrottledError when throttling outlasts the retries; the queue retry then delivers once', async () => {
    const fake = await startFake();
    fake.throttleNextSends(3, 1);
    const sender = senderFor(fake, { maxRetries: 1 });
    const id = randomUUID();

    const error = await sender.send(email, { operationId: id, mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendThrottledError);
    expect((error as SendThrottledError).retryAfterMs).toBe(1000);
    expect(fake.deliveries).toHaveLength(0);

    // The message stays on the queue; its retry finds nothing at ACS and sends.
    const result = await sender.send(email, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: id, alreadySent: false });
    expect(fake.deliveries).toHaveLength(1);
  });

  it('retries a 500 from ACS inside the client and delivers once', async () => {
    const fake = await startFake();
    fake.failNextSendsWith500(1);
    await senderFor(fake).send(email, { operationId: randomUUID(), mayHaveBeenSent: false });
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([500, 202]);
    expect(fake.deliveries).toHaveLength(1);
  });
});

describe('AcsEmailSender: outcomes other than Succeeded', () => {
  it('throws a retryable error on Failed; the retry sends under a new attempt id, once', async () => {
    const fake = await startFake();
    fake.failNextOperation('InternalError', 'Transient failure');
    const sender = senderFor(fake);
    const id = randomUUID();

    const error = await sender.send(email, { operationId: id, mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentSendError);
    expect((error as Error).message).toMatch(/Failed \(InternalError\)/);
    expect(fake.deliveries).toHaveLength(0);

    const result = await sender.send(email, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: attemptOperationId(id, 1), alreadySent: false });
    expect(fake.deliveries.map((d) => d.operationId)).toEqual([attemptOperationId(id, 1)]);
  });

  it('throws PermanentSendError when ACS says the recipient is suppressed', async () => {
    const fake = await startFake();
    fake.failNextOperation('EmailDroppedAllRecipientsSuppressed', 'All recipients are suppressed');
    const sender = senderFor(fake);
    const id = randomUUID();

    await expect(sender.send(email, { operationId: id, mayHaveBeenSent: false })).rejects.toBeInstanceOf(PermanentSendError);
    // A retry that looks the operation up reaches the same verdict instead of sending again.
    await expect(sender.send(email, { operationId: id, mayHaveBeenSent: true })).rejects.toBeInstanceOf(PermanentSendError);
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(0);
  });

  it('does not take a 202 without operation-location as sent; the retry finds it delivered', async () => {
    const fake = await startFake();
    fake.omitOperationLocation(1);
    const sender = senderFor(fake);
    const id = randomUUID();

    await expect(sender.send(email, { operationId: id, mayHaveBeenSent: false })).rejects.toThrow(/not counted as sent/);
    const result = await sender.send(email, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: id, alreadySent: true });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });
});
