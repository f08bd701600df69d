/**
 * The app settings in infra/main.bicep against what the code reads (SETTINGS, the function
 * bindings) and what the host reads: nothing missing, nothing extra, nothing local-only, every
 * value one its schema accepts. The templates are read as text (test/infra/templates.ts); each
 * failure says what to change and where.
 */
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../shared/settings/settings.js';
import { resolve, resources } from './bicep.js';
import { APP_MODULE, MAIN, appSettings, bicep, bindings } from './templates.js';

const THIS_TEST = 'test/infra/appSettings.test.ts';

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
