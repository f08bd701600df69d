/**
 * Telemetry as it runs in Azure: startTelemetry with a connection string whose ingestion
 * endpoint is a local HTTPS server (the exporter sends over https only) standing in for Application Insights' (it receives the
 * exporter's real envelopes), the notify function invoked the way the host does (its trace
 * context, through the preInvocation hook startTelemetry registers), the production
 * Graph/ARM directory and ACS transport against their local endpoints. The exported envelopes
 * must hold a dependency per Graph, ARM and ACS call, with its target and result code, all
 * in the invocation's operation and parented under it; the exporter signs in with the identity.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { InvocationContext, type PreInvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, setServicesForTesting } from '../../shared/composition/services.js';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { flushTelemetry, startTelemetry, stopTelemetry } from '../../shared/telemetry/telemetry.js';
import { FakeAcs } from '../support/fakeAcs.js';
import { FakeArm } from '../support/fakeArm.js';
import { FakeGraph, fakeCredential, routedFetch } from '../support/fakeGraph.js';
import { acsTransport } from '../support/faultsServices.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { RG, SUB, USERS, sampleTenant } from '../support/sampleTenant.js';
import { sampleWorld } from '../support/clock.js';

interface Envelope {
  name: string;
  iKey: string;
  tags: Record<string, string>;
  data: {
    baseType: string;
    baseData: { id: string; name: string; target?: string; resultCode?: string; success?: boolean; type?: string; data?: string };
  };
}

const envelopes: Envelope[] = [];
const authorizations: string[] = [];
const telemetryCredential = fakeCredential();
let ingestion: Server;
let graph: FakeGraph;
let arm: FakeArm;
let acs: FakeAcs;
let certDir = '';
let hook: ((ctx: PreInvocationContext) => void) | undefined;

beforeAll(async () => {
  // The SDK's own health telemetry goes to a Microsoft endpoint: not from a test.
  process.env['APPLICATION_INSIGHTS_NO_STATSBEAT'] = 'true';
  // The exporter speaks only https: a certificate for 127.0.0.1 made for this run, trusted by its client alone.
  certDir = await mkdtemp(path.join(tmpdir(), 'pim-ingest-'));
  const [key, cert] = [path.join(certDir, 'key.pem'), path.join(certDir, 'cert.pem')];
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const tls = { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  ingestion = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const received = (
        text.trim().startsWith('[')
          ? JSON.parse(text)
          : text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l))
      ) as Envelope[];
      if (req.url?.startsWith('/v2.1/track')) envelopes.push(...received);
      authorizations.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: received.length, itemsAccepted: received.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const { port } = ingestion.address() as AddressInfo;
  const app = { hook: { preInvocation: (h: (ctx: PreInvocationContext) => void) => (hook = h) } };
  await startTelemetry(app, `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:${port}/`, {
    serviceName: 'pim-notify-test',
    // As in Azure: Application Insights with local auth off takes the app identity's token.
    credential: telemetryCredential,
    exporterOptions: { tlsOptions: { ca: tls.cert } },
  });

  const settings = loadSettings({
    AzureWebJobsStorage: storageConnectionString(),
    ACTIVITY_TABLE: uniqueTableName('TelAct'),
    DELIVERY_TABLE: uniqueTableName('TelLed'),
    DIRECTORY_SOURCE: 'graph',
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    ARM_BASE_URL: 'https://management.azure.com',
    AZURE_SUBSCRIPTION_IDS: SUB,
    // Its synthetic event has no PIM record behind it (confirmation is test/trust's).
    CONFIRM_WITH_PIM: 'false',
    RECIPIENT_RATE_TABLE: uniqueTableName('TelRate'),
  });
  graph = await new FakeGraph(sampleTenant(), { ...sampleWorld, publicBaseUrl: settings.GRAPH_BASE_URL }).start();
  arm = await new FakeArm(sampleTenant(), { ...sampleWorld, publicBaseUrl: settings.ARM_BASE_URL }).start();
  acs = await FakeAcs.start({ pollsUntilDone: 1 });
  const fetch = routedFetch({ [new URL(settings.GRAPH_BASE_URL).origin]: graph, [new URL(settings.ARM_BASE_URL).origin]: arm });
  const services = await createServices(settings, {
    credential: fakeCredential(),
    fetch,
    transport: acsTransport(acs, () => {}),
    eventsQueue: uniqueQueueName('tel'),
  });
  setServicesForTesting(services);
});

afterAll(async () => {
  setServicesForTesting(undefined);
  await stopTelemetry();
  await Promise.all([graph?.stop(), arm?.stop(), acs?.close(), new Promise((resolve) => ingestion?.close(resolve))]);
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** Runs notify as the host does: in the invocation's trace context, through the registered hook. */
async function invokeNotify(message: unknown, traceParent: string): Promise<void> {
  const { notify } = await import('../../functions/notify.js');
  const invocationContext = new InvocationContext({
    invocationId: randomBytes(8).toString('hex'),
    functionName: 'notify',
    traceContext: { traceParent, traceState: undefined, attributes: {} },
    triggerMetadata: { id: 'm1', dequeueCount: 1 },
    logHandler: () => {},
  });
  const ctx = {
    invocationContext,
    functionHandler: notify,
    inputs: [message],
    hookData: {},
    appHookData: {},
  } as unknown as PreInvocationContext;
  expect(hook, 'startTelemetry registers the trace-context hook').toBeDefined();
  hook!(ctx);
  await (ctx.functionHandler as typeof notify)(message, invocationContext);
}

