/**
 * The Azurite `pim-notify start` runs over a data folder: a start that was killed (kill -9
 * cannot stop its child) leaves it running, and the next start must reuse it on the same
 * ports, so that `send` (which reads the folder's connection) reaches the running app;
 * one that is gone is replaced on the same ports.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { localStorageConnection, startLocalAzurite, withLocalStorage } from '../../../bin/commands/localStorage.js';
import { loadSettings, type Settings } from '../../../shared/settings/settings.js';

const dirs: string[] = [];
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local Azurite over .azurite/', () => {
  it('is reused after its start was killed, then replaced on the same ports once gone', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'azurite-dir-'));
    dirs.push(dir);
    const first = await startLocalAzurite(dir);
    stops.push(first.stop);
    expect(first.reused).toBe(false);
    // The start is killed here: it never calls stop, its Azurite keeps running.

    const second = await startLocalAzurite(dir);
    stops.push(second.stop);
    expect(second).toMatchObject({ reused: true, ports: first.ports, pid: first.pid });

    // `send` reads the folder's connection and reaches the Azurite the app runs on.
    const noStorage = { ...loadSettings(), AzureWebJobsStorage: undefined, AzureWebJobsStorage__accountName: undefined } as Settings;
    const conn = await localStorageConnection(noStorage, dir);
    expect(conn.connectionString).toBe(first.connectionString);
    const q = new QueueClient(conn.connectionString!, 'reach-test');
    await q.createIfNotExists();
    await q.sendMessage('aGk=');
    expect((await new QueueClient(second.connectionString, 'reach-test').peekMessages()).peekedMessageItems).toHaveLength(1);

    await second.stop();
    expect(alive(first.pid!)).toBe(false);

    // Left behind but dead (a stale record): a new Azurite on the same ports, the same data.
    await writeFile(path.join(dir, 'azurite.json'), JSON.stringify({ pid: first.pid, ports: first.ports }));
    const third = await startLocalAzurite(dir);
    stops.push(third.stop);
    expect(third).toMatchObject({ reused: false, ports: first.ports });
    expect(third.pid).not.toBe(first.pid);
    expect((await new QueueClient(third.connectionString, 'reach-test').peekMessages()).peekedMessageItems).toHaveLength(1);
    expect(JSON.parse(await readFile(path.join(dir, 'azurite.json'), 'utf8'))).toMatchObject({ pid: third.pid });
    await third.stop();
  });

  it(
    'serves a reading command after a `start --once` has stopped it, and stops again; reuses a running one',
    { timeout: 60_000 },
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'azurite-dir-'));
      dirs.push(dir);
      const noStorage = { ...loadSettings(), AzureWebJobsStorage: undefined, AzureWebJobsStorage__accountName: undefined } as Settings;
      // What the app wrote while it ran, in the folder's data.
      const ran = await startLocalAzurite(dir);
      await new QueueClient(ran.connectionString, 'written').createIfNotExists();
      await new QueueClient(ran.connectionString, 'written').sendMessage('aGk=');
      await ran.stop();
      expect(alive(ran.pid!)).toBe(false);

      // `trail` afterwards: an Azurite over the same data for the command alone, stopped after it.
      let pid: number | undefined;
      const seen = await withLocalStorage(
        noStorage,
        async (conn) => {
          pid = Number(JSON.parse(await readFile(path.join(dir, 'azurite.json'), 'utf8')).pid);
          return (await new QueueClient(conn.connectionString!, 'written').peekMessages()).peekedMessageItems.length;
        },
        dir,
      );
      expect(seen).toBe(1);
      expect(alive(pid!)).toBe(false);

      // While `npm start` runs, the command uses its Azurite and leaves it running.
      const running = await startLocalAzurite(dir);
      stops.push(running.stop);
      const reached = await withLocalStorage(noStorage, async (conn) => conn.connectionString, dir);
      expect(reached).toBe(running.connectionString);
      expect(alive(running.pid!)).toBe(true);
      await running.stop();
    },
  );
});
