import { describe, expect, it } from 'vitest';
import { changeText } from '../../shared/render/digestView.js';
import { renderDigest, type DigestModel } from '../../shared/render/render.js';
import { RENDER } from '../support/renderFixtures.js';

const MODEL: DigestModel = {
  tenantName: 'Contoso',
  week: '2026-W47',
  weekStart: '2026-11-16T00:00:00Z',
  weekEnd: '2026-11-23T00:00:00Z',
  tiles: { usersActivated: 12, usersMadePermanent: 1, roleAssignmentsInPim: 4, roleAssignmentsOutsidePim: 2 },
  previousTiles: { usersActivated: 9, usersMadePermanent: 3, roleAssignmentsInPim: 4, roleAssignmentsOutsidePim: 0 },
  topRoles: [
    { roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10', displayName: 'Global Administrator', permanent: 3, eligible: 4, total: 7 },
    {
      roleDefinitionId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
      displayName: 'Exchange <Administrator>',
      permanent: 1,
      eligible: 2,
      total: 3,
    },
  ],
  recipientName: 'Patti Fernandez',
  reason: 'You received this because you are a Global Administrator in Contoso.',
};

describe('renderDigest', () => {
  const email = renderDigest(MODEL, RENDER);

  it('has a PIM: subject naming the tenant and the week', () => {
    expect(email.notification).toBe('weeklyDigest');
    expect(email.subject).toBe('PIM: Your weekly digest for Contoso (Mon 16 Nov 2026 to Sun 22 Nov 2026)');
  });

  it('shows the four tiles with their numbers and the change against last week', () => {
    expect(email.text).toContain('Users activated: 12 (▲ 3 vs last week)\n');
    expect(email.text).toContain('Users made permanent: 1 (▼ 2 vs last week)\n');
    expect(email.text).toContain('Role assignments in PIM: 4 (no change vs last week)\n');
    expect(email.text).toContain('Role assignments outside of PIM: 2 (▲ 2 vs last week)\n');
    for (const label of ['Users activated', 'Users made permanent', 'Role assignments in PIM', 'Role assignments outside of PIM']) {
      expect(email.html).toContain(`>${label}</div>`);
    }
    expect(email.html).toMatch(/>12<\/div>\s*<div[^>]*>Users activated<\/div>\s*<div[^>]*>▲ 3 vs last week<\/div>/);
  });

  it('lists the top roles with permanent, eligible and total counts, escaped in HTML', () => {
    expect(email.text).toContain('Overview of your top roles');
    expect(email.text).toContain('- Global Administrator: 3 / 4 / 7\n');
    expect(email.html).toContain('Overview of your top roles');
    expect(email.html).toMatch(/>Global Administrator<\/td><td[^>]*>3<\/td><td[^>]*>4<\/td><td[^>]*>7<\/td>/);
    expect(email.html).toContain('Exchange &lt;Administrator&gt;');
    expect(email.html).not.toContain('<Administrator>');
  });

  it('links "Take action" to Discovery & insights', () => {
    const url =
      'https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ResourceMenuBlade/~/aaddiscovery/resourceId//resourceType/tenant/provider/aadroles';
    expect(email.html).toContain(`href="${url}"`);
    expect(email.html).toMatch(/>Take action<\/a>/);
    expect(email.text).toContain(`Take action: ${url}`);
  });

  it('omits the change when there is no previous week', () => {
    const { text } = renderDigest({ ...MODEL, previousTiles: undefined }, RENDER);
    expect(text).toContain('Users activated: 12\n');
    expect(text).not.toContain('vs last week');
  });

  it('says so when no role has holders', () => {
    const { text, html } = renderDigest({ ...MODEL, topRoles: [] }, RENDER);
    expect(text).toContain('No privileged role has any holder yet.');
    expect(html).toContain('No privileged role has any holder yet.');
  });
});

describe('changeText', () => {
  it('shows up, down and no change', () => {
    expect(changeText(5, 2)).toBe('▲ 3 vs last week');
    expect(changeText(2, 5)).toBe('▼ 3 vs last week');
    expect(changeText(4, 4)).toBe('no change vs last week');
    expect(changeText(4, undefined)).toBe('');
  });
});
