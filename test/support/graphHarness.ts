/** Starts the local Graph and ARM for a tenant and builds the production directory against them. */
import { loadSettings } from '../../shared/settings/settings.js';
import type { GraphDirectory } from '../../shared/directory/graphDirectory.js';
import { createGraphDirectory } from '../../shared/composition/services.js';
import { FakeGraph, fakeCredential, routedFetch, type TenantData } from './fakeGraph.js';
import { FakeArm } from './fakeArm.js';
import type { WorldOptions } from './fakeServer.js';
import { SUB } from './sampleTenant.js';

export interface Harness {
  graph: FakeGraph;
  arm: FakeArm;
  directory: GraphDirectory;
  stop(): Promise<void>;
}

/** `server.now`: the instant of the tenant's world (SAMPLE_NOW's clock for the sample tenant). */
export async function startHarness(data: TenantData, options: { server: WorldOptions; env?: Record<string, string> }): Promise<Harness> {
  const env = {
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    ARM_BASE_URL: 'https://management.azure.com',
    AZURE_SUBSCRIPTION_IDS: SUB,
    ...options.env,
  };
  const settings = loadSettings(env);
  const graph = await new FakeGraph(data, { publicBaseUrl: settings.GRAPH_BASE_URL, ...options.server }).start();
  const arm = await new FakeArm(data, { publicBaseUrl: settings.ARM_BASE_URL, ...options.server }).start();
  const fetch = routedFetch({ [new URL(settings.GRAPH_BASE_URL).origin]: graph, [new URL(settings.ARM_BASE_URL).origin]: arm });
  const directory = await createGraphDirectory(settings, { credential: fakeCredential(), fetch });
  return { graph, arm, directory, stop: async () => void (await Promise.all([graph.stop(), arm.stop()])) };
}
