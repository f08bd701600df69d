/**
 * What can be checked about the deployment without the Bicep CLI or Azure: the templates are
 * read as text (test/infra/bicep.ts) and compared with what the code reads (SETTINGS, the
 * function bindings) and with the least-privilege role set. Each failure says what to change
 * and where.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFunctionApp, type RegisteredFunction } from '../../dev/host/functionApp.js';
import { SETTINGS } from '../../shared/settings/settings.js';
import { bicepFilesUnder, entriesOf, readBicep, resolve, resources, valueBracketAfter, type BicepFile, type Entry } from './bicep.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = 'infra/main.bicep';
const APP_MODULE = 'infra/modules/functionapp.bicep';
const THIS_TEST = 'test/infra/infra.test.ts';

/** Settings the code reads that Azure must NOT get, each with the reason. */
const LOCAL_ONLY: Record<string, string> = {
  AzureWebJobsStorage:
    'the connection-string form needs account keys, and shared-key access is off; Azure uses AzureWebJobsStorage__accountName/__credential/__clientId (managed identity)',
  ACS_CONNECTION_STRING: 'a secret (ACS access key) for local tests only; Azure sends with ACS_ENDPOINT and the managed identity',
  DIRECTORY_SNAPSHOT_PATH: 'read only when DIRECTORY_SOURCE=snapshot (offline runs); Azure sets DIRECTORY_SOURCE=graph',
  OUTBOX_DIR: 'read only when EMAIL_TRANSPORT=outbox (.eml files on local disk); Azure sets EMAIL_TRANSPORT=acs',
};

/** App settings the template sets that the Functions host (not the code) reads. */
const HOST_OWNED: Record<string, string> = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'the host sends logs and traces to Application Insights',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
    'Application Insights has local auth off: the host authenticates telemetry with the managed identity',
  AzureWebJobsStorage__blobServiceUri:
    "the host keeps its locks in blobs: the account's blob endpoint, right in every cloud (the app itself reads only queues and tables)",
};

/**
 * Settings the Flex Consumption plan rejects or ignores (runtime and deployment live in
 * functionAppConfig there), plus the key-based storage connection.
 */
const MUST_NOT_SET: Record<string, string> = {
  FUNCTIONS_WORKER_RUNTIME: 'Flex Consumption takes the runtime from functionAppConfig.runtime and rejects this setting',
  FUNCTIONS_EXTENSION_VERSION: 'Flex Consumption always runs host 4.x and rejects this setting',
  WEBSITE_NODE_DEFAULT_VERSION: 'Flex Consumption takes the Node version from functionAppConfig.runtime.version',
  WEBSITE_RUN_FROM_PACKAGE: 'Flex Consumption deploys from functionAppConfig.deployment.storage',
  WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: 'a key-based Azure Files connection; Flex Consumption does not use a content share',
  WEBSITE_CONTENTSHARE: 'Flex Consumption does not use a content share',
  AzureWebJobsStorage: 'the connection-string form needs account keys; use AzureWebJobsStorage__accountName with the managed identity',
  ACS_CONNECTION_STRING: 'an access key; Azure uses ACS_ENDPOINT with the managed identity',
};

/** Role definition id → [name, resource type it must be assigned on, why]. */
const EXPECTED_ROLES: Record<string, { name: string; scopeType: string }> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': { name: 'Storage Blob Data Owner', scopeType: 'Microsoft.Storage/storageAccounts' },
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': { name: 'Storage Queue Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': { name: 'Storage Table Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  '3913510d-42f4-4e42-8a64-420c390055eb': { name: 'Monitoring Metrics Publisher', scopeType: 'Microsoft.Insights/components' },
  '09976791-48a7-449e-bb21-39d1a415f350': {
    name: 'Communication and Email Service Owner',
    scopeType: 'Microsoft.Communication/communicationServices',
  },
};

/** Granted to the Event Grid topic's identity (eventgrid.bicep), not to the app. */
const EVENT_GRID_ROLES: Record<string, string> = { 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender' };

/** Broad roles that must never be granted to the app. */
const FORBIDDEN_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
  '81a9662b-bebf-436f-a333-f67b29880f12': 'Storage Account Key Operator Service Role',
};

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function read(rel: string): string {
  return readFileSync(path.join(ROOT, rel), 'utf8');
}

function bicep(rel: string): BicepFile {
  return readBicep(path.join(ROOT, rel));
}

