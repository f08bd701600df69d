/**
 * Identity-based storage reaches the account's own endpoints (any cloud): the queue and table
 * URIs the Bicep sets win over the public-cloud names built from the account name.
 */
import { describe, expect, it } from 'vitest';
import { storageConnection } from '../../shared/composition/services.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { queueClient } from '../../shared/queues/queues.js';
import { tableClient, tableServiceClient } from '../../shared/storage/tables.js';

const ACCOUNT = { AzureWebJobsStorage__accountName: 'stpim', AzureWebJobsStorage__credential: 'managedidentity' };

describe('storage endpoints', () => {
  it('uses AzureWebJobsStorage__queueServiceUri and __tableServiceUri (e.g. Azure Government)', () => {
    const conn = storageConnection(
      loadSettings({
        ...ACCOUNT,
        AzureWebJobsStorage__queueServiceUri: 'https://stpim.queue.core.usgovcloudapi.net/',
        AzureWebJobsStorage__tableServiceUri: 'https://stpim.table.core.usgovcloudapi.net/',
      }),
    );
    expect(queueClient(conn, 'pim-events').url).toBe('https://stpim.queue.core.usgovcloudapi.net/pim-events');
    expect(tableClient(conn, 'PimActivity').url).toBe('https://stpim.table.core.usgovcloudapi.net');
    expect(tableServiceClient(conn).url).toBe('https://stpim.table.core.usgovcloudapi.net');
  });

  it('works with the service URIs alone, and falls back to the public cloud for an account name alone', () => {
    const urisOnly = storageConnection(
      loadSettings({
        AzureWebJobsStorage__queueServiceUri: 'https://q.example.cn',
        AzureWebJobsStorage__tableServiceUri: 'https://t.example.cn',
      }),
    );
    expect(queueClient(urisOnly, 'pim-events').url).toBe('https://q.example.cn/pim-events');
    const named = storageConnection(loadSettings(ACCOUNT));
    expect(queueClient(named, 'pim-events').url).toBe('https://stpim.queue.core.windows.net/pim-events');
    expect(tableClient(named, 'PimActivity').url).toBe('https://stpim.table.core.windows.net');
  });

  it('refuses a service URI that is not an absolute URL, naming the setting', () => {
    expect(() => loadSettings({ ...ACCOUNT, AzureWebJobsStorage__queueServiceUri: 'stpim.queue' })).toThrow(
      /AzureWebJobsStorage__queueServiceUri/,
    );
  });
});
