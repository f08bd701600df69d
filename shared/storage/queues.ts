/**
 * Queue clients on the app's storage account, and the message encoding the Functions host
 * expects by default (host.json extensions.queues.messageEncoding = base64): the queue SDK
 * does not base64-encode for you.
 */
import { QueueClient } from '@azure/storage-queue';
import { storageCredential, type StorageConnection } from './tables.js';

export const EVENTS_QUEUE = 'pim-events';
export const POISON_QUEUE = `${EVENTS_QUEUE}-poison`;

export function queueClient(conn: StorageConnection, name: string): QueueClient {
  if (conn.connectionString) return new QueueClient(conn.connectionString, name);
  if (conn.accountName) return new QueueClient(`https://${conn.accountName}.queue.core.windows.net/${name}`, storageCredential(conn));
  throw new Error('No storage configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName.');
}

export function encodeMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The decoded text, or undefined when the message is not valid base64. */
export function decodeMessage(messageText: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(messageText) || messageText.length % 4 !== 0) return undefined;
  return Buffer.from(messageText, 'base64').toString('utf8');
}