function filesUnder(rel: string, ext: string): string[] {
  const dir = path.join(ROOT, rel);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(path.join(rel, name), ext));
    else if (name.endsWith(ext)) out.push(path.join(rel, name));
  }
  return out.sort();
}

/** The appSettings object passed to the function app module in main.bicep. */
function appSettings(): { file: BicepFile; entries: Map<string, Entry> } {
  const file = bicep(MAIN);
  const module = /^\s*module\s+\w+\s+'modules\/functionapp\.bicep'/m.exec(file.code);
  if (!module) throw new Error(`${MAIN} has no \`module ... 'modules/functionapp.bicep'\`: the app settings are expected there`);
  const open = valueBracketAfter(file, 'appSettings', module.index);
  if (open < 0) throw new Error(`${MAIN}: the functionapp module call has no \`appSettings: { ... }\` block`);
  const entries = new Map<string, Entry>();
  for (const e of entriesOf(file, open)) {
    if (!e.key) throw new Error(`${MAIN}:${e.line}: cannot read "${e.value}" in appSettings: write one \`NAME: value\` per line`);
    if (entries.has(e.key)) throw new Error(`${MAIN}:${e.line}: app setting ${e.key} is set twice`);
    entries.set(e.key, e);
  }
  return { file, entries };
}

/** Items of an array param passed to a module in main.bicep, resolved to literals. */
function moduleArray(modulePath: string, param: string): string[] {
  const file = bicep(MAIN);
  const module = new RegExp(`^\\s*module\\s+\\w+\\s+'${modulePath.replace(/[.]/g, '\\.')}'`, 'm').exec(file.code);
  if (!module) throw new Error(`${MAIN} has no module '${modulePath}'`);
  const open = valueBracketAfter(file, param, module.index);
  if (open < 0) throw new Error(`${MAIN}: module '${modulePath}' gets no \`${param}: [ ... ]\``);
  return entriesOf(file, open).map((e) => {
    const r = resolve(file, e.value);
    if (r.kind !== 'literal') throw new Error(`${MAIN}:${e.line}: ${param} item ${e.value} must be a string literal or a var holding one`);
    return r.value;
  });
}

/**
 * What the functions register, read from the real registrations (the core stand-in records
 * the binding metadata the host would get), so constants and template literals in
 * functions/*.ts are already resolved.
 */
let registrations: Promise<RegisteredFunction[]> | undefined;
async function bindings(): Promise<{ queues: Set<string>; connections: Set<string>; expressions: Map<string, string> }> {
  const entries = filesUnder('functions', '.ts').filter((f) => path.dirname(f) === 'functions');
  registrations ??= loadFunctionApp(entries.map((f) => path.join(ROOT, f))).catch((error: unknown) => {
    throw new Error(`could not load ${entries.join(', ')} to read their bindings (fix the import error first): ${String(error)}`);
  });
  const queues = new Set<string>();
  const connections = new Set<string>();
  const expressions = new Map<string, string>();
  for (const fn of await registrations) {
    for (const b of Object.values(fn.bindings)) {
      if (/^queue/i.test(b.type) && typeof b.queueName === 'string') queues.add(b.queueName);
      if (typeof b.connection === 'string') connections.add(b.connection);
      for (const value of Object.values(b)) {
        if (typeof value !== 'string') continue;
        for (const m of value.matchAll(/%([A-Za-z_][A-Za-z0-9_]*)%/g))
          expressions.set(m[1]!, `function ${fn.name} (binding ${b.name ?? b.type})`);
      }
    }
  }
  return { queues, connections, expressions };
}

const settingNames = () => Object.keys(SETTINGS);

