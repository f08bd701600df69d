/**
 * AcsTransport (accept: POST /emails:send → 202, and the takeover's status walk) on the app's
 * signed pipeline against FakeAcs, a local endpoint with the ACS wire format and HMAC signing.
 * Every assertion counts deliveries or requests at the fake: deliveries are the ground truth
 * for "exactly once".
 */
import { createCommunicationAuthPolicy } from '@azure/communication-common';
import { AzureKeyCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createEmptyPipeline, createPipelineRequest } from '@azure/core-rest-pipeline';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { attemptOperationId } from '../../shared/transport/acs/attemptIds.js';
import { createPacers } from '../../shared/transport/acs/pacer.js';
import { createAcsTransport, type AcsTransportOptions } from '../../shared/transport/acsTransport.js';
import { PermanentSendError, QuotaExceededError, type Message } from '../../shared/transport/transport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import type { OutgoingEmail } from '../../shared/render/email.js';
import type { FakeAcs } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { lostAnswers } from '../support/faultsServices.js';

const email: OutgoingEmail = {
  notification: 'approvalRequest',
  subject: 'PIM: Alex Wilber requests approval for the Global Administrator role',
  html: '<p>Approve or deny</p>',
  text: 'Approve or deny',
  from: { address: 'pim-noreply@contoso.example', displayName: 'Privileged Identity Management' },
  to: { address: 'megan@contoso.example', displayName: 'Megan Bowen' },
  headers: { 'X-PIM-Event-Id': 'evt-1' },
};
const message: Message = personalMessage(email);

const startFake = fakeAcsPerTest();

