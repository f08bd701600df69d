/**
 * The production services (Graph/ARM directory, PIM confirmer, Azurite tables) against the local
 * Graph and ARM that also serve PIM's request APIs (fakeRequests.ts), over the sample tenant;
 * emails are recorded, events put back on the queue are recorded.
 */
import { readFile } from 'node:fs/promises';
import { createServices, type Services } from '../../shared/composition/services.js';
import type { OutgoingEmail } from '../../shared/render/email.js';
import { RecordingTransport } from '../../dev/doubles/recordingTransport.js';
import type { PimEvent } from '../../shared/events/schema.js';
import type { Log } from '../../shared/log.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { notifyEvent, type NotifyOutcome } from '../../shared/usecases/notify.js';
import { fakeCredential, routedFetch, type TenantData } from '../support/fakeGraph.js';
import { FakeRequestsArm, FakeRequestsGraph, PimRequests } from '../support/fakeRequests.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';
import { SAMPLE_NOW, runningClockFrom } from '../support/clock.js';

/**
 * The app runs in the sample tenant's world (its schedules carry fixed dates): its clock starts
 * at SAMPLE_NOW and runs from there, and every date the tests make is relative to it.
 */
export const clock = runningClockFrom(SAMPLE_NOW);

export const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
export const SUB = '0397ec91-6a5d-4e86-97eb-8b993698c132';
export const RG_DATA = `/subscriptions/${SUB}/resourceGroups/rg-prod-data`;
export const ROLE_GA = '62e90394-69f5-4237-9190-012177145e10';
export const ROLE_EXCHANGE = '29232cdf-9323-42fd-ade2-1d097af3e4de';
export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
/** Christie Cline: eligible Exchange Administrator. */
export const CHRISTIE = '70f88c65-4eef-45ad-8b6c-e05092e0a3f9';
/** Raul Razo: eligible Owner of rg-prod-data. */
export const RAUL = 'a4f92d22-1abc-4d70-93ff-c9a6b8eaac20';
/** A group managed by PIM for Groups, and an eligible member of it. */
export const PIM_GROUP = 'aeecddf9-ff6b-4ce4-8384-dcb3b7fe19f1';
export const GROUP_MEMBER = 'c1719bd3-1903-4468-89aa-19bed00cecc2';

export interface Trust {
  pim: PimRequests;
  graph: FakeRequestsGraph;
  arm: FakeRequestsArm;
  services: Services;
  sent: OutgoingEmail[];
  requeued: { text: string; delayMs: number }[];
  logs: string[];
  notify(event: PimEvent): Promise<NotifyOutcome>;
  stop(): Promise<void>;
}

/** `env`: settings over the harness's (CONFIRM_LAG_SECONDS is 0 unless given); `edit`: changes to the sample tenant. */
export async function startTrust(env: Record<string, string> = {}, edit: (data: TenantData) => void = () => {}): Promise<Trust> {
  const data = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8')) as TenantData;
  edit(data);
  const pim = new PimRequests();
  // PIM lists the instances in force: in force as of the app's clock.
  const graph = await new FakeRequestsGraph(data, pim, { now: () => clock.now() }).start();
  const arm = await new FakeRequestsArm(data, pim, { now: () => clock.now() }).start();
  const settings = loadSettings({
    AzureWebJobsStorage: storageConnectionString(),
    DIRECTORY_SOURCE: 'graph',
    AZURE_SUBSCRIPTION_IDS: SUB,
    ACTIVITY_TABLE: uniqueTableName('Act'),
    DELIVERY_TABLE: uniqueTableName('Del'),
    RECIPIENT_RATE_TABLE: uniqueTableName('Rate'),
    // No waiting for PIM unless a test is about it: an answer at once.
    CONFIRM_LAG_SECONDS: '0',
    ...env,
  });
  const transport = new RecordingTransport();
  const sent = transport.sent;
  const requeued: Trust['requeued'] = [];
  const logs: string[] = [];
  const created = await createServices(settings, {
    clock,
    credential: fakeCredential(),
    fetch: routedFetch({ 'https://graph.microsoft.com': graph, 'https://management.azure.com': arm }),
    eventsQueue: uniqueQueueName('trust'),
    transport,
  });
  const services: Services = {
    ...created,
    events: { send: (event) => created.events.send(event), later: async (text, delayMs) => void requeued.push({ text, delayMs }) },
  };
  const log: Log = (level, message) => void logs.push(`${level} ${message}`);
  return {
    pim,
    graph,
    arm,
    services,
    sent,
    requeued,
    logs,
    notify: (event) => notifyEvent(JSON.stringify(event), { ...services, log }),
    stop: async () => void (await Promise.all([graph.stop(), arm.stop()])),
  };
}

let n = 0;
/** A unique event id. */
export function eventId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${n++}`;
}

export function minutesAgo(minutes: number): string {
  return clock.minutesAgo(minutes);
}
