/**
 * Every message says it is automated (RFC 3834 Auto-Submitted, Exchange's X-Auto-Response-
 * Suppress), through the outbox's RFC 5322 file as well as ACS's request body, and an email's
 * own headers cannot take those back.
 */
import { describe, expect, it } from 'vitest';
import { toEml } from '../../shared/transport/mime.js';
import { toWireEmail } from '../../shared/transport/acsTransport.js';
import { renderNotification } from '../../shared/render/render.js';
import { parseMessage } from '../support/mimeParse.js';
import { modelFor, RENDER } from '../support/renderFixtures.js';

const rendered = renderNotification(modelFor('approvalRequest'), RENDER);
const from = { address: 'pim-noreply@contoso.example' };
const to = { address: 'zoe@contoso.example' };

describe('automated-message headers', () => {
  it('are in the outbox file', async () => {
    const eml = await toEml(
      { ...rendered, from, to, headers: { 'X-PIM-Event-Id': 'e1', 'auto-submitted': 'no' } },
      { messageId: 'op-1', date: new Date(0) },
    );
    const h = parseMessage(eml).headers;
    expect(h.get('auto-submitted')).toBe('auto-generated');
    expect(h.get('x-auto-response-suppress')).toBe('All');
    expect(h.get('x-pim-event-id')).toBe('e1');
  });

  it('are in the ACS request body, for a personal and a shared message', () => {
    for (const message of [
      { ...rendered, from, to: [to], bcc: [] },
      { ...rendered, from, to: [], bcc: [to, { address: 'lee@contoso.example' }], headers: { 'X-PIM-Event-Id': 'e1' } },
    ]) {
      const wire = toWireEmail(message);
      expect(wire.headers).toMatchObject({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
    }
  });
});