describe('app settings: infra/main.bicep against shared/settings/settings.ts', () => {
  it('sets every setting the code reads, unless it is deliberately local-only', () => {
    const { entries } = appSettings();
    const missing = settingNames().filter((k) => !(k in LOCAL_ONLY) && !entries.has(k));
    expect(
      missing,
      missing
        .map(
          (k) =>
            `the code reads ${k} (shared/settings/settings.ts) but ${MAIN} does not set it: add \`${k}: <value or param>\` to the appSettings block of the functionapp module in ${MAIN}, or, if it is only for local use, add it to LOCAL_ONLY in ${THIS_TEST} with the reason`,
        )
        .join('\n'),
    ).toEqual([]);
  });

  it('sets nothing the code and the host do not read', () => {
    const { entries } = appSettings();
    const known = new Set([...settingNames(), ...Object.keys(HOST_OWNED)]);
    const unknown = [...entries.keys()].filter((k) => !known.has(k));
    expect(
      unknown,
      unknown
        .map(
          (k) =>
            `${MAIN}:${entries.get(k)!.line} sets ${k}, which neither SETTINGS (shared/settings/settings.ts) nor the host reads: remove it, fix the name, or add it to HOST_OWNED in ${THIS_TEST} with the reason`,
        )
        .join('\n'),
    ).toEqual([]);
  });

  it('keeps local-only settings out of Azure, and the local-only list current', () => {
    const { entries } = appSettings();
    for (const [k, why] of Object.entries(LOCAL_ONLY)) {
      expect(entries.has(k), `${MAIN} sets ${k}, which must not be set in Azure: ${why}`).toBe(false);
      expect(k in SETTINGS, `LOCAL_ONLY in ${THIS_TEST} lists ${k}, which SETTINGS no longer has: remove it from the list`).toBe(true);
    }
    for (const [k, why] of Object.entries(MUST_NOT_SET)) {
      expect(entries.has(k), `${MAIN} sets ${k}; remove it: ${why}`).toBe(false);
    }
  });

  it('gives each setting a value its schema accepts (literals and parameter defaults)', () => {
    const { file, entries } = appSettings();
    const specs = SETTINGS as Record<
      string,
      { default?: string; schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } } }
    >;
    for (const [k, e] of entries) {
      const spec = specs[k];
      if (!spec) continue;
      const r = resolve(file, e.value);
      const raw = r.kind === 'literal' ? r.value : r.kind === 'param' ? r.default : undefined;
      if (raw === undefined) continue;
      // Empty means unset, as in loadSettings (app settings can be blanked, not always deleted).
      const parsed = spec.schema.safeParse(raw.trim() === '' ? spec.default : raw.trim());
      expect(
        parsed.success,
        `${MAIN}:${e.line}: ${k} = '${raw}'${r.kind === 'param' ? ` (default of param ${r.name})` : ''} is rejected by SETTINGS.${k}: ${parsed.error?.issues[0]?.message}`,
      ).toBe(true);
    }
  });

  it('runs with managed identity, Graph and ACS in Azure', () => {
    const { file, entries } = appSettings();
    const literal = (k: string) => {
      const e = entries.get(k);
      const r = e && resolve(file, e.value);
      return r?.kind === 'literal' ? r.value : undefined;
    };
    expect(literal('EMAIL_TRANSPORT'), `${MAIN}: set EMAIL_TRANSPORT: 'acs' (the outbox writes to local disk)`).toBe('acs');
    expect(literal('DIRECTORY_SOURCE'), `${MAIN}: set DIRECTORY_SOURCE: 'graph' (the snapshot is for offline runs)`).toBe('graph');
    expect(literal('AzureWebJobsStorage__credential'), `${MAIN}: set AzureWebJobsStorage__credential: 'managedidentity'`).toBe(
      'managedidentity',
    );
    for (const k of ['AzureWebJobsStorage__clientId', 'AZURE_CLIENT_ID']) {
      expect(
        entries.get(k)?.value,
        `${MAIN}: set ${k}: identity.outputs.clientId (the user-assigned identity, or DefaultAzureCredential finds none)`,
      ).toMatch(/^identity\.outputs\.clientId$/);
    }
    expect(
      entries.get('AzureWebJobsStorage__accountName')?.value,
      `${MAIN}: set AzureWebJobsStorage__accountName: storage.outputs.name`,
    ).toBe('storage.outputs.name');
    expect(
      entries.get('ACS_ENDPOINT')?.value,
      `${MAIN}: set ACS_ENDPOINT from the Communication Services hostName (communication.outputs.endpoint)`,
    ).toBe('communication.outputs.endpoint');
    expect(
      entries.get('EMAIL_SENDER_ADDRESS')?.value,
      `${MAIN}: set EMAIL_SENDER_ADDRESS to DoNotReply@<managed domain> (communication.outputs.senderAddress); ACS refuses other senders`,
    ).toBe('communication.outputs.senderAddress');
    expect(
      entries.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')?.value,
      `${MAIN}: set APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=\${identity.outputs.clientId};Authorization=AAD'`,
    ).toMatch(/ClientId=\$\{identity\.outputs\.clientId\};Authorization=AAD/);

    const communication = bicep('infra/modules/communication.bicep').code;
    expect(communication, 'communication.bicep: endpoint output must be https://<hostName>').toMatch(
      /output\s+endpoint\s+string\s*=\s*'https:\/\/\$\{communicationService\.properties\.hostName\}'/,
    );
    expect(communication, 'communication.bicep: senderAddress output must be DoNotReply@<mailFromSenderDomain>').toMatch(
      /output\s+senderAddress\s+string\s*=\s*'DoNotReply@\$\{managedDomain\.properties\.mailFromSenderDomain\}'/,
    );
  });

  it('passes every app setting, and only those, from main.bicep to the Function App', () => {
    const app = bicep(APP_MODULE);
    const config = resources(app).find((r) => r.type === 'config' || r.type === 'Microsoft.Web/sites/config');
    expect(config, `${APP_MODULE}: expected a config resource named 'appsettings'`).toBeDefined();
    expect(
      config!.body,
      `${APP_MODULE}: the appsettings config must be exactly \`properties: appSettings\`, so main.bicep lists every setting`,
    ).toMatch(/^\{\s*name:\s*'appsettings'\s*properties:\s*appSettings\s*\}$/);
    expect(app.masked, `${APP_MODULE}: app settings belong in main.bicep's appSettings block, not in siteConfig.appSettings`).not.toMatch(
      /appSettings\s*:\s*\[/,
    );
  });

  it('sets every %SETTING% used in a binding and the settings of every trigger connection', async () => {
    const { entries } = appSettings();
    const { connections, expressions } = await bindings();
    expect(expressions.size + connections.size, 'no bindings found in functions/*.ts: the functions did not register').toBeGreaterThan(0);
    for (const [name, where] of expressions) {
      expect(entries.has(name), `${where} uses %${name}%: add ${name} to the appSettings block in ${MAIN}`).toBe(true);
    }
    for (const c of connections) {
      expect(
        entries.has(`${c}__accountName`) || entries.has(`${c}__queueServiceUri`),
        `a trigger uses connection '${c}': set ${c}__accountName (and __credential, __clientId) in ${MAIN}`,
      ).toBe(true);
      if (entries.has(`${c}__accountName`)) {
        expect(
          entries.has(`${c}__credential`) && entries.has(`${c}__clientId`),
          `${MAIN}: set ${c}__credential and ${c}__clientId too`,
        ).toBe(true);
      }
    }
  });
});

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

