/**
 * The local ACS is as strict as the Email REST spec (2025-09-01, fakeAcsContract.ts): a request
 * Microsoft's contract does not allow gets 400 in the spec's error shape, `{"error": {"code",
 * "message"}}` with the code again in `x-ms-error-code`; and the app's own requests, built by
 * the production transport, pass every check.
 */
import { createCommunicationAuthPolicy } from '@azure/communication-common';
import { AzureKeyCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createEmptyPipeline, createPipelineRequest } from '@azure/core-rest-pipeline';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toWireEmail } from '../../shared/transport/acsTransport.js';
import { ACS_EMAIL_API_VERSION } from '../../shared/transport/acs/operationStatus.js';
import type { FakeAcs } from '../support/fakeAcs.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';

const startFake = fakeAcsPerTest();

const valid = {
  senderAddress: 'DoNotReply@contoso.example',
  content: { subject: 'Subject', plainText: 'Text', html: '<p>Html</p>' },
  recipients: { to: [{ address: 'megan@contoso.example' }] },
};

async function call(
  fake: FakeAcs,
  options: { method?: 'GET' | 'POST'; path?: string; query?: string; body?: unknown; operationId?: string | null },
): Promise<{ status: number; code: string | undefined; header: string | undefined }> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(createCommunicationAuthPolicy(new AzureKeyCredential(fake.accessKey)));
  const method = options.method ?? 'POST';
  const request = createPipelineRequest({
    url: `${fake.endpoint}${options.path ?? '/emails:send'}${options.query ?? `?api-version=${ACS_EMAIL_API_VERSION}`}`,
    method,
    ...(method === 'POST' ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body ?? valid) } : {}),
    allowInsecureConnection: true,
  });
  if (method === 'POST') request.headers.set('content-type', 'application/json');
  if (options.operationId !== null) request.headers.set('operation-id', options.operationId ?? randomUUID());
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  const code = response.status >= 400 ? (JSON.parse(response.bodyAsText ?? '{}') as { error?: { code?: string } }).error?.code : undefined;
  return { status: response.status, code, header: response.headers.get('x-ms-error-code') };
}

describe('the local ACS enforces the Email REST spec', () => {
  it('takes a request as the spec writes it, and the production transport writes its requests so', async () => {
    const fake = await startFake();
    expect((await call(fake, {})).status).toBe(202);
    expect((await call(fake, { operationId: null })).status, 'Operation-Id is optional').toBe(202);
    const wire = toWireEmail({
      notification: 'n',
      subject: 's',
      html: '<p>h</p>',
      text: 't',
      from: { address: 'DoNotReply@contoso.example' },
      to: [],
      bcc: [{ address: 'a@contoso.example' }, { address: 'b@contoso.example' }],
    });
    expect(wire.recipients.to, 'To is always sent (required)').toEqual([]);
    expect((await call(fake, { body: wire })).status).toBe(202);
  });

  const refused: [string, Parameters<typeof call>[1]][] = [
    ['no api-version', { query: '' }],
    ['an api-version ACS does not publish', { query: '?api-version=2099-01-01' }],
    ['an Operation-Id that is not a UUID', { operationId: 'event-1' }],
    ['a body that is not JSON', { body: '{not json' }],
    ['no senderAddress', { body: { ...valid, senderAddress: undefined } }],
    ['no content', { body: { ...valid, content: undefined } }],
    ['no content.subject', { body: { ...valid, content: { plainText: 'Text' } } }],
    ['neither plainText nor html', { body: { ...valid, content: { subject: 'Subject' } } }],
    ['no recipients', { body: { ...valid, recipients: undefined } }],
    [
      'recipients without to (EmailRecipients requires it)',
      { body: { ...valid, recipients: { bcc: [{ address: 'a@contoso.example' }] } } },
    ],
    ['an address without address', { body: { ...valid, recipients: { to: [{ displayName: 'Megan' }] } } }],
    [
      'more than 50 recipients',
      { body: { ...valid, recipients: { to: Array.from({ length: 51 }, (_, i) => ({ address: `a${i}@contoso.example` })) } } },
    ],
    ['a status read without api-version', { method: 'GET', path: `/emails/operations/${randomUUID()}`, query: '' }],
  ];
  for (const [what, request] of refused) {
    it(`answers 400 in the spec's error shape to ${what}`, async () => {
      const fake = await startFake();
      const { status, code, header } = await call(fake, request);
      expect(status).toBe(400);
      expect(code).toMatch(/\w+/);
      expect(header, 'x-ms-error-code repeats the body code').toBe(code);
      expect(fake.deliveries).toHaveLength(0);
    });
  }

  it('to: [] with everyone in Bcc: documented nowhere, so switchable', async () => {
    const body = { ...valid, recipients: { to: [], bcc: [{ address: 'a@contoso.example' }] } };
    expect((await call(await startFake({ emptyTo: 'accept' }), { body })).status).toBe(202);
    const refusing = await call(await startFake({ emptyTo: 'refuse' }), { body });
    expect(refusing).toMatchObject({ status: 400, code: 'InvalidRecipients' });
  });
});
