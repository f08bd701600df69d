/**
 * The composition root: the one place that builds adapters, once per process, from the
 * settings. Entry points (functions/, bin/) call getServices(); use cases receive the ports.
 * Production adapters (Graph/ARM, ACS) are imported lazily so the embedded defaults load
 * fast and a cold start pays only for what it uses.
 */
import { telemetryStarted } from '../telemetry/telemetry.js';
import { tracedFetch } from '../telemetry/tracedFetch.js';
import type { TokenCredential } from '@azure/core-auth';
import type { GraphDirectory } from '../directory/graphDirectory.js';
import type { RoleDirectory } from '../directory/roleDirectory.js';
import type { GraphApi, FetchLike } from '../directory/graph/graphClient.js';
import type { ArmApi } from '../directory/arm/armClient.js';
import type { Transport } from '../transport/transport.js';
import type { PimConfirmer } from '../confirm/pimConfirmer.js';
import type { ScheduleLists } from '../confirm/pimRecordConfirmer.js';
import { UncheckedConfirmer } from '../confirm/uncheckedConfirmer.js';
import { templateSet } from '../render/templateStore.js';
import { fromPackageRoot } from '../packageRoot.js';
import { loadSettings, type Settings } from '../settings/settings.js';
import type { AuditSource } from '../sources/auditSource.js';
import type { RequestSource } from '../sources/requestSource.js';
import type { CursorStore, EmittedStore, RecordedRequests, TrackingStore } from '../sources/sourcesStore.js';
import { TableSourcesStore } from '../sources/tableSourcesStore.js';
import type { ActivityStore } from '../activity/activityStore.js';
import type { EventRegistry } from '../delivery/eventRegistry.js';
import { TableEventRegistry } from '../delivery/tableEventRegistry.js';
import type { DeliveryLedger } from '../delivery/deliveryLedger.js';
import type { EventsQueue } from '../queues/eventsQueue.js';
import { StorageEventsQueue } from '../queues/storageEventsQueue.js';
import { EVENTS_QUEUE } from '../queues/queueNames.js';
import { queueClient } from '../queues/queues.js';
import { TableActivityStore } from '../activity/tableActivityStore.js';
import { TableDeliveryLedger } from '../delivery/tableDeliveryLedger.js';
import type { RateLimit } from '../rateLimit/rateLimit.js';
import { TableRateLimit } from '../rateLimit/tableRateLimit.js';
import { tableClient, type StorageConnection } from '../storage/tables.js';
import { azureCredential } from './credential.js';
import { systemClock, type Clock } from '../time/clock.js';
import { withAlternateAddresses } from '../escalation/alternates.js';
import type { DeliveryHealth } from '../escalation/deliveryHealth.js';
import { TableDeliveryHealth } from '../escalation/tableDeliveryHealth.js';

export interface SourceAdapters {
  store: CursorStore & EmittedStore & TrackingStore & RecordedRequests;
  /** Built on first use: the expiry scanner needs no Graph client. */
  auditSource(): Promise<AuditSource>;
  /** PIM's request APIs: Graph (the app's one client) and ARM per subscription; built on first use. */
  requestSource(): Promise<RequestSource>;
}

export interface Services {
  settings: Settings;
  /** The app's one clock: every adapter and use case that asks the time asks it. */
  clock: Clock;
  directory: RoleDirectory;
  /** How every email leaves: the outbox or ACS. */
  transport: Transport;
  activity: ActivityStore;
  /** Who has been sent what, once, and what became of it (every email the app sends). */
  ledger: DeliveryLedger;
  registry: EventRegistry;
  /** The events queue: what the sources find, and events put back for later (events waiting, resends). */
  events: EventsQueue;
  /** The per-recipient rate limit of informational emails, and what it held back. */
  rateLimit: RateLimit;
  storage: StorageConnection;
  sources: SourceAdapters;
  /** Is an event what PIM's records say happened (CONFIRM_WITH_PIM)? */
  confirmer: PimConfirmer;
  /** The hour's delivery-report counts, for the delivery-health warning. */
  deliveryHealth: DeliveryHealth;
}

/** What tests and the benchmark inject instead of the real identity and network. */
export interface ServiceOptions {
  /** The clock instead of the system's (tests pin it). */
  clock?: Clock;
  /** For Graph, ARM and ACS (default: azureCredential(AZURE_CLIENT_ID)). */
  credential?: TokenCredential;
  /** Transport for Graph and ARM (tests route it to local endpoints; see graph/graphClient.ts). */
  fetch?: FetchLike;
  /** Queue the event sources write to (default pim-events). */
  eventsQueue?: string;
  /** A ready directory or transport instead of the ones the settings name. */
  directory?: RoleDirectory;
  transport?: Transport;
}

/**
 * The confirmer the settings call for: PIM's records through the app's Graph and ARM clients
 * and the directory's cached schedules; unchecked, silently, where the directory is the
 * snapshot (it holds no requests), and with a warning per event when CONFIRM_WITH_PIM=false.
 */
