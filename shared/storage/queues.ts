/**
 * Queue clients on the app's storage account: a connection string (Azurite locally) or the
 * account with its managed identity in Azure. Names: queueNames.ts; encoding: queueMessage.ts.
 */
import { QueueClient } from '@azure/storage-queue';
import { requireCredential, type StorageConnection } from './tables.js';

export { EVENTS_QUEUE, POISON_QUEUE } from './queueNames.js';
export { decodeMessage, encodeMessage } from './queueMessage.js';

export function queueClient(conn: StorageConnection, name: string): QueueClient {
  if (conn.connectionString) return new QueueClient(conn.connectionString, name);
  if (conn.accountName) return new QueueClient(`https://${conn.accountName}.queue.core.windows.net/${name}`, requireCredential(conn));
  throw new Error('No storage configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName.');
}
