/**
 * The deployment's runtime and plan bounds, read from the templates as text: Node 22 both in
 * the Bicep and in package.json engines, the Flex Consumption bounds of maximumInstanceCount,
 * the regions `location` accepts, and storage endpoints taken from the account (any cloud).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entriesOf, readBicep, valueBracketAfter, type BicepFile } from './bicep.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = 'infra/main.bicep';
const APP_MODULE = 'infra/modules/functionapp.bicep';
const bicep = (rel: string) => readBicep(path.join(ROOT, rel));

/** The decorators written above `param NAME` and its default, as text. */
function param(file: BicepFile, name: string): { decorators: string; default?: string } {
  const decl = new RegExp(`^param\\s+${name}\\s+\\w+(?:\\s*=\\s*(.*?))?\\s*$`, 'm').exec(file.code);
  if (!decl) throw new Error(`${file.path}: no \`param ${name}\``);
  const before = file.code.slice(0, decl.index);
  const previous = [...before.matchAll(/^(?:param|var|resource|module|targetScope|output|type|func)\b.*$/gm)].pop();
  const decorators = before.slice(previous ? previous.index + previous[0].length : 0);
  return { decorators, default: decl[1] };
}

function allowed(decorators: string): string[] | undefined {
  const m = /@allowed\(\s*\[([\s\S]*?)\]\s*\)/.exec(decorators);
  return m ? [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) : undefined;
}

function bound(decorators: string, kind: 'minValue' | 'maxValue'): number | undefined {
  const m = new RegExp(`@${kind}\\((\\d+)\\)`).exec(decorators);
  return m ? Number(m[1]) : undefined;
}

describe('Node.js runtime', () => {
  it('deploys Node 22, the version package.json engines declares, and no longer Node 20', () => {
    const main = bicep(MAIN);
    const nodeVersion = param(main, 'nodeVersion');
    expect(nodeVersion.default, `${MAIN}: param nodeVersion must default to '22'`).toBe("'22'");
    expect(
      allowed(nodeVersion.decorators),
      `${MAIN}: nodeVersion must not allow 20 (retired on Flex Consumption on 2026-04-30)`,
    ).not.toContain('20');
    expect(allowed(param(bicep(APP_MODULE), 'runtimeVersion').decorators)).toContain('22');
    expect(bicep(APP_MODULE).code, `${APP_MODULE}: functionAppConfig.runtime.version must be runtimeVersion`).toMatch(
      /runtime:\s*\{\s*name:\s*'node'\s*version:\s*runtimeVersion\s*\}/,
    );

    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } };
    const minimum = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? '');
    expect(minimum?.[1], `package.json engines.node must be ">=22" (what Azure runs), not ${pkg.engines?.node}`).toBe('22');
  });
});

describe('Flex Consumption bounds', () => {
  it('keeps maximumInstanceCount within 40..1000 wherever it is a parameter', () => {
    for (const rel of [MAIN, APP_MODULE]) {
      const p = param(bicep(rel), 'maximumInstanceCount');
      expect(
        bound(p.decorators, 'minValue'),
        `${rel}: maximumInstanceCount needs @minValue(40): Flex Consumption refuses a lower maximum`,
      ).toBeGreaterThanOrEqual(40);
      expect(bound(p.decorators, 'maxValue'), `${rel}: maximumInstanceCount needs @maxValue(1000)`).toBeLessThanOrEqual(1000);
      expect(Number(p.default)).toBeGreaterThanOrEqual(40);
    }
    const main = bicep(MAIN);
    const module = /^\s*module\s+\w+\s+'modules\/functionapp\.bicep'/m.exec(main.code)!;
    const passed = entriesOf(main, valueBracketAfter(main, 'params', module.index)).find((e) => e.key === 'maximumInstanceCount');
    expect(passed?.value, `${MAIN}: pass maximumInstanceCount to the functionapp module`).toBe('maximumInstanceCount');
  });

  it('accepts only regions that offer Flex Consumption, named as ARM names them', () => {
    const regions = allowed(param(bicep(MAIN), 'location').decorators);
    expect(regions, `${MAIN}: param location needs an @allowed list of the Flex Consumption regions`).toBeDefined();
    expect(new Set(regions).size).toBe(regions!.length);
    for (const r of regions!) expect(r, 'ARM region names are lowercase letters and digits').toMatch(/^[a-z]+[0-9]?$/);
    // Regions that do offer Flex Consumption, and ones that do not (e.g. West India, the
    // China and US Gov clouds), so the list is neither empty nor "every region".
    for (const r of ['eastus', 'swedencentral', 'westeurope', 'australiaeast']) expect(regions).toContain(r);
    for (const r of ['westindia', 'chinanorth3', 'usgovvirginia', 'eastus2euap']) expect(regions).not.toContain(r);
    // The region docs/deploy.md tells people to set must be one of them.
    const docs = readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');
    const set = [...docs.matchAll(/azd env set AZURE_LOCATION ([a-z0-9]+)\b/g)].map((m) => m[1]!);
    expect(set.length, 'docs/deploy.md shows `azd env set AZURE_LOCATION <region>`').toBeGreaterThan(0);
    for (const r of set) expect(regions, `docs/deploy.md sets AZURE_LOCATION ${r}`).toContain(r);
  });
});

