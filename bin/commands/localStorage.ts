/**
 * Storage for local commands: the configured AzureWebJobsStorage, else the Azurite that
 * `pim-notify start` runs (its connection string is left in .azurite/connection.txt so
 * `pim-notify send` in another terminal finds it).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { adoptAzurite, startAzurite, freePort, type AzuriteHandle } from '../../dev/host/azurite.js';
import { packageRoot } from '../../shared/packageRoot.js';
import type { Settings } from '../../shared/settings/settings.js';
import type { StorageConnection } from '../../shared/storage/tables.js';
import { storageConfigured, storageConnection } from '../../shared/composition/services.js';

const AZURITE_DIR = () => path.join(packageRoot(), '.azurite');
const STANDARD_PORTS = { blob: 10000, queue: 10001, table: 10002 };

/** Which Azurite serves .azurite/ (its process and ports), so the next start finds it even if this one is killed. */
const STATE_FILE = 'azurite.json';

interface AzuriteState {
  pid: number;
  ports: { blob: number; queue: number; table: number };
}

/**
 * The Azurite over .azurite/: the one an earlier start left running (a start killed with
 * kill -9 cannot stop its child) is reused on its ports, never doubled by a second Azurite
 * over the same data on other ports; else a new one, on the earlier ports when they are free
 * (so a `send` configured against them still reaches the app), else the standard ones, else any.
 */
export async function startLocalAzurite(dir = AZURITE_DIR()): Promise<AzuriteHandle & { reused: boolean }> {
  await mkdir(dir, { recursive: true });
  const previous = await readState(dir);
  const adopted = previous ? await adoptAzurite(previous.pid, previous.ports) : undefined;
  if (adopted) {
    await writeFile(path.join(dir, 'connection.txt'), adopted.connectionString + '\n');
    return { ...adopted, reused: true, stop: () => stopAndForget(adopted, dir) };
  }
  const ports = (await portsFree(previous?.ports)) ??
    (await portsFree(STANDARD_PORTS)) ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const azurite = await startAzurite({ location: dir, ports });
  const state: AzuriteState = { pid: azurite.pid ?? 0, ports };
  await writeFile(path.join(dir, STATE_FILE), JSON.stringify(state) + '\n');
  await writeFile(path.join(dir, 'connection.txt'), azurite.connectionString + '\n');
  return {
    ...azurite,
    reused: false,
    stop: () => stopAndForget(azurite, dir),
  };
}

async function stopAndForget(azurite: AzuriteHandle, dir: string): Promise<void> {
  await azurite.stop();
  await rm(path.join(dir, STATE_FILE), { force: true });
}

async function readState(dir: string): Promise<AzuriteState | undefined> {
  try {
    const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as Partial<AzuriteState>;
    const p = state.ports;
    if (typeof state.pid !== 'number' || !p || ![p.blob, p.queue, p.table].every((n) => Number.isInteger(n) && n > 0)) return undefined;
    return { pid: state.pid, ports: p };
  } catch {
    return undefined;
  }
}

async function portsFree(ports: AzuriteState['ports'] | undefined): Promise<AzuriteState['ports'] | undefined> {
  if (!ports) return undefined;
  const free = await Promise.all(Object.values(ports).map(isFree));
  return free.every(Boolean) ? ports : undefined;
}

export async function localStorageConnection(settings: Settings, dir = AZURITE_DIR()): Promise<StorageConnection> {
  if (storageConfigured(settings)) return storageConnection(settings);
  try {
    const cs = (await readFile(path.join(dir, 'connection.txt'), 'utf8')).trim();
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

/**
 * `work` on the configured storage, else on the Azurite over .azurite/: the one `npm start` is
 * running, or, when it has stopped (a `start --once`, say), one started for `work` alone and
 * stopped after it, so reading what the app wrote needs no second terminal.
 */
export async function withLocalStorage<T>(
  settings: Settings,
  work: (conn: StorageConnection) => Promise<T>,
  dir = AZURITE_DIR(),
): Promise<T> {
  if (storageConfigured(settings)) return work(storageConnection(settings));
  const azurite = await startLocalAzurite(dir);
  try {
    return await work({ connectionString: azurite.connectionString });
  } finally {
    if (!azurite.reused) await azurite.stop();
  }
}