/** Fast retries; Retry-After from the fake is honoured by the app's pacer. */
function transportFor(fake: FakeAcs, options: AcsTransportOptions & { accessKey?: string; maxRetries?: number } = {}) {
  const { accessKey, maxRetries = 3, clientOptions, ...rest } = options;
  return createAcsTransport(
    { ACS_CONNECTION_STRING: fake.connectionString(accessKey), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
    {
      clientOptions: {
        allowInsecureConnection: true,
        retryOptions: { maxRetries, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
        ...clientOptions,
      },
      ...rest,
    },
  );
}

describe('AcsTransport: accepting', () => {
  it('posts one signed message with the email as ACS expects it, and is done at the 202 (nothing polled)', async () => {
    const fake = await startFake({ pollsUntilDone: 2 });
    const id = randomUUID();
    const result = await transportFor(fake).accept(message, { operationId: id, mayHaveBeenSent: false });

    expect(result).toEqual({ messageId: id, alreadyAccepted: false, delivered: false });
    expect(fake.deliveries).toHaveLength(1);
    expect(fake.deliveries[0]).toEqual({
      operationId: id,
      message: {
        senderAddress: 'pim-noreply@contoso.example',
        recipients: { to: [{ address: 'megan@contoso.example', displayName: 'Megan Bowen' }] },
        content: { subject: email.subject, plainText: 'Approve or deny', html: '<p>Approve or deny</p>' },
        headers: { 'X-PIM-Event-Id': 'evt-1', 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        userEngagementTrackingDisabled: true,
      },
    });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    // Accepted at ACS's 202: the operation is not polled (its outcome comes as delivery reports).
    expect(fake.count('GET', '/emails/operations/')).toBe(0);
  });

  it('is rejected with a wrong access key, and nothing is delivered', async () => {
    const fake = await startFake();
    const transport = transportFor(fake, { accessKey: randomBytes(32).toString('base64') });

    const error = await transport.accept(message, { operationId: randomUUID(), mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentSendError);
    expect((error as Error).message).toMatch(/401 \(Denied\).*check the access key/);
    expect(fake.deliveries).toHaveLength(0);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('the fake checks the signed content hash: a body changed after signing is rejected', async () => {
    const fake = await startFake();
    const post = async (tamper: boolean) => {
      const pipeline = createEmptyPipeline();
      pipeline.addPolicy(createCommunicationAuthPolicy(new AzureKeyCredential(fake.accessKey)));
      // Runs after signing, as a man in the middle would.
      if (tamper)
        pipeline.addPolicy({ name: 'tamper', sendRequest: (req, next) => next(Object.assign(req, { body: `${String(req.body)} ` })) });
      const body = JSON.stringify({
        senderAddress: 'a@contoso.example',
        content: { subject: 's', plainText: 't' },
        recipients: { to: [{ address: 'b@contoso.example' }] },
      });
      const request = createPipelineRequest({
        url: `${fake.endpoint}/emails:send?api-version=2025-09-01`,
        method: 'POST',
        body,
        allowInsecureConnection: true,
      });
      return (await pipeline.sendRequest(createDefaultHttpClient(), request)).status;
    };
    expect(await post(true)).toBe(401);
    expect(fake.deliveries).toHaveLength(0);
    expect(await post(false)).toBe(202);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('refuses an operationId that is not a UUID before calling ACS', async () => {
    const fake = await startFake();
    await expect(transportFor(fake).accept(message, { operationId: 'evt-1/megan', mayHaveBeenSent: false })).rejects.toThrow(/not a UUID/);
    expect(fake.requests).toHaveLength(0);
  });

  it('rides out a 429 burst by pausing for Retry-After each time: paced, delivered once', async () => {
    const fake = await startFake();
    fake.throttleNextSends(2, 1);
    const pacers = createPacers();
    const started = performance.now();
    const result = await transportFor(fake, { pacers }).accept(message, { operationId: randomUUID(), mayHaveBeenSent: false });

    expect(result.alreadyAccepted).toBe(false);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([429, 429, 202]);
    // Each 429 paused every send for its Retry-After (1 s) before the next try.
    expect(pacers.send.throttled).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('throws QuotaExceededError when the pause outlasts the budget; the queue retry after it delivers once', async () => {
    const fake = await startFake();
    fake.throttleNextSends(1, 30);
    // The pacer's clock, moved forward below as the queue's wait would.
    let skipped = 0;
    const pacers = createPacers(() => performance.now() + skipped);
    const transport = transportFor(fake, { pacers, throttleBudgetMs: 200 });
    const id = randomUUID();

    const error = await transport.accept(message, { operationId: id, mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as QuotaExceededError).retryAfterMs).toBeGreaterThan(29_000);
    expect((error as QuotaExceededError).retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(fake.deliveries).toHaveLength(0);
    // Within the pause no send is even tried.
    await expect(transport.accept(message, { operationId: id, mayHaveBeenSent: true })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(fake.count('POST', '/emails:send')).toBe(1);

    // The message waits on the queue for retryAfterMs; its retry finds nothing at ACS and sends.
    skipped = 30_000;
    const result = await transport.accept(message, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: id, alreadyAccepted: false, delivered: false });
    expect(fake.deliveries).toHaveLength(1);
  });

  it('retries a 500 from ACS inside the client and delivers once', async () => {
    const fake = await startFake();
    fake.failNextSendsWith500(1);
    await transportFor(fake).accept(message, { operationId: randomUUID(), mayHaveBeenSent: false });
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([500, 202]);
    expect(fake.deliveries).toHaveLength(1);
  });
});

describe('AcsTransport: what the takeover finds', () => {
  it('an attempt that ended Failed: the takeover sends under the next attempt id, once', async () => {
    // Final at the first status read.
    const fake = await startFake({ pollsUntilDone: 0 });
    fake.failNextOperation('InternalError', 'Transient failure');
    const lines: string[] = [];
    const transport = transportFor(fake, { log: (level, line) => lines.push(`${level} ${line}`) });
    const id = randomUUID();

    // ACS took it (202); that it then failed is not known at the acceptance.
    expect(await transport.accept(message, { operationId: id, mayHaveBeenSent: false })).toEqual({
      messageId: id,
      alreadyAccepted: false,
      delivered: false,
    });
    expect(fake.deliveries).toHaveLength(0);

    const result = await transport.accept(message, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: attemptOperationId(id, 1), alreadyAccepted: false, delivered: false });
    expect(fake.deliveries.map((d) => d.operationId)).toEqual([attemptOperationId(id, 1)]);
    expect(lines.some((l) => l.startsWith('warn') && /ended Failed \(InternalError\); trying attempt 1/.test(l))).toBe(true);
  });

  it('throws PermanentSendError when ACS says the recipient is suppressed, and never sends again', async () => {
    const fake = await startFake({ pollsUntilDone: 0 });
    fake.failNextOperation('EmailDroppedAllRecipientsSuppressed', 'All recipients are suppressed');
    const transport = transportFor(fake);
    const id = randomUUID();

    await transport.accept(message, { operationId: id, mayHaveBeenSent: false });
    // A retry that looks the operation up reaches the verdict instead of sending again, every time.
    await expect(transport.accept(message, { operationId: id, mayHaveBeenSent: true })).rejects.toBeInstanceOf(PermanentSendError);
    await expect(transport.accept(message, { operationId: id, mayHaveBeenSent: true })).rejects.toBeInstanceOf(PermanentSendError);
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(0);
  });

  it('the 202 lost on the way back: the send fails as retryable, and the takeover finds it accepted and sends nothing again', async () => {
    const fake = await startFake();
    // No client retry: the lost answer reaches the caller, which cannot tell whether ACS took the message.
    const transport = transportFor(fake, { maxRetries: 0, clientOptions: { httpClient: lostAnswers(createDefaultHttpClient(), 1) } });
    const id = randomUUID();

    const error = await transport.accept(message, { operationId: id, mayHaveBeenSent: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentSendError);
    expect(error).not.toBeInstanceOf(QuotaExceededError);

    const result = await transport.accept(message, { operationId: id, mayHaveBeenSent: true });
    expect(result).toEqual({ messageId: id, alreadyAccepted: true, delivered: false });
    expect(fake.count('POST', '/emails:send')).toBe(1);
    expect(fake.deliveries).toHaveLength(1);
  });

  it('the 202 lost and the client retries the send: the same Operation-Id, delivered once', async () => {
    const fake = await startFake();
    const result = await transportFor(fake, { clientOptions: { httpClient: lostAnswers(createDefaultHttpClient(), 1) } }).accept(message, {
      operationId: randomUUID(),
      mayHaveBeenSent: false,
    });

    expect(result.alreadyAccepted).toBe(false);
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => [r.status, r.operationId])).toEqual([
      [202, result.messageId],
      [202, result.messageId],
    ]);
    expect(fake.deliveries).toHaveLength(1);
  });
});