describe('storage endpoints in any cloud', () => {
  it("gives the host and the app the account's own blob, queue and table endpoints", () => {
    const main = bicep(MAIN);
    const module = /^\s*module\s+\w+\s+'modules\/functionapp\.bicep'/m.exec(main.code)!;
    const settings = new Map(entriesOf(main, valueBracketAfter(main, 'appSettings', module.index)).map((e) => [e.key, e.value]));
    for (const service of ['blob', 'queue', 'table']) {
      expect(
        settings.get(`AzureWebJobsStorage__${service}ServiceUri`),
        `${MAIN}: set AzureWebJobsStorage__${service}ServiceUri: storage.outputs.${service}Endpoint`,
      ).toBe(`storage.outputs.${service}Endpoint`);
      expect(bicep('infra/modules/storage.bicep').code).toMatch(
        new RegExp(`output\\s+${service}Endpoint\\s+string\\s*=\\s*storage\\.properties\\.primaryEndpoints\\.${service}\\b`),
      );
    }
    for (const m of readFileSync(path.join(ROOT, MAIN), 'utf8').matchAll(/core\.windows\.net/g))
      expect(m, `${MAIN} must not hard-code core.windows.net`).toBeUndefined();
  });
});

describe('azd hooks', () => {
  it('names the language ts and runs the postprovision hook on what main.bicep outputs', async () => {
    const yaml = readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8');
    expect(yaml, 'azure.yaml: language: ts (the code is TypeScript compiled to dist/)').toMatch(/^\s+language:\s*ts\s*$/m);
    const run = [...yaml.matchAll(/^\s+run:\s*'?(.*?)'?\s*$/gm)].map((m) => m[1]!).filter((r) => r.includes('postprovision'));
    expect(run, 'azure.yaml: a postprovision hook for posix and windows').toHaveLength(2);
    for (const r of run) expect(r).toContain('node dist/scripts/postprovision.js');
    expect(yaml).toMatch(/^hooks:\s*\n(?:\s+#.*\n)*\s+postprovision:/m);
    // The compiled script comes from scripts/postprovision.ts, which the build compiles.
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include).toContain('scripts');
    // Every variable the hook reads from azd's environment is an output of main.bicep (or azd's own).
    const { hookEnv } = await import('../../scripts/postprovision.js');
    const read: string[] = [];
    hookEnv(
      new Proxy(
        {},
        {
          get: (_t, name: string) => (read.push(name), name.includes('PRINCIPAL_ID') || name === 'AZURE_SUBSCRIPTION_ID' ? 'x' : undefined),
        },
      ),
    );
    const outputs = new Set([...bicep(MAIN).code.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]!));
    const AZD_OWN = new Set(['AZURE_SUBSCRIPTION_ID', 'AZURE_PRINCIPAL_ID']);
    for (const name of new Set(read))
      expect(outputs.has(name) || AZD_OWN.has(name), `scripts/postprovision.ts reads ${name}: add \`output ${name}\` to ${MAIN}`).toBe(
        true,
      );
  });
});