async function createConfirmer(
  settings: Settings,
  options: ServiceOptions,
  graph: () => Promise<GraphApi>,
  directory: RoleDirectory,
  recorded: RecordedRequests,
): Promise<PimConfirmer> {
  const lists = directory as Partial<ScheduleLists> & RoleDirectory;
  if (settings.DIRECTORY_SOURCE !== 'graph' || typeof lists.schedulesAt !== 'function')
    return new UncheckedConfirmer('the snapshot directory holds no PIM requests to compare with', false);
  if (!settings.CONFIRM_WITH_PIM) return new UncheckedConfirmer('CONFIRM_WITH_PIM is false', true);
  const [{ PimRecordConfirmer }, { PimRequestRecords }, arm] = await Promise.all([
    import('../confirm/pimRecordConfirmer.js'),
    import('../confirm/pimRequestRecords.js'),
    armClientOf(settings, options),
  ]);
  const requests = new PimRequestRecords({
    graph: await graph(),
    arm,
    cacheTtlSeconds: settings.DIRECTORY_CACHE_TTL_SECONDS,
    clock: clockOf(options),
  });
  return new PimRecordConfirmer(requests, lists as ScheduleLists, recorded, {
    lagSeconds: settings.CONFIRM_LAG_SECONDS,
    clock: clockOf(options),
  });
}

/** Whether any storage is configured (else the local commands start or find Azurite). */
export function storageConfigured(settings: Settings): boolean {
  return Boolean(
    settings.AzureWebJobsStorage ||
    settings.AzureWebJobsStorage__accountName ||
    settings.AzureWebJobsStorage__queueServiceUri ||
    settings.AzureWebJobsStorage__tableServiceUri,
  );
}

export function storageConnection(settings: Settings): StorageConnection {
  return {
    connectionString: settings.AzureWebJobsStorage,
    accountName: settings.AzureWebJobsStorage__accountName,
    queueServiceUri: settings.AzureWebJobsStorage__queueServiceUri,
    tableServiceUri: settings.AzureWebJobsStorage__tableServiceUri,
    clientId: settings.AzureWebJobsStorage__clientId,
    credential: settings.AzureWebJobsStorage ? undefined : azureCredential(settings.AzureWebJobsStorage__clientId),
  };
}

/** The app's one Graph client (directory reads and the audit collector share it), built on first use. */
function graphClientOf(settings: Settings, options: ServiceOptions): () => Promise<GraphApi> {
  let graph: Promise<GraphApi> | undefined;
  return () =>
    (graph ??= import('../directory/graph/graphClient.js').then(
      ({ GraphApi }) =>
        new GraphApi({
          baseUrl: settings.GRAPH_BASE_URL,
          credential: credentialOf(settings, options),
          ...transportOf(options, 'Microsoft Graph'),
        }),
    ));
}

function clockOf(options: ServiceOptions): Clock {
  return options.clock ?? systemClock;
}

function credentialOf(settings: Settings, options: ServiceOptions): TokenCredential {
  return options.credential ?? azureCredential(settings.AZURE_CLIENT_ID);
}

function transportOf(options: ServiceOptions, service: 'Microsoft Graph' | 'Azure Resource Manager'): { fetch?: FetchLike } {
  // With telemetry on, each Graph request is a dependency in Application Insights (ARM's
  // pipeline is traced by the Azure SDK itself: a second span would count each call twice).
  if (service === 'Microsoft Graph' && telemetryStarted())
    return { fetch: tracedFetch(options.fetch ?? ((input, init) => fetch(input, init))) };
  return options.fetch ? { fetch: options.fetch } : {};
}

async function armClientOf(settings: Settings, options: ServiceOptions): Promise<ArmApi> {
  const { ArmApi } = await import('../directory/arm/armClient.js');
  return new ArmApi({
    baseUrl: settings.ARM_BASE_URL,
    credential: credentialOf(settings, options),
    ...transportOf(options, 'Azure Resource Manager'),
  });
}

/** The app's ARM client, as the directory and the sources get it (pim-notify doctor reads the deployment with it). */
export function createArmClient(settings: Settings, options: ServiceOptions = {}): Promise<ArmApi> {
  return armClientOf(settings, options);
}

async function graphDirectoryWith(settings: Settings, options: ServiceOptions, graph: () => Promise<GraphApi>): Promise<GraphDirectory> {
  const [{ createGraphDirectory }, arm] = await Promise.all([import('../directory/graphDirectory.js'), armClientOf(settings, options)]);
  return createGraphDirectory(settings, { graph: await graph(), arm, clock: clockOf(options) });
}

/** The Graph/ARM directory whatever DIRECTORY_SOURCE says (export-directory, tests). */
export function createGraphDirectory(settings: Settings, options: ServiceOptions = {}): Promise<GraphDirectory> {
  return graphDirectoryWith(settings, options, graphClientOf(settings, options));
}

/** The directory the settings name, with the operator's alternate addresses applied to everyone it answers with. */
async function createDirectoryWith(settings: Settings, options: ServiceOptions, graph: () => Promise<GraphApi>): Promise<RoleDirectory> {
  return withAlternateAddresses(await directoryOf(settings, options, graph), settings.ALTERNATE_ADDRESSES);
}

