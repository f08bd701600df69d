/**
 * Starts Azurite (the storage emulator, from node_modules) for the local runner and the
 * tests. Ports are chosen here because Azurite's `--tablePort 0` hides the real port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { azuritePackageDir, azuriteRuntime } from './azuriteNode.js';

/** Azurite's documented development account: the only key allowed in this repo. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Keep data in this folder across restarts; in memory when omitted. */
  location?: string;
  /** Fixed ports (a restart in tests must come back on the same ones). */
  ports?: { blob: number; queue: number; table: number };
}

export interface AzuriteHandle {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  /** The Azurite process (so a later run can find the one a killed run left behind). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function connectionStringFor(ports: { blob: number; queue: number; table: number }): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_KEY}`,
    `BlobEndpoint=http://127.0.0.1:${ports.blob}/${DEV_ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${ports.queue}/${DEV_ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${ports.table}/${DEV_ACCOUNT}`,
  ].join(';');
}

function azuriteEntry(): string {
  return path.join(azuritePackageDir(), 'dist', 'src', 'azurite.js');
}

/** Printed once per process: that Azurite runs on an older Node than it asks for, and what to install. */
let noted = false;

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const args = [
    azuriteEntry(),
    '--silent',
    '--disableTelemetry',
    '--loose',
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(ports.blob),
    '--queuePort',
    String(ports.queue),
    '--tablePort',
    String(ports.table),
  ];
  if (options.location) args.push('--location', options.location);
  else args.push('--inMemoryPersistence');
  const runtime = azuriteRuntime();
  if (runtime.note && !noted) {
    noted = true;
    console.error(runtime.note);
  }
  const child: ChildProcess = spawn(runtime.node, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitForPort(ports.table, child, () => stderr);
    await waitForPort(ports.queue, child, () => stderr);
  } catch (error) {
    // Not left running behind the failure (nothing listens yet, so nothing to save: SIGKILL).
    child.kill('SIGKILL');
    throw error;
  }
  return {
    connectionString: connectionStringFor(ports),
    ports,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Whether something accepts connections on the loopback port. */
export async function listening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * An Azurite started by an earlier run (that run may have been killed with it still up):
 * reused as is when its process lives and its ports answer. `stop` ends that process.
 */
export async function adoptAzurite(pid: number, ports: { blob: number; queue: number; table: number }): Promise<AzuriteHandle | undefined> {
  if (!processAlive(pid) || !(await listening(ports.queue)) || !(await listening(ports.table))) return undefined;
  return {
    connectionString: connectionStringFor(ports),
    ports,
    pid,
    stop: async () => {
      if (!processAlive(pid)) return;
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited (code ${child.exitCode}): ${stderr()}`);
    if (await listening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Azurite did not listen on port ${port} within 60 s: ${stderr()}`);
}
