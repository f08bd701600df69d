/**
 * `pim-notify doctor` against the local services: Graph (directory, audit log, PIM requests),
 * ARM (directory, requests, and the deployment: ACS resource, email domain, Event Grid), ACS,
 * and an Azurite of its own (the app's queue names are fixed: a test that deletes one must not
 * take it from another file's tests). The app's clock is the sample tenant's.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { QueueClient } from '@azure/storage-queue';
import { TableClient } from '@azure/data-tables';
import { doctor, type DoctorOverrides } from '../../bin/commands/doctor.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { DELIVERY_REPORTS_POISON_QUEUE, DELIVERY_REPORTS_QUEUE, EVENTS_QUEUE, POISON_QUEUE } from '../../shared/queues/queueNames.js';
import { createAcsTransport } from '../../shared/transport/acsTransport.js';
import type { Transport } from '../../shared/transport/transport.js';
import { forgetReportedPermissions } from '../../shared/permissions/missing.js';
import { capture } from '../bin/commands/support.js';
import { FakeAcs } from '../support/fakeAcs.js';
import { FakeDeploymentArm, type FakeDeployment } from '../support/fakeArmDeployment.js';
import { fakeCredential, routedFetch, type TenantData } from '../support/fakeGraph.js';
import { FakeRequestsGraph, PimRequests } from '../support/fakeRequests.js';
import { startOwnAzurite, type OwnAzurite } from '../support/faults.js';
import { uniqueTableName } from '../support/storage.js';
import { sampleClock, sampleWorld } from '../support/clock.js';

export const SUB = '0397ec91-6a5d-4e86-97eb-8b993698c132';
export const SENDER_DOMAIN = '5f3c2a1b-0000-4000-8000-000000000001.azurecomm.net';
export const QUEUES = [EVENTS_QUEUE, POISON_QUEUE, DELIVERY_REPORTS_QUEUE, DELIVERY_REPORTS_POISON_QUEUE];

export function healthyDeployment(): FakeDeployment {
  return {
    subscriptionId: SUB,
    resourceGroup: 'rg-pim',
    acs: { name: 'acs-pim', hostName: '127.0.0.1' },
    emailService: 'email-pim',
    domains: [{ name: SENDER_DOMAIN, management: 'AzureManaged', usernames: ['DoNotReply'] }],
    systemTopic: {
      name: 'egst-acs-pim',
      subscriptions: [
        {
          name: 'email-delivery-reports',
          queueName: DELIVERY_REPORTS_QUEUE,
          account: 'devstoreaccount1',
          eventTypes: ['Microsoft.Communication.EmailDeliveryReportReceived'],
        },
      ],
    },
  };
}

/**
 * The local Graph, refusing the query shapes a test names with Graph's 400 and error body (a
 * service that disagrees with its documentation, or a shape it does not document): how the
 * doctor reports a query Microsoft refuses.
 */
export class RefusingGraph extends FakeRequestsGraph {
  refuse: RegExp | undefined;

  protected override handle(method: string, url: URL, body: unknown, headers: Record<string, string> = {}) {
    if (this.refuse?.test(decodeURIComponent(url.pathname + url.search)))
      return { status: 400, body: this.errorBody('BadRequest', 'Invalid filter clause: the property is not supported in a filter.') };
    return super.handle(method, url, body, headers);
  }
}

export interface DoctorWorld {
  graph: RefusingGraph;
  arm: FakeDeploymentArm;
  acs: FakeAcs;
  azurite: OwnAzurite;
  env: Record<string, string>;
  /** The production ACS transport on the local ACS (`accessKey`: another key, to be refused). */
  transport(accessKey?: string): Transport;
  /** Runs `pim-notify doctor ARGS` with the world's settings, endpoints and transport. */
  run(
    args?: string[],
    overrides?: { env?: Record<string, string>; transport?: Transport },
  ): Promise<{ status: number; stdout: string; stderr: string }>;
  queue(name: string): QueueClient;
  stop(): Promise<void>;
}

export async function startDoctorWorld(): Promise<DoctorWorld> {
  const data = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8')) as TenantData;
  const pim = new PimRequests();
  const graph = await new RefusingGraph(data, pim, sampleWorld).start();
  const arm = await new FakeDeploymentArm(data, pim, healthyDeployment(), sampleWorld).start();
  const acs = await FakeAcs.start();
  const azurite = await startOwnAzurite();
  for (const q of QUEUES) await new QueueClient(azurite.connectionString, q).createIfNotExists();
  const env: Record<string, string> = {
    AzureWebJobsStorage: azurite.connectionString,
    DIRECTORY_SOURCE: 'graph',
    EMAIL_TRANSPORT: 'acs',
    ACS_CONNECTION_STRING: acs.connectionString(),
    EMAIL_SENDER_ADDRESS: `DoNotReply@${SENDER_DOMAIN}`,
    AZURE_SUBSCRIPTION_IDS: SUB,
    ACTIVITY_TABLE: uniqueTableName('DocAct'),
    DELIVERY_TABLE: uniqueTableName('DocDel'),
    SOURCES_TABLE: uniqueTableName('DocSrc'),
    RECIPIENT_RATE_TABLE: uniqueTableName('DocRate'),
  };
  // What infra/modules/storage.bicep creates: the app's tables (the queues above).
  for (const table of ['ACTIVITY_TABLE', 'DELIVERY_TABLE', 'SOURCES_TABLE', 'RECIPIENT_RATE_TABLE'])
    await TableClient.fromConnectionString(azurite.connectionString, env[table]!, { allowInsecureConnection: true }).createTable();
  const transport = (accessKey?: string) =>
    createAcsTransport(
      { ACS_CONNECTION_STRING: acs.connectionString(accessKey), ACS_ENDPOINT: undefined, AZURE_CLIENT_ID: undefined },
      { clientOptions: { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } } },
    );
  const world: DoctorWorld = {
    graph,
    arm,
    acs,
    azurite,
    env,
    transport,
    run: (args = [], overrides = {}) => {
      // The app reports a missing permission once per process: each run is a new first hour.
      forgetReportedPermissions();
      const options: DoctorOverrides = {
        env: { ...env, ...overrides.env },
        services: {
          clock: sampleClock,
          credential: fakeCredential(),
          fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
          transport: overrides.transport ?? transport(),
        },
      };
      return capture(() => doctor(args, options));
    },
    queue: (name) => new QueueClient(azurite.connectionString, name),
    stop: async () => {
      await Promise.all([graph.stop(), arm.stop(), acs.close()]);
      await azurite.dispose();
    },
  };
  return world;
}

/** The lines of a text run that start with FAIL or WARN, with their fix lines. */
export function problems(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^(FAIL|WARN) /.test(l));
}

/**
 * One doctor world for a test file: started once, and before each test back to a healthy
 * deployment with no faults and fresh counts. Returns the world of the running file.
 */
export function useDoctorWorld(): () => DoctorWorld {
  let world: DoctorWorld | undefined;
  beforeAll(async () => {
    world = await startDoctorWorld();
  }, 60_000);
  afterAll(async () => world?.stop());
  beforeEach(() => {
    world!.graph.resetCounts();
    world!.arm.resetCounts();
    world!.graph.clearFaults();
    world!.arm.clearFaults();
    Object.assign(world!.arm.deployment, healthyDeployment());
  });
  return () => world!;
}