describe('security: keys off, least-privilege roles', () => {
  const files = () => bicepFilesUnder(path.join(ROOT, 'infra')).map((f) => readBicep(f));

  it('turns shared-key access off and requires TLS 1.2 on the storage account', () => {
    const account = resources(bicep('infra/modules/storage.bicep')).find(
      (r) => r.type === 'Microsoft.Storage/storageAccounts' && !r.existing,
    );
    expect(account, 'storage.bicep must declare the storage account').toBeDefined();
    expect(account!.body, 'storage.bicep: set allowSharedKeyAccess: false (managed identity only)').toMatch(
      /allowSharedKeyAccess:\s*false\b/,
    );
    expect(account!.body, "storage.bicep: set minimumTlsVersion: 'TLS1_2'").toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(account!.body, 'storage.bicep: set allowBlobPublicAccess: false').toMatch(/allowBlobPublicAccess:\s*false\b/);
  });

  it('reads no keys and writes no secrets anywhere in infra', () => {
    for (const f of files()) {
      const rel = path.relative(ROOT, f.path);
      expect(f.code, `${rel}: listKeys()/listConnectionStrings() read secrets; use the managed identity instead`).not.toMatch(
        /\blist(Keys|ConnectionStrings|AccountSas)\s*\(/i,
      );
      expect(f.code, `${rel}: no account keys or access keys in templates`).not.toMatch(/AccountKey=|accesskey=/i);
      expect(f.code, `${rel}: allowSharedKeyAccess must never be true`).not.toMatch(/allowSharedKeyAccess:\s*true/);
    }
    const monitoring = bicep('infra/modules/monitoring.bicep').code;
    expect(monitoring, 'monitoring.bicep: Application Insights needs DisableLocalAuth: true').toMatch(/DisableLocalAuth:\s*true/);
  });

  it('grants exactly the expected roles, each on the one resource that needs it, to the app identity', () => {
    const granted = new Map<string, string>();
    // eventgrid.bicep grants the Event Grid topic's identity, not the app's: test/infra/eventgrid.test.ts checks it.
    for (const f of files().filter((file) => !file.path.endsWith('eventgrid.bicep'))) {
      const rel = path.relative(ROOT, f.path);
      const decls = resources(f);
      for (const r of decls.filter((d) => d.type === 'Microsoft.Authorization/roleAssignments')) {
        const m = /roleDefinitionId:\s*subscriptionResourceId\(\s*'Microsoft\.Authorization\/roleDefinitions'\s*,\s*([^)]+?)\s*\)/.exec(
          r.body,
        );
        expect(
          m,
          `${rel}: role assignment ${r.symbol} must use subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <guid var>)`,
        ).toBeTruthy();
        const resolved = resolve(f, m![1]!);
        expect(resolved.kind, `${rel}: role assignment ${r.symbol}: the role id must be a literal GUID or a var holding one`).toBe(
          'literal',
        );
        const roleId = (resolved as { value: string }).value.toLowerCase();
        const expected = EXPECTED_ROLES[roleId];
        expect(
          expected,
          `${rel}: role assignment ${r.symbol} grants ${FORBIDDEN_ROLES[roleId] ?? roleId}, which is not in the least-privilege set; remove it (or justify it and add it to EXPECTED_ROLES in ${THIS_TEST})`,
        ).toBeDefined();
        const scope = /\bscope:\s*([A-Za-z_]\w*)/.exec(r.body)?.[1];
        const scopeDecl = decls.find((d) => d.symbol === scope);
        expect(
          scopeDecl?.type,
          `${rel}: ${expected!.name} (${r.symbol}) must be assigned with scope: <the ${expected!.scopeType}>, not the resource group or subscription`,
        ).toBe(expected!.scopeType);
        expect(r.body, `${rel}: ${r.symbol}: set principalType: 'ServicePrincipal' (the managed identity)`).toMatch(
          /principalType:\s*'ServicePrincipal'/,
        );
        expect(r.body, `${rel}: ${r.symbol}: grant to the app identity (principalId: principalId)`).toMatch(/principalId:\s*principalId\b/);
        expect(granted.has(roleId), `${rel}: ${expected!.name} is assigned twice`).toBe(false);
        granted.set(roleId, rel);
      }
    }
    const missing = Object.entries(EXPECTED_ROLES)
      .filter(([id]) => !granted.has(id))
      .map(([id, r]) => `${r.name} (${id}) on the ${r.scopeType}`);
    expect(missing, `infra/modules/rbac.bicep must assign: ${missing.join('; ')}`).toEqual([]);
  });

  it('mentions no other role GUID in any template, and none of the broad roles', () => {
    for (const f of files()) {
      const rel = path.relative(ROOT, f.path);
      for (const m of f.code.matchAll(GUID)) {
        const id = m[0].toLowerCase();
        expect(FORBIDDEN_ROLES[id], `${rel} mentions ${FORBIDDEN_ROLES[id]} (${id}): the app must not get it`).toBeUndefined();
        expect(
          id in EXPECTED_ROLES || id in EVENT_GRID_ROLES,
          `${rel} mentions GUID ${id}, which is not one of the expected roles: remove it or add it to EXPECTED_ROLES in ${THIS_TEST}`,
        ).toBe(true);
      }
      expect(
        f.code,
        `${rel}: no custom role definitions in the template (ARM read rights are granted per subscription, docs/deploy.md)`,
      ).not.toMatch(/'Microsoft\.Authorization\/roleDefinitions@/);
    }
  });

  it('creates one user-assigned identity and gives the Function App only that one', () => {
    const identities = bicepFilesUnder(path.join(ROOT, 'infra'))
      .map((f) => readBicep(f))
      .flatMap((f) => resources(f).filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && !r.existing));
    expect(identities.length, 'infra must create exactly one user-assigned managed identity').toBe(1);
    const site = resources(bicep(APP_MODULE)).find((r) => r.type === 'Microsoft.Web/sites');
    expect(site?.body, `${APP_MODULE}: identity type must be 'UserAssigned' (no system-assigned identity with its own grants)`).toMatch(
      /identity:\s*\{\s*type:\s*'UserAssigned'/,
    );
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
