import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDigest, renderNotification } from '../../shared/render/render.js';
import { TemplatesError } from '../../shared/render/templateStore.js';
import { modelFor } from '../support/renderFixtures.js';

const root = mkdtempSync(join(tmpdir(), 'pim-templates-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

describe('TEMPLATES_DIR overrides', () => {
  it('replaces the built-in templates file by file', () => {
    const dir = folder('partial', {
      'approvalRequest.subject.hbs': 'PIM: [{{tenantName}}] {{principalName}} wants {{roleName}}',
      'approvalRequest.text.hbs': 'Custom text for {{principalName}}: {{action.url}}',
    });
    const options = { portalBaseUrl: 'https://portal.azure.com', templatesDir: dir };
    const email = renderNotification(modelFor('approvalRequest'), options);
    expect(email.subject).toBe('PIM: [Contoso] Megan Bowen wants Exchange Administrator');
    expect(email.text).toBe(
      'Custom text for Megan Bowen: https://portal.azure.com/#view/Microsoft_Azure_PIMCommon/ApproveRequestMenuBlade/~/aadmigratedroles\n',
    );
    // The HTML was not overridden: the built-in one renders, with the new heading.
    expect(email.html).toContain('>[Contoso] Megan Bowen wants Exchange Administrator</h1>');
    expect(email.html).toContain('asked to activate the Exchange Administrator role');
    // Other kinds keep their built-in templates.
    expect(renderNotification(modelFor('assignmentAlert'), options).subject).toBe(
      'PIM: Alain Charon was permanently assigned the Backup Reader role',
    );
  });

  it('does not leak into renders without the folder', () => {
    expect(renderNotification(modelFor('approvalRequest'), { portalBaseUrl: 'https://portal.azure.com' }).subject).toBe(
      'PIM: Megan Bowen requests approval to activate the Exchange Administrator role',
    );
  });

  it('escapes in an overriding HTML template and keeps subjects safe', () => {
    const dir = folder('html', {
      'weeklyDigest.html.hbs': '{{#> layout}}<p>{{tenantName}}</p>{{/layout}}',
      'requestDecision.subject.hbs': '{{principalName}} decided',
    });
    const digest = renderDigest(
      {
        tenantName: '<Contoso>',
        week: '2026-W47',
        weekStart: '2026-11-16T00:00:00Z',
        weekEnd: '2026-11-23T00:00:00Z',
        tiles: { usersActivated: 0, usersMadePermanent: 0, roleAssignmentsInPim: 0, roleAssignmentsOutsidePim: 0 },
        topRoles: [],
        reason: 'Because.',
      },
      { portalBaseUrl: 'https://portal.azure.com', templatesDir: dir },
    );
    expect(digest.html).toContain('<p>&lt;Contoso&gt;</p>');
    const decided = renderNotification(modelFor('requestDecision', { principalName: 'A\r\nB' }), {
      portalBaseUrl: 'https://portal.azure.com',
      templatesDir: dir,
    });
    // An override without the prefix still gets it; line breaks still collapse.
    expect(decided.subject).toBe('PIM: A B decided');
  });

  it('rejects a file whose name matches no template, and a template that does not parse', () => {
    const typo = folder('typo', { 'aprovalRequest.subject.hbs': 'PIM: x' });
    expect(() => renderNotification(modelFor('approvalRequest'), { portalBaseUrl: 'https://x', templatesDir: typo })).toThrow(
      TemplatesError,
    );
    const broken = folder('broken', { 'approvalRequest.html.hbs': '{{#if}}' });
    expect(() => renderNotification(modelFor('approvalRequest'), { portalBaseUrl: 'https://x', templatesDir: broken })).toThrow(
      /approvalRequest\.html does not parse/,
    );
  });

  it('reads the folder once: later changes to the files are not picked up', () => {
    const dir = folder('cached', { 'pimEnabled.subject.hbs': 'PIM: first' });
    const options = { portalBaseUrl: 'https://portal.azure.com', templatesDir: dir };
    expect(renderNotification(modelFor('pimEnabled'), options).subject).toBe('PIM: first');
    writeFileSync(join(dir, 'pimEnabled.subject.hbs'), 'PIM: second');
    expect(renderNotification(modelFor('pimEnabled'), options).subject).toBe('PIM: first');
  });
});