describe('telemetry in Application Insights', () => {
  it('reports the Graph, ARM and ACS calls of a notify as dependencies of its invocation', async () => {
    const tenantId = sampleTenant().tenant.id;
    const event: PimEvent = {
      id: `tel-${randomBytes(4).toString('hex')}`,
      type: 'roleAssigned',
      tenantId,
      occurredAt: new Date().toISOString(),
      scope: { kind: 'azureResource', id: RG },
      role: { id: ROLE.owner },
      principal: { id: USERS.alain, type: 'user' },
      assignment: { state: 'eligible', permanent: false, endDateTime: '2027-02-01T00:00:00Z' },
    };
    const traceId = randomBytes(16).toString('hex');
    const invocationSpan = randomBytes(8).toString('hex');
    await invokeNotify(event, `00-${traceId}-${invocationSpan}-01`);
    expect(acs.deliveries.length, 'the notify sent its emails').toBeGreaterThan(0);
    await flushTelemetry();

    const dependencies = envelopes.filter((e) => e.data.baseType === 'RemoteDependencyData');
    const inTrace = dependencies.filter((e) => e.tags['ai.operation.id'] === traceId);
    expect(inTrace.length).toBeGreaterThan(0);
    expect(inTrace.every((e) => e.iKey === '00000000-0000-0000-0000-000000000000' && e.tags['ai.cloud.role'] === 'pim-notify-test')).toBe(
      true,
    );
    // Every dependency hangs under the invocation, directly or under another of its spans.
    const ids = new Set([invocationSpan, ...inTrace.map((e) => e.data.baseData.id)]);
    expect(inTrace.filter((e) => !ids.has(e.tags['ai.operation.parentId'] ?? '')).map((e) => e.data.baseData.name)).toEqual([]);

    // An HTTP dependency per call, its target the service's host, its data the URL called.
    const http = (origin: string) =>
      inTrace.filter((e) => e.data.baseData.type === 'Http' && (e.data.baseData.data ?? '').startsWith(`${origin}/`));
    const graphCalls = http('https://graph.microsoft.com');
    const armCalls = http('https://management.azure.com');
    const acsOrigin = new URL(
      acs
        .connectionString()
        .replace(/^endpoint=/i, '')
        .split(';')[0]!,
    ).origin;
    const acsCalls = http(acsOrigin);
    expect(graphCalls.length, 'Graph calls').toBeGreaterThan(0);
    expect(armCalls.length, 'ARM calls').toBeGreaterThan(0);
    expect(acsCalls.length, 'ACS calls').toBeGreaterThan(0);
    expect(graphCalls.every((c) => c.data.baseData.target === 'graph.microsoft.com')).toBe(true);
    expect(armCalls.every((c) => c.data.baseData.target === 'management.azure.com')).toBe(true);
    expect(acsCalls.every((c) => c.data.baseData.target === new URL(acsOrigin).hostname)).toBe(true);
    for (const call of [...graphCalls, ...armCalls, ...acsCalls]) {
      expect(call.data.baseData.resultCode).toMatch(/^2\d\d$/);
      expect(call.data.baseData.success).toBe(true);
    }
    // The send itself: the POST of the email to ACS.
    expect(acsCalls.some((c) => /POST/.test(c.data.baseData.name) && /\/emails:send/.test(c.data.baseData.data ?? ''))).toBe(true);
    // The query can carry ids ($filter): never in what is reported.
    expect(graphCalls.every((c) => !(c.data.baseData.data ?? '').includes('?'))).toBe(true);
    // Signed in with the identity, for Azure Monitor's audience.
    expect(telemetryCredential.calls).toContain('https://monitor.azure.com/.default');
    expect(authorizations.length).toBeGreaterThan(0);
    expect(authorizations.every((a) => a === 'Bearer local-token:https://monitor.azure.com/.default')).toBe(true);
    // Not invented nor doubled: one dependency per request the local Graph and ARM served.
    expect(graphCalls.length).toBe(graph.count(undefined, false));
    expect(armCalls.length).toBe(arm.count());
  }, 60_000);
});
