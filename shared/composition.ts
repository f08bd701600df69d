/**
 * The composition root: builds the adapters the settings ask for, once per process.
 * Entry points (functions/, bin/) call getServices(); use cases receive the ports.
 * Production adapters (Graph/ARM, ACS) are imported lazily so the embedded defaults load
 * fast and a cold start pays only for what it uses.
 */
import type { RoleDirectory } from './directory/roleDirectory.js';
import type { EmailSender } from './email/emailSender.js';
import { templateSet } from './email/templateStore.js';
import { loadSettings, type Settings } from './settings/settings.js';
import { fromPackageRoot } from './packageRoot.js';
import { TableActivityStore, type ActivityStore } from './storage/activityStore.js';
import { TableDeliveryLedger, type DeliveryLedger } from './storage/deliveryLedger.js';
import { tableClient, type StorageConnection } from './storage/tables.js';

export interface Services {
  settings: Settings;
  directory: RoleDirectory;
  sender: EmailSender;
  activity: ActivityStore;
  ledger: DeliveryLedger;
  storage: StorageConnection;
}

export function storageConnection(settings: Settings): StorageConnection {
  return {
    connectionString: settings.AzureWebJobsStorage,
    accountName: settings.AzureWebJobsStorage__accountName,
    clientId: settings.AzureWebJobsStorage__clientId,
  };
}

export async function createDirectory(settings: Settings): Promise<RoleDirectory> {
  if (settings.DIRECTORY_SOURCE === 'graph') {
    const { createGraphDirectory } = await import('./directory/graphDirectory.js');
    return createGraphDirectory(settings);
  }
  const { loadSnapshot } = await import('./directory/snapshot.js');
  const { SnapshotDirectory } = await import('./directory/snapshotDirectory.js');
  const { snapshot } = await loadSnapshot(fromPackageRoot(settings.DIRECTORY_SNAPSHOT_PATH));
  return new SnapshotDirectory(snapshot);
}

export async function createSender(settings: Settings): Promise<EmailSender> {
  if (settings.EMAIL_TRANSPORT === 'acs') {
    const { createAcsEmailSender } = await import('./email/acsSender.js');
    return createAcsEmailSender(settings);
  }
  const { OutboxSender } = await import('./email/outboxSender.js');
  return new OutboxSender({ dir: fromPackageRoot(settings.OUTBOX_DIR) });
}

export async function createServices(settings: Settings): Promise<Services> {
  // Customer templates are checked now, so a bad TEMPLATES_DIR stops start-up, not the first email.
  if (settings.TEMPLATES_DIR) templateSet(fromPackageRoot(settings.TEMPLATES_DIR));
  const storage = storageConnection(settings);
  const [directory, sender] = await Promise.all([createDirectory(settings), createSender(settings)]);
  return {
    settings,
    directory,
    sender,
    storage,
    activity: new TableActivityStore(tableClient(storage, settings.ACTIVITY_TABLE)),
    ledger: new TableDeliveryLedger(tableClient(storage, settings.DELIVERY_TABLE)),
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