async function directoryOf(settings: Settings, options: ServiceOptions, graph: () => Promise<GraphApi>): Promise<RoleDirectory> {
  if (options.directory) return options.directory;
  if (settings.DIRECTORY_SOURCE === 'graph') return graphDirectoryWith(settings, options, graph);
  const { loadSnapshot } = await import('../directory/snapshot/snapshotFile.js');
  const { SnapshotDirectory } = await import('../directory/snapshotDirectory.js');
  const { snapshot } = await loadSnapshot(fromPackageRoot(settings.DIRECTORY_SNAPSHOT_PATH));
  return new SnapshotDirectory(snapshot, { clock: clockOf(options) });
}

/** The directory the settings name (snapshot or Graph/ARM). */
export function createDirectory(settings: Settings, options: ServiceOptions = {}): Promise<RoleDirectory> {
  return createDirectoryWith(settings, options, graphClientOf(settings, options));
}

let processPacers: import('../transport/acs/pacer.js').AcsPacers | undefined;

/** The email transport the settings name (outbox or ACS). */
export async function createTransport(settings: Settings, options: ServiceOptions = {}): Promise<Transport> {
  if (options.transport) return options.transport;
  if (settings.EMAIL_TRANSPORT === 'acs') {
    const { createAcsTransport } = await import('../transport/acsTransport.js');
    const { createPacers } = await import('../transport/acs/pacer.js');
    // One pacer per process: a 429 pauses every send of this worker, not only the refused one.
    return createAcsTransport(settings, { credential: credentialOf(settings, options), pacers: (processPacers ??= createPacers()) });
  }
  const { OutboxTransport } = await import('../transport/outboxTransport.js');
  return new OutboxTransport({ dir: fromPackageRoot(settings.OUTBOX_DIR), clock: clockOf(options) });
}

export async function createServices(settings: Settings, options: ServiceOptions = {}): Promise<Services> {
  // Customer templates are checked now, so a bad TEMPLATES_DIR stops start-up, not the first email.
  if (settings.TEMPLATES_DIR) templateSet(fromPackageRoot(settings.TEMPLATES_DIR));
  const storage = storageConnection(settings);
  const graph = graphClientOf(settings, options);
  const [directory, transport] = await Promise.all([createDirectoryWith(settings, options, graph), createTransport(settings, options)]);
  const clock = clockOf(options);
  const store = new TableSourcesStore(tableClient(storage, settings.SOURCES_TABLE), clock);
  const confirmer = await createConfirmer(settings, options, graph, directory, store);
  return {
    settings,
    clock,
    directory,
    transport,
    confirmer,
    storage,
    activity: new TableActivityStore(tableClient(storage, settings.ACTIVITY_TABLE)),
    ledger: new TableDeliveryLedger(tableClient(storage, settings.DELIVERY_TABLE), clock),
    deliveryHealth: new TableDeliveryHealth(tableClient(storage, settings.DELIVERY_TABLE)),
    registry: new TableEventRegistry(tableClient(storage, settings.DELIVERY_TABLE), clock),
    events: new StorageEventsQueue(queueClient(storage, options.eventsQueue ?? EVENTS_QUEUE)),
    rateLimit: new TableRateLimit(tableClient(storage, settings.RECIPIENT_RATE_TABLE), clock),
    sources: {
      store,
      auditSource: async () => {
        const { GraphAuditSource } = await import('../sources/graphAuditSource.js');
        return new GraphAuditSource(await graph());
      },
      requestSource: once(async () => {
        const { PimRequestSource } = await import('../sources/pimRequestSource.js');
        const arm = settings.AZURE_SUBSCRIPTION_IDS.length > 0 ? await armClientOf(settings, options) : undefined;
        return new PimRequestSource({
          graph: await graph(),
          ...(arm ? { arm } : {}),
          subscriptionIds: settings.AZURE_SUBSCRIPTION_IDS,
          groupIds: settings.PIM_GROUP_IDS,
          cacheTtlSeconds: settings.DIRECTORY_CACHE_TTL_SECONDS,
          clock: clockOf(options),
          // The host keeps console output as logs: for a run that names no log of its own.
          warn: (message) => console.warn(message),
        });
      }),
    },
  };
}

/** A lazily built adapter, built once (a failure is not kept). */
function once<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build().catch((e: unknown) => {
      value = undefined;
      throw e;
    });
    return value;
  };
}

let services: Promise<Services> | undefined;

/**
 * Replaces the process's services with ready-made ones (the benchmark: production adapters with
 * an injected transport); `undefined` goes back to building them from process.env.
 */
export function setServicesForTesting(ready: Services | undefined): void {
  services = ready ? Promise.resolve(ready) : undefined;
}

/** The process's services, built on first use from process.env. A failure is not cached. */
export function getServices(): Promise<Services> {
  if (!services) {
    services = (async () => createServices(loadSettings()))();
    services.catch(() => (services = undefined));
  }
  return services;
}
