/** The threading headers on both transports: the outbox writes them into the .eml, ACS gets them as custom headers (the REST body, toWireEmail). */
import { describe, expect, it } from 'vitest';
import { toWireEmail } from '../../shared/transport/acsTransport.js';
import { AUTOMATED_MESSAGE_HEADERS } from '../../shared/transport/transport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import type { OutgoingEmail } from '../../shared/render/email.js';
import { HeaderValueError, toEml } from '../../shared/transport/mime.js';
import { renderNotification } from '../../shared/render/render.js';
import { threadOf } from '../../shared/planning/threading.js';
import { EVENTS, modelFor, RENDER } from '../support/renderFixtures.js';
import { parseMessage } from '../support/mimeParse.js';

const DATE = new Date('2026-11-23T10:00:05Z');
const OP = '6f1c3a52-8d4e-5b7a-9c2f-1e0d3b4a5c6d';

function outgoing(headers: Record<string, string>): OutgoingEmail {
  return {
    ...renderNotification(modelFor('requestDecision'), RENDER),
    from: { address: 'pim-noreply@contoso.example' },
    to: { address: 'megan@contoso.example' },
    headers,
  };
}

describe('threading headers', () => {
  it('gives the opening email the root id and the others their own id with In-Reply-To and References to it', () => {
    const opening = threadOf(EVENTS.approvalRequest, 'Megan@Contoso.example', OP, 'pim@contoso.example');
    const decision = threadOf(EVENTS.requestDecision, 'megan@contoso.example', OP, 'pim@contoso.example');
    const root = opening.headers['Message-ID']!;
    expect(root).toMatch(/^<thread\.[0-9a-f]{40}@contoso\.example>$/);
    expect(decision.headers).toEqual({ 'Message-ID': `<${OP}@contoso.example>`, 'In-Reply-To': root, References: root });
    // Another recipient of the same request: another thread (a Message-ID is never shared between people).
    expect(threadOf(EVENTS.approvalRequest, 'alain@contoso.example', OP, 'pim@contoso.example').headers['Message-ID']).not.toBe(root);
    // No request: only its own Message-ID.
    expect(threadOf(EVENTS.pimEnabled, 'megan@contoso.example', OP, 'pim@contoso.example').headers).toEqual({
      'Message-ID': `<${OP}@contoso.example>`,
    });
  });

  it('writes the given Message-ID, In-Reply-To and References into the .eml and refuses malformed ones', async () => {
    const root = '<thread.abc@contoso.example>';
    const message = parseMessage(
      await toEml(outgoing({ 'Message-ID': `<${OP}@contoso.example>`, 'In-Reply-To': root, References: root }), {
        messageId: OP,
        date: DATE,
      }),
    );
    expect(message.headers.get('message-id')).toBe(`<${OP}@contoso.example>`);
    expect(message.headers.get('in-reply-to')).toBe(root);
    expect(message.headers.get('references')).toBe(root);
    await expect(toEml(outgoing({ References: 'thread.abc@contoso.example' }), { messageId: OP, date: DATE })).rejects.toThrow(
      HeaderValueError,
    );
    await expect(toEml(outgoing({ 'Message-ID': '<a@b> x' }), { messageId: OP, date: DATE })).rejects.toThrow(HeaderValueError);
  });

  it('passes them to ACS as custom headers', () => {
    const headers = {
      'Message-ID': `<${OP}@contoso.example>`,
      'In-Reply-To': '<thread.abc@contoso.example>',
      References: '<thread.abc@contoso.example>',
    };
    expect(toWireEmail(personalMessage(outgoing(headers))).headers).toEqual({ ...headers, ...AUTOMATED_MESSAGE_HEADERS });
  });
});
