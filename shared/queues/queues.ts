/**
 * Queue clients on the app's storage account: a connection string (Azurite locally) or the
 * account with its managed identity in Azure (endpoint: serviceEndpoint in storage/tables.ts). Names: queueNames.ts; encoding: queueMessage.ts.
 */
import { QueueClient } from '@azure/storage-queue';
import { NO_STORAGE, requireCredential, serviceEndpoint, type StorageConnection } from '../storage/tables.js';

export { EVENTS_QUEUE, POISON_QUEUE } from './queueNames.js';
export { decodeMessage, encodeMessage } from './queueMessage.js';

export function queueClient(conn: StorageConnection, name: string): QueueClient {
  if (conn.connectionString) return new QueueClient(conn.connectionString, name);
  const endpoint = serviceEndpoint(conn, 'queue');
  if (endpoint) return new QueueClient(`${endpoint}/${name}`, requireCredential(conn));
  throw new Error(NO_STORAGE);
}
