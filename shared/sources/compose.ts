/**
 * Builds the sources' adapters from the app's services: the shared Graph client (same base URL
 * and identity as the directory), the `pim-events` queue and the sources table. Separate from
 * shared/composition.ts so the notify path does not pay for them.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Services } from '../composition.js';
import { GraphApi, type FetchLike } from '../directory/graph/graphClient.js';
import { EVENTS_QUEUE, queueClient } from '../storage/queues.js';
import { tableClient } from '../storage/tables.js';
import { GraphAuditSource } from './auditReader.js';
import { collectAuditEvents, type CollectOutcome } from './collectAudit.js';
import { scanExpiry, type ScanOutcome } from './scanExpiry.js';
import { StorageEventQueue } from './eventQueue.js';
import { TableSourcesStore } from './sourcesStore.js';

export interface SourcesOptions {
  credential?: TokenCredential;
  /** Transport for Graph (tests route it to a local endpoint; see graphClient.ts). */
  fetch?: FetchLike;
  /** Queue the events go to (default pim-events). */
  queueName?: string;
}

export function sourcesAdapters(services: Pick<Services, 'settings' | 'storage'>, options: SourcesOptions = {}) {
  const { settings, storage } = services;
  const store = new TableSourcesStore(tableClient(storage, settings.SOURCES_TABLE));
  return {
    store,
    queue: new StorageEventQueue(queueClient(storage, options.queueName ?? EVENTS_QUEUE)),
    /** Built on first use: the expiry scanner needs no Graph client of its own. */
    auditSource: () => {
      const credential =
        options.credential ?? (settings.AZURE_CLIENT_ID ? new ManagedIdentityCredential({ clientId: settings.AZURE_CLIENT_ID }) : new DefaultAzureCredential());
      const graph = new GraphApi({ baseUrl: settings.GRAPH_BASE_URL, credential, ...(options.fetch ? { fetch: options.fetch } : {}) });
      return new GraphAuditSource(graph);
    },
  };
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * The audit collector's use case, as its timer runs it: idle on the embedded snapshot (the
 * audit log lives in Microsoft Graph), otherwise one collection into pim-events.
 */
export async function runAuditCollector(services: Services, log: Log, options: SourcesOptions = {}): Promise<CollectOutcome | 'idle'> {
  if (services.settings.DIRECTORY_SOURCE !== 'graph') return 'idle';
  const { store, queue, auditSource } = sourcesAdapters(services, options);
  return collectAuditEvents({
    source: auditSource(),
    queue,
    cursors: store,
    emitted: store,
    tenantId: (await services.directory.tenant()).id,
    overlapMinutes: services.settings.AUDIT_OVERLAP_MINUTES,
    log,
  });
}

/** The expiry scanner's use case, as its timer runs it. */
export async function runExpiryScan(services: Services, log: Log, options: SourcesOptions = {}): Promise<ScanOutcome> {
  const { store, queue } = sourcesAdapters(services, options);
  return scanExpiry({ directory: services.directory, queue, emitted: store, tracking: store, log });
}
