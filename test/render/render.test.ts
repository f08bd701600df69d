import { describe, expect, it } from 'vitest';
import { renderNotification } from '../../shared/render/render.js';
import { NOTIFICATION_KINDS } from '../../shared/rules/notifications.js';
import { EVENTS, event, modelFor, RENDER } from '../support/renderFixtures.js';

const EVENT_KINDS = NOTIFICATION_KINDS.filter((k) => k !== 'weeklyDigest');

describe('renderNotification', () => {
  it.each(EVENT_KINDS)('renders %s with a PIM: subject, an HTML and a text part that agree', (kind) => {
    const email = renderNotification(modelFor(kind), RENDER);
    expect(email.notification).toBe(kind);
    expect(email.subject).toMatch(/^PIM: \S/);
    const heading = email.subject.slice('PIM: '.length);
    expect(email.html).toContain(`<h1`);
    expect(email.text.startsWith(heading)).toBe(true);
    // The footer says why, in both parts.
    expect(email.html).toContain('You received this because you are an eligible Global Administrator in Contoso.');
    expect(email.text).toContain('You received this because you are an eligible Global Administrator in Contoso.');
    // One call to action, to the Azure portal, in both parts.
    const links = [...email.html.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^https:\/\/portal\.azure\.com\/#view\/Microsoft_Azure_PIMCommon\//);
    expect(email.text).toContain(links[0]);
  });

  it('has a built-in template for every event kind and no two kinds share a subject', () => {
    const subjects = EVENT_KINDS.map((kind) => renderNotification(modelFor(kind), RENDER).subject);
    expect(new Set(subjects).size).toBe(EVENT_KINDS.length);
  });

  it('writes the seed example subject exactly', () => {
    expect(renderNotification(modelFor('assignmentAlert'), RENDER).subject).toBe(
      'PIM: Alain Charon was permanently assigned the Backup Reader role',
    );
  });

  it.each([
    ['approvalRequest', 'PIM: Megan Bowen requests approval to activate the Exchange Administrator role'],
    ['expiryReminder', 'PIM: Your Backup Reader role expires in 14 days'],
    ['activationNotice', 'PIM: Your Exchange Administrator role is active until Mon 23 Nov 2026 18:00 UTC'],
    ['assignmentNotice', 'PIM: You were made eligible for the Backup Reader role until Fri 1 Jan 2027'],
    ['requestDecision', 'PIM: Your request to activate the Exchange Administrator role was approved'],
    ['requestDecisionAlert', "PIM: Isaiah Langer denied Megan Bowen's request to activate the Exchange Administrator role"],
  ] as const)('words the %s subject from the event', (kind, subject) => {
    expect(renderNotification(modelFor(kind), RENDER).subject).toBe(subject);
  });

  it('says 1 day for the last reminder, counting from occurredAt and rounding', () => {
    const e = event({
      id: 'e-1day',
      type: 'roleExpiringSoon',
      occurredAt: '2026-12-06T10:03:00Z',
      scope: EVENTS.expiryReminder.scope,
      role: { id: 'a795c7a0-d4a2-40c1-ae25-d81f01202912', displayName: 'Backup Reader' },
      principal: { id: '1c9e4d3b-2f5a-4b6c-8d7e-8f9a0b1c2d3e' },
      assignment: { state: 'eligible', permanent: false, endDateTime: '2026-12-07T10:00:00Z' },
    });
    expect(renderNotification(modelFor('expiryReminder', { event: e }), RENDER).subject).toBe(
      'PIM: Your Backup Reader role expires in 1 day',
    );
  });

  it('tells time-bound from permanent and eligible from active', () => {
    const base = EVENTS.assignmentAlert;
    const variant = (assignment: object) =>
      renderNotification(modelFor('assignmentAlert', { event: event({ ...base, assignment }) }), RENDER).subject;
    expect(variant({ state: 'active', permanent: false, endDateTime: '2027-01-01T00:00:00Z' })).toBe(
      'PIM: Alain Charon was assigned the Backup Reader role until Fri 1 Jan 2027',
    );
    expect(variant({ state: 'eligible', permanent: true })).toBe(
      'PIM: Alain Charon was made permanently eligible for the Backup Reader role',
    );
  });

  it('words the decision from the event type', () => {
    const base = EVENTS.requestDecision;
    const subject = (type: string) => renderNotification(modelFor('requestDecision', { event: event({ ...base, type }) }), RENDER).subject;
    expect(subject('activationDenied')).toMatch(/was denied$/);
    expect(subject('activationCanceled')).toMatch(/was canceled$/);
  });

  it('links Entra roles and Azure resource roles to their own PIM pages', () => {
    const entra = renderNotification(modelFor('approvalRequest'), RENDER);
    expect(entra.text).toContain('https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ApproveRequestMenuBlade/~/aadmigratedroles');
    const azure = renderNotification(modelFor('expiryReminder'), { portalBaseUrl: 'https://portal.azure.us/' });
    expect(azure.text).toContain('https://portal.azure.us/#view/Microsoft_Azure_PIMCommon/ActivationMenuBlade/~/azurerbac');
    expect(azure.html).toContain('Contoso Production');
    expect(azure.html).toContain('Azure resource role');
  });

  it('shows the facts: role, scope, who, when, end, justification, ticket and request id', () => {
    const { text } = renderNotification(modelFor('activationAlert'), RENDER);
    for (const line of [
      'Role: Exchange Administrator',
      'Scope: Directory',
      'Member: Megan Bowen',
      'Assignment: Active, time-bound',
      'When: Mon 23 Nov 2026 10:00 UTC',
      'End: Mon 23 Nov 2026 18:00 UTC',
      'Justification (the requester\u2019s words): \u201CMailbox migration for the Paris office\u201D',
      'Ticket (as given by the requester): \u201CCHG-1001 (ServiceNow)\u201D',
      'Request ID: req-42',
    ]) {
      expect(text).toContain(`${line}\n`);
    }
  });
});

describe('untrusted text', () => {
  const hostile = event({
    ...EVENTS.approvalRequest,
    request: { id: 'r"><img src=x>', justification: '<script>alert("x")</script>\r\nsecond line', ticketNumber: '<b>T-1</b>' },
  });

  it('is HTML-escaped in the HTML part', () => {
    const { html } = renderNotification(
      modelFor('approvalRequest', { event: hostile, principalName: '<img src=x onerror=alert(1)>', roleName: 'Admin & "Co"' }),
      RENDER,
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>T-1');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('Admin &amp; &quot;Co&quot;');
  });

  it('stays plain text in the subject and the text part', () => {
    const email = renderNotification(modelFor('approvalRequest', { event: hostile, roleName: 'Admin & Co' }), RENDER);
    expect(email.subject).toContain('the Admin & Co role');
    expect(email.text).toContain('Justification (the requester\u2019s words): \u201C<script>alert("x")</script>\nsecond line\u201D');
  });

  it('shows requester text quoted and defanged: no URL, domain or address a mail client could link', () => {
    const phishing = event({
      ...EVENTS.approvalRequest,
      request: {
        justification: 'Urgent: verify at https://login.micros0ft-support.example/reset or www.evil.example, mail helpdesk@evil.example',
        ticketNumber: 'see evil\u3002example/t',
      },
    });
    const { text, html } = renderNotification(modelFor('approvalRequest', { event: phishing }), RENDER);
    expect(text).toContain(
      '\u201CUrgent: verify at https[://]login[.]micros0ft-support[.]example/reset or www[.]evil[.]example, mail helpdesk[@]evil[.]example\u201D',
    );
    expect(text).toContain('\u201Csee evil[.]example/t\u201D');
    for (const part of [text, html]) {
      expect(part).not.toMatch(/micros0ft-support\.example|www\.evil|helpdesk@|evil\.example/);
    }
  });

  it('removes invisible and direction-changing characters from names and free text', () => {
    const bidi = event({ ...EVENTS.approvalRequest, request: { justification: 'pay\u200Broll\uFEFF \u2066ok\u2069' } });
    const email = renderNotification(modelFor('approvalRequest', { event: bidi, principalName: 'Megan Bowen \u202Egnp.exe' }), RENDER);
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/);
    }
    expect(email.subject).toContain('Megan Bowen gnp.exe');
    expect(email.text).toContain('\u201Cpayroll ok\u201D');
  });

  it('never puts a line break or control character into the subject', () => {
    const email = renderNotification(
      modelFor('approvalRequest', { principalName: 'Megan\r\nBcc: victim@example.com\u0000\u2028x' }),
      RENDER,
    );
    expect(email.subject).toBe('PIM: Megan Bcc: victim@example.com x requests approval to activate the Exchange Administrator role');
    // eslint-disable-next-line no-control-regex
    expect(email.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(email.text).not.toContain('Megan\r\n');
  });

  it('uses no triple-stash (unescaped) expression in any built-in template', async () => {
    const sources = await Promise.all([
      import('../../shared/render/templates/notifications.js').then((m) => JSON.stringify(m.NOTIFICATION_TEMPLATES)),
      import('../../shared/render/templates/digest.js').then((m) => JSON.stringify(m.DIGEST_TEMPLATE)),
      import('../../shared/render/templates/layout.js').then((m) => JSON.stringify(m.PARTIALS)),
    ]);
    for (const source of sources) expect(source).not.toContain('{{{');
  });
});
