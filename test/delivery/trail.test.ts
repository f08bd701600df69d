/**
 * `trail` answers from the production tables: every email of a sample event run through the
 * notify use case (snapshot directory, outbox transport, ledger on Azurite): who, why (as
 * simulate shows), when accepted, the outcome ("Delivered": the outbox is the mailbox) and when.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServices } from '../../shared/composition/services.js';
import { trailCsv, trailOf } from '../../shared/delivery/trail.js';
import { deliveriesSince } from '../../shared/delivery/tableDeliveryTrail.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { tableClient } from '../../shared/storage/tables.js';
import { notifyEvent } from '../../shared/usecases/notify.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

describe('pim-notify trail', () => {
  it('lists every email of a sample approval request with who, why, accepted and its outcome', async () => {
    const settings = loadSettings({
      AzureWebJobsStorage: storageConnectionString(),
      DELIVERY_TABLE: uniqueTableName('Trail'),
      ACTIVITY_TABLE: uniqueTableName('TrailAct'),
      OUTBOX_DIR: await mkdtemp(path.join(tmpdir(), 'trail-')),
    });
    const services = await createServices(settings);
    const before = new Date(Date.now() - 1000);
    const lines = (await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const pending = lines.find((l) => l.includes('"activationPendingApproval"'))!;
    const event = JSON.parse(pending) as { id: string };
    const done = await notifyEvent(pending, { ...services, log: () => {} });
    expect(done).toMatchObject({ kind: 'done' });
    const sent = done.kind === 'done' ? done.sent : 0;

    const rows = await trailOf([event.id], {
      ledger: services.ledger,
      directory: services.directory,
      settings,
      addressBook: async () => new Map(),
    });
    expect(rows).toHaveLength(sent);
    for (const r of rows) {
      expect(r.who).toMatch(/@/);
      expect(r.why).not.toBe('');
      expect(r.outcome).toBe('Delivered');
      expect(Date.parse(r.acceptedAt)).toBeGreaterThanOrEqual(before.getTime());
      expect(r.outcomeAt).toBe(r.acceptedAt);
    }
    expect(rows.some((r) => r.notification === 'approvalRequest' && /approvalRequest/.test(r.why))).toBe(true);

    const since = await deliveriesSince(tableClient(services.storage, settings.DELIVERY_TABLE), before);
    expect(since).toContain(event.id);
    expect(since.some((id) => id.startsWith('messages-'))).toBe(false);
    const csv = trailCsv(rows).split('\r\n');
    expect(csv[0]).toBe('deliveryId,notification,who,why,acceptedAt,outcome,outcomeAt,resends,messageId');
    expect(csv).toHaveLength(rows.length + 2);
  });
});
