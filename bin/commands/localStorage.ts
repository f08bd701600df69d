/**
 * Storage for local commands: the configured AzureWebJobsStorage, else the Azurite that
 * `pim-notify start` runs (its connection string is left in .azurite/connection.txt so
 * `pim-notify send` in another terminal finds it).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startAzurite, freePort, type AzuriteHandle } from '../../dev/host/azurite.js';
import { packageRoot } from '../../shared/packageRoot.js';
import type { Settings } from '../../shared/settings/settings.js';
import type { StorageConnection } from '../../shared/storage/tables.js';
import { storageConfigured, storageConnection } from '../../shared/composition/services.js';

const AZURITE_DIR = () => path.join(packageRoot(), '.azurite');
const STANDARD_PORTS = { blob: 10000, queue: 10001, table: 10002 };

export async function startLocalAzurite(): Promise<AzuriteHandle> {
  const dir = AZURITE_DIR();
  await mkdir(dir, { recursive: true });
  // Azurite's usual ports when free, so tools such as Storage Explorer find it; otherwise any.
  const free = await Promise.all(Object.values(STANDARD_PORTS).map(isFree));
  const ports = free.every(Boolean) ? STANDARD_PORTS : { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const azurite = await startAzurite({ location: dir, ports });
  await writeFile(path.join(dir, 'connection.txt'), azurite.connectionString + '\n');
  return azurite;
}

export async function localStorageConnection(settings: Settings): Promise<StorageConnection> {
  if (storageConfigured(settings)) return storageConnection(settings);
  try {
    const cs = (await readFile(path.join(AZURITE_DIR(), 'connection.txt'), 'utf8')).trim();
    return { connectionString: cs };
  } catch {
    throw new Error('No storage configured and no local Azurite found: run `npm start` in another terminal, or set AzureWebJobsStorage.');
  }
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
