/**
 * The held-back summary as rendered: what it lists and says, escaping of names (the
 * directory's, but typed by people), and PIM's page as its only link.
 */
import { describe, expect, it } from 'vitest';
import { renderHeldBack } from '../../shared/render/render.js';
import { HELD_BACK_LISTED } from '../../shared/render/heldBackView.js';
import type { HeldItem } from '../../shared/rateLimit/rateLimit.js';

const PORTAL = 'https://portal.azure.us';
const item = (i: number, over: Partial<HeldItem> = {}): HeldItem => ({
  eventId: `evt-${i}`,
  notification: 'activationAlert',
  roleName: 'Global Administrator',
  principalName: 'Megan Bowen',
  scopeName: 'Directory',
  occurredAt: new Date(Date.UTC(2026, 11, 1, 6, 0, i)).toISOString(),
  ...over,
});
const model = (items: HeldItem[]) => ({
  tenantName: 'Contoso',
  items,
  windowStart: '2026-12-01T06:00:00.000Z',
  windowEnd: '2026-12-01T07:00:00.000Z',
  limit: 20,
  windowMinutes: 60,
  recipientName: 'Lee Gu',
  reason: 'You received this summary as the recipient of the notifications it lists in Contoso.',
});

describe('held-back summary email', () => {
  it('says how many were held back in which window, lists each by kind, role, scope, principal and time', () => {
    const email = renderHeldBack(
      model([item(1), item(2, { notification: 'expiryReminder', roleName: 'Backup Reader', scopeName: 'rg-prod-data' })]),
      { portalBaseUrl: PORTAL },
    );
    expect(email.notification).toBe('heldBackSummary');
    expect(email.subject).toBe('PIM: 2 more notifications were held back between Tue 1 Dec 2026 06:00 UTC and Tue 1 Dec 2026 07:00 UTC');
    expect(email.text).toContain('the limit of 20 per hour');
    expect(email.text).toContain(
      '- Tue 1 Dec 2026 06:00 UTC: Role activation alert to admins; role Global Administrator on Directory; principal Megan Bowen\n',
    );
    expect(email.text).toContain(
      '- Tue 1 Dec 2026 06:00 UTC: Your role assignment expires soon; role Backup Reader on rg-prod-data; principal Megan Bowen\n',
    );
    expect(email.html).toContain('<td align="left" style="padding:8px 8px 8px 0;border-bottom:1px solid #edebe9;');
    expect(email.html).toMatch(/>Backup Reader<\/td>/);
    expect(email.text).toContain('Hello Lee Gu,');
    expect(email.text).not.toContain('more not listed here');
  });

  it('speaks of one in the singular, and lists a flood only up to its cap', () => {
    expect(renderHeldBack(model([item(1)]), { portalBaseUrl: PORTAL }).subject).toMatch(/^PIM: 1 more notification was held back between/);
    const flood = renderHeldBack(model(Array.from({ length: HELD_BACK_LISTED + 37 }, (_, i) => item(i))), { portalBaseUrl: PORTAL });
    expect(flood.subject).toMatch(new RegExp(`^PIM: ${HELD_BACK_LISTED + 37} more notifications were held back`));
    expect(flood.text.match(/^- /gm)).toHaveLength(HELD_BACK_LISTED);
    expect(flood.text).toContain('… and 37 more not listed here.');
  });

  it('escapes names, keeps them on one line without invisible characters, and links only to PIM', () => {
    const hostile = item(1, {
      principalName: '<a href="https://evil.example/login">Reset</a>\r\nBcc: victim@contoso.com',
      roleName: 'Global\u202E Administrator\u200B',
      scopeName: '<img src=x onerror=alert(1)>',
      notification: 'notAKind\r\nX-Evil: 1',
    });
    const email = renderHeldBack(model([hostile]), { portalBaseUrl: PORTAL });
    expect(email.html).not.toContain('<a href="https://evil.example');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([`${PORTAL}/#view/Microsoft_Azure_PIMCommon/CommonMenuBlade/~/quickStart`]);
    const line = email.text.split('\n').find((l) => l.startsWith('- '))!;
    expect(line).toContain('role Global Administrator on');
    expect(line).toContain('principal <a href="https://evil.example/login">Reset</a> Bcc: victim@contoso.com');
    expect(email.text).not.toMatch(/^Bcc:|^X-Evil/m);
    expect(email.text).not.toMatch(/[\u202E\u200B]/);
  });
});
