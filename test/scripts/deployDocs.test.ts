/**
 * docs/deploy.md states the Graph permissions exactly as the code calls Graph (one list,
 * shared/permissions/graph.ts), in the table and in both grant scripts, and walks the first
 * deployment with the hook it runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRAPH_PERMISSIONS } from '../../shared/permissions/graph.js';
import { parseEventText } from '../../shared/events/parse.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';

const doc = readFileSync(fromPackageRoot('docs/deploy.md'), 'utf8');
const expected = GRAPH_PERMISSIONS.map((p) => p.permission).sort();

function section(title: RegExp): string {
  const start = doc.search(title);
  expect(start, `docs/deploy.md has no section ${title}`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

describe('docs/deploy.md', () => {
  it('starts Azurite as the tests do: the devDependency version, with the API version check on', () => {
    const pkg = JSON.parse(readFileSync(fromPackageRoot('package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const version = pkg.devDependencies['azurite']!;
    expect(version, 'one exact Azurite version (package.json) for tests, npm start and the docs').toMatch(/^\d+\.\d+\.\d+$/);
    const host = section(/^## 6\. Run under the real Functions host/m);
    const line = /`(npx azurite [^`]*)`/.exec(host)?.[1];
    expect(line, 'section 6 starts Azurite with npx').toBeDefined();
    expect(line).toContain('--location .azurite');
    // No command anywhere in the docs starts Azurite without the check.
    for (const text of [doc, readFileSync(fromPackageRoot('README.md'), 'utf8')]) {
      for (const [command] of text.matchAll(/`[^`\n]*azurite[^`\n]*`/gi)) expect(command).not.toMatch(/skipApiVersionCheck/i);
    }
    // Every Azurite version the doc names is the one installed and tested.
    const named = [...doc.matchAll(/Azurite[^.\n]*?\b(3\.\d+(?:\.\d+)?)\b/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    for (const v of named) expect(version.startsWith(v), `docs/deploy.md names Azurite ${v}, package.json has ${version}`).toBe(true);
  });

  it('lists exactly the Graph permissions the code needs, in the table and in both scripts', () => {
    const graph = section(/^## 2\. Microsoft Graph/m);
    const table = [...graph.matchAll(/^\| `([A-Za-z.]+)` \|/gm)].map((m) => m[1]!).sort();
    expect(table).toEqual(expected);
    const loop = /for PERMISSION in ([\s\S]*?); do/
      .exec(graph)?.[1]
      ?.split(/[\s\\]+/)
      .filter(Boolean)
      .sort();
    expect(loop).toEqual(expected);
    const ps = /\$permissions = ([\s\S]*?)\nforeach/
      .exec(graph)?.[1]
      ?.match(/'([^']+)'/g)
      ?.map((q) => q.slice(1, -1))
      .sort();
    expect(ps).toEqual(expected);
  });

  it('says who needs which role for each step, and walks the first deployment to the first email', () => {
    const roles = section(/^## Who needs which role/m);
    for (const step of [
      'azd up',
      'Reader on each subscription',
      'Storage Queue Data Message Sender',
      'Microsoft Graph application permissions',
      'test event',
    ])
      expect(roles).toContain(step);
    expect(roles).toContain('Privileged Role Administrator');
    const walk = section(/^## First deployment, from `azd up` to the first email/m);
    for (const step of [
      'azd up',
      'azd hooks run postprovision',
      'az storage message put --auth-mode login',
      'pim-events-poison',
      'audit collector',
    ])
      expect(walk).toContain(step);
    // The test event, with the shell's values filled in, is a valid event.
    const line = /^\s*EVENT='(.*)'$/m.exec(walk)![1]!;
    const filled = line
      .replace(/'\$\(date \+%s\)'/g, '1764590000')
      .replace(/'\$TENANT'/g, '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37')
      .replace(/'\$ME'/g, '4c911156-ce30-45c8-8a11-a246a3594791')
      .replace(/'\$NOW'/g, '2026-12-01T10:00:00Z');
    const parsed = parseEventText(filled);
    expect(parsed.kind, parsed.kind === 'valid' ? '' : parsed.error.message).toBe('valid');
    expect(walk).toMatch(/"type":"roleExpired"/);
  });
});
