import { describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../../shared/render/email.js';
import { HeaderValueError, toEml } from '../../shared/transport/mime.js';
import { renderNotification } from '../../shared/render/render.js';
import { decodeHeader, parseMessage } from '../support/mimeParse.js';
import { modelFor, RENDER } from '../support/renderFixtures.js';

function outgoing(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  const rendered = renderNotification(modelFor('approvalRequest', { recipientName: 'Zoë Ünal' }), RENDER);
  return {
    ...rendered,
    from: { address: 'pim-noreply@contoso.example', displayName: 'Privileged Identity Management' },
    to: { address: 'zoe@contoso.example', displayName: 'Zoë Ünal' },
    headers: { 'X-PIM-Event-Id': 'e-approval', 'X-PIM-Notification': 'approvalRequest' },
    ...overrides,
  };
}

const DATE = new Date('2026-11-23T10:00:05Z');

describe('toEml', () => {
  it('writes RFC 5322 headers: From, To, Subject, a Message-ID from the id, Date, MIME-Version and the extra headers', async () => {
    const email = outgoing();
    const message = parseMessage(await toEml(email, { messageId: 'op-123', date: DATE }));
    const h = message.headers;
    expect(h.get('from')).toBe('Privileged Identity Management <pim-noreply@contoso.example>');
    expect(decodeHeader(h.get('to')!)).toBe('Zoë Ünal <zoe@contoso.example>');
    expect(decodeHeader(h.get('subject')!)).toBe(email.subject);
    expect(h.get('message-id')).toBe('<op-123@contoso.example>');
    expect(h.get('date')).toBe('Mon, 23 Nov 2026 10:00:05 +0000');
    expect(h.get('mime-version')).toBe('1.0');
    expect(h.get('x-pim-event-id')).toBe('e-approval');
    expect(h.get('x-pim-notification')).toBe('approvalRequest');
  });

  it('is multipart/alternative with the text part first and the HTML part last, both UTF-8', async () => {
    const email = outgoing();
    const raw = await toEml(email, { messageId: 'op-123', date: DATE });
    const message = parseMessage(raw);
    expect(message.headers.get('content-type')).toMatch(/^multipart\/alternative; boundary=/);
    expect(message.boundary).toBeTruthy();
    expect(raw.toString('latin1')).toContain(`\r\n--${message.boundary}--`);
    expect(message.parts.map((p) => p.headers.get('content-type'))).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
    expect(message.parts[0]!.body).toBe(email.text.replace(/\n/g, '\r\n'));
    expect(message.parts[1]!.body).toBe(email.html.replace(/\n/g, '\r\n'));
    expect(message.parts[0]!.body).toContain('Hello Zoë Ünal,');
  });

  it('uses CRLF line ends only and is the same bytes for the same id and date', async () => {
    const a = await toEml(outgoing(), { messageId: 'op-123', date: DATE });
    const b = await toEml(outgoing(), { messageId: 'op-123', date: DATE });
    expect(a.equals(b)).toBe(true);
    expect(a.toString('latin1')).not.toMatch(/[^\r]\n/);
  });

  it('rejects an extra header value with a line break, and extra headers that would replace its own', async () => {
    await expect(
      toEml(outgoing({ headers: { 'X-PIM-Event-Id': 'a\r\nBcc: x@evil.example' } }), { messageId: 'op', date: DATE }),
    ).rejects.toThrow(HeaderValueError);
    await expect(toEml(outgoing({ headers: { 'X-Test': 'a\nb' } }), { messageId: 'op', date: DATE })).rejects.toThrow(HeaderValueError);
    await expect(toEml(outgoing({ headers: { Subject: 'other' } }), { messageId: 'op', date: DATE })).rejects.toThrow(HeaderValueError);
    await expect(toEml(outgoing({ headers: { 'Bad Name': 'x' } }), { messageId: 'op', date: DATE })).rejects.toThrow(HeaderValueError);
  });

  it('keeps a subject with a line break on one header line', async () => {
    const raw = await toEml(outgoing({ subject: 'PIM: a\r\nBcc: victim@example.com' }), { messageId: 'op', date: DATE });
    const message = parseMessage(raw);
    expect(message.headers.has('bcc')).toBe(false);
    expect(decodeHeader(message.headers.get('subject')!)).toBe('PIM: a Bcc: victim@example.com');
  });

  it('hashes an id that cannot be a Message-ID left part', async () => {
    const message = parseMessage(await toEml(outgoing(), { messageId: 'a b<c>@d', date: DATE }));
    expect(message.headers.get('message-id')).toMatch(/^<[0-9a-f]{40}@contoso\.example>$/);
  });
});
