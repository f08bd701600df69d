/**
 * What a Functions developer expects to find: a local.settings.json example (the real file
 * stays ignored), host.json sampling that keeps every request and failure, and an azd
 * deployment workflow that signs in without a stored secret.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS, loadSettings } from '../../shared/settings/settings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
/** Read by Core Tools only (Flex Consumption rejects it, so the Bicep does not set it). */
const CORE_TOOLS_ONLY = ['FUNCTIONS_WORKER_RUNTIME'];

describe('local.settings.example.json', () => {
  it('holds only settings the app or Core Tools reads, valid, and no secret', () => {
    const example = JSON.parse(read('local.settings.example.json')) as { IsEncrypted: boolean; Values: Record<string, string> };
    expect(example.IsEncrypted).toBe(false);
    for (const name of Object.keys(example.Values))
      expect(name in SETTINGS || CORE_TOOLS_ONLY.includes(name), `${name} is not a setting (shared/settings/settings.ts)`).toBe(true);
    expect(() => loadSettings(example.Values)).not.toThrow();
    expect(JSON.stringify(example)).not.toMatch(/AccountKey=|SharedAccessSignature|accesskey=/i);
  });

  it('is tracked while local.settings.json stays ignored', () => {
    const ignored = (file: string) => {
      try {
        execFileSync('git', ['check-ignore', '-q', file], { cwd: ROOT });
        return true;
      } catch {
        return false;
      }
    };
    expect(ignored('local.settings.json')).toBe(true);
    expect(ignored('local.settings.example.json')).toBe(false);
  });
});

describe('host.json', () => {
  it('samples telemetry but keeps every request and exception', () => {
    const host = JSON.parse(read('host.json')) as {
      logging?: { applicationInsights?: { samplingSettings?: { isEnabled?: boolean; excludedTypes?: string } } };
    };
    const sampling = host.logging?.applicationInsights?.samplingSettings;
    expect(sampling?.isEnabled).toBe(true);
    expect(sampling?.excludedTypes?.split(';')).toEqual(expect.arrayContaining(['Request', 'Exception']));
  });
});

describe('.github/workflows/azure-dev.yml', () => {
  it('tests, then provisions and deploys with azd, signed in by OpenID Connect on Node 22', () => {
    const wf = read('.github/workflows/azure-dev.yml');
    expect(wf).toMatch(/id-token:\s*write/);
    expect(wf).toMatch(/node-version:\s*22\b/);
    const order = ['npm ci', 'npm test', 'azd auth login', 'azd provision --no-prompt', 'azd deploy --no-prompt'].map((s) =>
      wf.indexOf(`run: ${s}`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(wf).toMatch(/--federated-credential-provider github/);
    expect(wf, 'no stored secret: federated credentials only').not.toMatch(/secrets\./);
    // Every azd environment value main.parameters.json reads is passed to azd provision.
    const params = read('infra/main.parameters.json');
    for (const m of params.matchAll(/\$\{([A-Z_]+)=?\}/g))
      if (m[1] !== 'AZURE_ENV_NAME' && m[1] !== 'AZURE_LOCATION') expect(wf).toContain(`${m[1]}: \${{ vars.${m[1]} }}`);
  });
});
