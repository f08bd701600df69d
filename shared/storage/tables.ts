/**
 * TableClient construction from the Functions host's own storage setting, so the app uses
 * the same account as its queue: a connection string (Azurite locally), or identity-based
 * (`AzureWebJobsStorage__accountName` + managed identity) in Azure with shared keys off. The
 * endpoints come from `AzureWebJobsStorage__queueServiceUri` / `__tableServiceUri` when set
 * (any cloud), else the public cloud's for the account name.
 */
import { TableClient, TableServiceClient, RestError } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';

export interface StorageConnection {
  connectionString?: string;
  accountName?: string;
  /** The account's endpoints (no trailing slash); they win over accountName. */
  queueServiceUri?: string;
  tableServiceUri?: string;
  clientId?: string;
  /** For the identity-based form; the composition root builds it (composition/credential.ts). */
  credential?: TokenCredential;
}

export function requireCredential(conn: StorageConnection): TokenCredential {
  if (!conn.credential)
    throw new Error(
      `Storage account ${conn.accountName ?? '?'} needs a credential: build the connection with storageConnection(settings) (shared/composition).`,
    );
  return conn.credential;
}

export const NO_STORAGE =
  'No storage configured: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__accountName (managed identity; with __queueServiceUri and __tableServiceUri outside the public cloud).';

/** The identity-based endpoint of one storage service: the configured URI, else the public cloud's. */
export function serviceEndpoint(conn: StorageConnection, service: 'queue' | 'table'): string | undefined {
  const configured = service === 'queue' ? conn.queueServiceUri : conn.tableServiceUri;
  if (configured) return configured.replace(/\/+$/, '');
  return conn.accountName ? `https://${conn.accountName}.${service}.core.windows.net` : undefined;
}

export function tableClient(conn: StorageConnection, table: string): TableClient {
  if (conn.connectionString) {
    // Azurite speaks plain http on loopback.
    return TableClient.fromConnectionString(conn.connectionString, table, { allowInsecureConnection: isLocal(conn.connectionString) });
  }
  const endpoint = serviceEndpoint(conn, 'table');
  if (endpoint) return new TableClient(endpoint, table, requireCredential(conn));
  throw new Error(NO_STORAGE);
}

export function tableServiceClient(conn: StorageConnection): TableServiceClient {
  if (conn.connectionString) {
    return TableServiceClient.fromConnectionString(conn.connectionString, { allowInsecureConnection: isLocal(conn.connectionString) });
  }
  const endpoint = serviceEndpoint(conn, 'table');
  if (endpoint) return new TableServiceClient(endpoint, requireCredential(conn));
  throw new Error(NO_STORAGE);
}

function isLocal(cs: string): boolean {
  return /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(cs);
}

/** Creates the table once per process; a 409 (already exists) is success. */
const created = new Map<string, Promise<void>>();
export function ensureTable(client: TableClient): Promise<void> {
  const key = `${client.url}|${client.tableName}`;
  let p = created.get(key);
  if (!p) {
    p = client.createTable().catch((e: unknown) => {
      created.delete(key);
      throw e;
    });
    created.set(key, p);
  }
  return p;
}

export function statusOf(e: unknown): number | undefined {
  return e instanceof RestError ? e.statusCode : (e as { statusCode?: number })?.statusCode;
}

/**
 * Another writer got there first: a create met an existing row (409) or a conditional write
 * an ETag that has moved on (412). A failed entity-group transaction reports the inner status
 * (Azurite: sometimes as 400 naming the cause).
 */
export function isConflict(e: unknown): boolean {
  const status = statusOf(e);
  return (
    status === 409 ||
    status === 412 ||
    /EntityAlreadyExists|already exists|UpdateConditionNotSatisfied|condition/i.test(String((e as Error)?.message ?? ''))
  );
}

/** A point read: the row, or undefined when there is none. */
export async function entityOrUndefined<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<(T & { etag?: string }) | undefined> {
  try {
    return await client.getEntity<T>(partitionKey, rowKey);
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}
