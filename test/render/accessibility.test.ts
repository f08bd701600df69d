/**
 * What real validators found in the templates: the data tables of the digest and the held-back
 * summary must be data tables (no role="presentation", header cells with `scope`, WCAG H63), and
 * the Apple meta tag needs a `content` (HTML: a meta with `name` must have `content`).
 */
import { describe, expect, it } from 'vitest';
import { renderDigest, renderHeldBack } from '../../shared/render/render.js';
import { RENDER } from '../support/renderFixtures.js';

const digest = renderDigest(
  {
    tenantName: 'Contoso',
    week: '2026-W47',
    weekStart: '2026-11-16T00:00:00Z',
    weekEnd: '2026-11-23T00:00:00Z',
    tiles: { usersActivated: 1, usersMadePermanent: 0, roleAssignmentsInPim: 0, roleAssignmentsOutsidePim: 0 },
    topRoles: [
      {
        roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10',
        displayName: 'Global Administrator',
        permanent: 1,
        eligible: 1,
        total: 2,
      },
    ],
    reason: 'You received this because you are a Global Administrator in Contoso.',
  },
  RENDER,
);
const held = renderHeldBack(
  {
    tenantName: 'Contoso',
    items: [
      {
        eventId: 'e1',
        notification: 'activationAlert',
        roleName: 'Global Administrator',
        principalName: 'Megan Bowen',
        scopeName: 'Directory',
        occurredAt: '2026-12-01T06:00:00.000Z',
      },
    ],
    windowStart: '2026-12-01T06:00:00.000Z',
    windowEnd: '2026-12-01T07:00:00.000Z',
    limit: 20,
    windowMinutes: 60,
    reason: 'You received this summary as the recipient of the notifications it lists in Contoso.',
  },
  RENDER,
);

/** The <table …> that holds the first <th>. */
function dataTable(html: string): string {
  const th = html.indexOf('<th');
  return html.slice(html.lastIndexOf('<table', th), th);
}

describe('data tables and meta tags', () => {
  for (const [name, email] of [
    ['digest', digest],
    ['held-back summary', held],
  ] as const) {
    it(`${name}: its data table is not marked presentational and every header cell has scope="col"`, () => {
      expect(dataTable(email.html)).not.toContain('role="presentation"');
      const ths = email.html.match(/<th\b[^>]*>/g) ?? [];
      expect(ths.length).toBeGreaterThan(0);
      for (const th of ths) expect(th).toContain('scope="col"');
    });
    it(`${name}: every <meta name> has a content`, () => {
      for (const meta of email.html.match(/<meta\b[^>]*name=[^>]*>/g) ?? []) expect(meta).toMatch(/content="[^"]+"/);
    });
  }
});
