/**
 * What the deployment creates and ships besides settings and roles: the queues and tables the
 * code uses, the Flex Consumption app with the names, parameters and outputs azd needs, and the
 * package and host configuration the Functions host loads. The templates are read as text
 * (test/infra/templates.ts); each failure says what to change and where.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../shared/settings/settings.js';
import { resolve, resources } from './bicep.js';
import { APP_MODULE, MAIN, appSettings, bicep, bindings, filesUnder, moduleArray, read } from './templates.js';

describe('queues and tables', () => {
  it('creates the trigger queue pim-events, its poison queue, and every queue a function binds to', async () => {
    const created = moduleArray('modules/storage.bicep', 'queueNames');
    const wanted = new Set(['pim-events']);
    for (const q of (await bindings()).queues) wanted.add(q);
    for (const q of [...wanted]) if (!q.endsWith('-poison')) wanted.add(`${q}-poison`);
    for (const name of wanted) {
      expect(
        created,
        `${MAIN}: add '${name}' to queueNames of the storage module (a function binds to it, or it is the poison queue of one)`,
      ).toContain(name);
    }
  });

  it('creates each table the settings name by default, under the same name the app setting gives', () => {
    const createdTables = moduleArray('modules/storage.bicep', 'tableNames');
    const { file, entries } = appSettings();
    const tableSettings = Object.entries(SETTINGS as Record<string, { default?: string }>).filter(([k]) => /_TABLE$/.test(k));
    expect(
      tableSettings.map(([k]) => k),
      'SETTINGS should declare ACTIVITY_TABLE and DELIVERY_TABLE',
    ).toEqual(expect.arrayContaining(['ACTIVITY_TABLE', 'DELIVERY_TABLE']));
    for (const [k, spec] of tableSettings) {
      const name = spec.default;
      expect(name, `SETTINGS.${k} has no default: the template cannot know the table name`).toBeTruthy();
      expect(createdTables, `${MAIN}: add '${name}' (default of ${k}) to tableNames of the storage module`).toContain(name);
      const e = entries.get(k);
      const r = e && resolve(file, e.value);
      expect(
        r?.kind === 'literal' ? r.value : r,
        `${MAIN}: set ${k} to '${name}' (a literal or a var), the table storage.bicep creates`,
      ).toBe(name);
    }
    expect(createdTables).toEqual(expect.arrayContaining(['PimActivity', 'PimDeliveries']));
  });

  it('creates queues and tables in storage.bicep from those lists', () => {
    const storage = resources(bicep('infra/modules/storage.bicep'));
    const types = storage.map((r) => r.type);
    expect(types, 'storage.bicep must create queues').toContain('Microsoft.Storage/storageAccounts/queueServices/queues');
    expect(types, 'storage.bicep must create tables').toContain('Microsoft.Storage/storageAccounts/tableServices/tables');
    expect(types, 'storage.bicep must create the Flex deployment container').toContain(
      'Microsoft.Storage/storageAccounts/blobServices/containers',
    );
    const code = bicep('infra/modules/storage.bicep').code;
    expect(code).toMatch(/for\s+queueName\s+in\s+queueNames/);
    expect(code).toMatch(/for\s+tableName\s+in\s+tableNames/);
  });
});

describe('Flex Consumption function app', () => {
  it('runs on FC1 with Node from functionAppConfig and deploys from blob with the identity', () => {
    const app = bicep(APP_MODULE);
    const plan = resources(app).find((r) => r.type === 'Microsoft.Web/serverfarms');
    expect(plan?.body, `${APP_MODULE}: plan sku must be FC1 / FlexConsumption`).toMatch(/name:\s*'FC1'[\s\S]*tier:\s*'FlexConsumption'/);
    const site = resources(app).find((r) => r.type === 'Microsoft.Web/sites');
    expect(site?.body, `${APP_MODULE}: runtime must be node in functionAppConfig.runtime`).toMatch(/runtime:\s*\{\s*name:\s*'node'/);
    expect(site?.body, `${APP_MODULE}: deployment storage must be a blobContainer`).toMatch(/type:\s*'blobContainer'/);
    expect(site?.body, `${APP_MODULE}: deployment must authenticate with the user-assigned identity`).toMatch(
      /authentication:\s*\{\s*type:\s*'UserAssignedIdentity'\s*userAssignedIdentityResourceId:\s*identityId/,
    );
    const main = bicep(MAIN);
    expect(
      resolve(main, 'nodeVersion'),
      `${MAIN}: param nodeVersion should default to '22' (the Node CI tests on besides the machine's, and engines declares)`,
    ).toEqual({
      kind: 'param',
      name: 'nodeVersion',
      default: '22',
    });
  });

  it('tags the app with the azd service name from azure.yaml', () => {
    const yaml = read('azure.yaml');
    const service = /^services:\s*\n\s+([A-Za-z0-9_-]+):/m.exec(yaml)?.[1];
    expect(service, 'azure.yaml must declare one service under services:').toBeTruthy();
    const block = yaml.slice(yaml.indexOf(`${service}:`));
    expect(block, 'azure.yaml: the service needs host: function').toMatch(/^\s+host:\s*function\s*$/m);
    expect(block, 'azure.yaml: the service needs language: ts (TypeScript, compiled to dist/)').toMatch(/^\s+language:\s*ts\s*$/m);
    expect(block, 'azure.yaml: a prepackage hook must run `npm ci && npm run build`').toMatch(
      /prepackage:[\s\S]*run:\s*npm ci && npm run build/,
    );
    const main = bicep(MAIN);
    expect(
      resolve(main, 'serviceName'),
      `${MAIN}: var serviceName must equal the azure.yaml service name, or azd finds no app to deploy to`,
    ).toEqual({
      kind: 'literal',
      value: service,
    });
    expect(bicep(APP_MODULE).code, `${APP_MODULE}: tag the site with 'azd-service-name': serviceName`).toMatch(
      /'azd-service-name':\s*serviceName/,
    );
  });

  it('gives azd the parameters main.bicep requires', () => {
    const main = bicep(MAIN);
    const params = JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    const declared = new Map<string, boolean>();
    for (const m of main.code.matchAll(/^\s*param\s+(\w+)\s+\w+(\s*=)?/gm)) declared.set(m[1]!, Boolean(m[2]));
    for (const name of Object.keys(params.parameters)) {
      expect(declared.has(name), `infra/main.parameters.json passes ${name}, which ${MAIN} does not declare`).toBe(true);
    }
    for (const [name, hasDefault] of declared) {
      if (!hasDefault)
        expect(params.parameters[name], `infra/main.parameters.json must pass ${name} (no default in ${MAIN})`).toBeDefined();
    }
    expect(params.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(params.parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(main.code, `${MAIN} must target the subscription (it creates the resource group)`).toMatch(/^targetScope\s*=\s*'subscription'/m);
  });

  it('outputs what azd and the docs use', () => {
    const main = bicep(MAIN).code;
    for (const o of [
      'AZURE_RESOURCE_GROUP',
      'AZURE_FUNCTION_APP_NAME',
      'AZURE_QUEUE_URL',
      'AZURE_MANAGED_IDENTITY_PRINCIPAL_ID',
      'AZURE_STORAGE_ACCOUNT_NAME',
    ]) {
      expect(main, `${MAIN}: add \`output ${o} string = ...\``).toMatch(new RegExp(`^output\\s+${o}\\s+string\\s*=`, 'm'));
    }
  });
});

describe('package and host configuration', () => {
  it('points package.json main at the compiled function entries', () => {
    const pkg = JSON.parse(read('package.json')) as { main?: string; scripts?: Record<string, string> };
    expect(pkg.main, 'package.json: set "main": "dist/functions/*.js" (the host loads the compiled registrations from there)').toBe(
      'dist/functions/*.js',
    );
    expect(pkg.scripts?.build, 'package.json needs a build script (azure.yaml runs npm run build)').toBeTruthy();
    const build = JSON.parse(read('tsconfig.build.json')) as { include?: string[] };
    const base = JSON.parse(read('tsconfig.json')) as { compilerOptions?: { outDir?: string; rootDir?: string } };
    expect(build.include, 'tsconfig.build.json must compile functions/').toContain('functions');
    // functions/x.ts → <outDir>/functions/x.js only when rootDir is the project root.
    expect(base.compilerOptions?.outDir).toBe('dist');
    expect(base.compilerOptions?.rootDir).toBe('.');
    for (const rel of filesUnder('functions', '.ts').filter((f) => path.dirname(f) === 'functions')) {
      const out = `dist/${rel.replace(/\.ts$/, '.js')}`;
      expect(out, `${rel} compiles to ${out}, which package.json main does not match`).toMatch(/^dist\/functions\/[^/]+\.js$/);
    }
  });

  it('decodes queue messages as base64, as producers send them', () => {
    const host = JSON.parse(read('host.json')) as { version?: string; extensions?: { queues?: { messageEncoding?: string } } };
    expect(host.version).toBe('2.0');
    expect(host.extensions?.queues, 'host.json: add extensions.queues (messageEncoding, batch sizes, maxDequeueCount)').toBeDefined();
    expect(
      host.extensions?.queues?.messageEncoding,
      'host.json: set extensions.queues.messageEncoding to "base64" (docs/deploy.md tells producers to send base64)',
    ).toBe('base64');
  });

  it('ships what the host needs and no local settings', () => {
    const ignore = read('.funcignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const needed of ['dist', 'dist/', 'host.json', 'package.json', 'node_modules', 'node_modules/', '*.js', '*.json']) {
      expect(ignore, `.funcignore must not exclude ${needed}: the deployed app needs it`).not.toContain(needed);
    }
    expect(ignore, ".funcignore must exclude local.settings.json (it may hold a developer's secrets)").toContain('local.settings.json');
  });
});
