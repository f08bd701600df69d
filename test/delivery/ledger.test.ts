import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { deliveryOperationId, recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

function ledger(now: () => Date = () => new Date()) {
  const client = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Ledger'), { allowInsecureConnection: true });
  return { client, ledger: new TableDeliveryLedger(client, { now: now }) };
}

const req = (address: string) => ({
  key: recipientKey(address),
  operationId: deliveryOperationId('e1', address),
  notification: 'assignmentAlert',
});

describe('delivery ledger on Azurite', () => {
  it('derives the same key and UUID operation id for the same send, case-insensitively', () => {
    expect(recipientKey('A@Contoso.com')).toBe(recipientKey('a@contoso.com'));
    expect(deliveryOperationId('e1', 'A@contoso.com')).toBe(deliveryOperationId('e1', 'a@contoso.com'));
    expect(deliveryOperationId('e1', 'a@contoso.com')).not.toBe(deliveryOperationId('e2', 'a@contoso.com'));
    expect(deliveryOperationId('e1', 'a@contoso.com')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('claims new recipients, and once accepted or refused reports them done', async () => {
    const { ledger: l } = ledger();
    const requests = [req('a@contoso.com'), req('b@contoso.com')];
    const first = await l.claim('e1', requests, 60_000);
    expect([...first.values()]).toEqual([
      { kind: 'send', mayHaveBeenSent: false },
      { kind: 'send', mayHaveBeenSent: false },
    ]);
    await l.plan('e1', [{ messageId: requests[0]!.operationId, keys: [requests[0]!.key] }]);
    await l.accepted('e1', [{ plannedId: requests[0]!.operationId, messageId: requests[0]!.operationId, delivered: false }]);
    await l.refused('e1', [{ key: requests[1]!.key, error: 'bad address' }]);
    const second = await l.claim('e1', requests, 60_000);
    expect([...second.values()]).toEqual([
      { kind: 'done', status: 'accepted' },
      { kind: 'done', status: 'failed' },
    ]);
  });

  it('reads rows an earlier version wrote `sent` (sent and polled to the end) as done', async () => {
    const { client, ledger: l } = ledger();
    const a = req('a@contoso.com');
    await client.createTable();
    await client.createEntity({
      partitionKey: 'e1',
      rowKey: a.key,
      status: 'sent',
      operationId: a.operationId,
      notification: a.notification,
      claimedAt: '2026-11-01T00:00:00.000Z',
    });
    expect([...(await l.claim('e1', [a], 60_000)).values()]).toEqual([{ kind: 'done', status: 'sent' }]);
  });

  it("an acceptance by a transport that is the mailbox (the outbox) is its recipients' Delivered report", async () => {
    const { ledger: l } = ledger();
    const requests = [req('a@contoso.com'), req('b@contoso.com')];
    await l.claim('e1', requests, 60_000);
    await l.plan('e1', [
      { messageId: 'm-a', keys: [requests[0]!.key] },
      { messageId: 'm-b', keys: [requests[1]!.key] },
    ]);
    await l.accepted('e1', [
      { plannedId: 'm-a', messageId: 'm-a', delivered: true },
      { plannedId: 'm-b', messageId: 'm-b', delivered: false },
    ]);
    const outcomes = new Map((await l.outcomes('e1')).map((o) => [o.key, o]));
    expect(outcomes.get(requests[0]!.key)).toMatchObject({ status: 'accepted', deliveryStatus: 'Delivered' });
    expect(outcomes.get(requests[1]!.key)).toMatchObject({ status: 'accepted' });
    expect(outcomes.get(requests[1]!.key)?.deliveryStatus).toBeUndefined();
  });

  it('a fresh claim without outcome is busy; a stale one is taken over with mayHaveBeenSent', async () => {
    let now = new Date('2026-11-18T10:00:00Z');
    const { ledger: l } = ledger(() => now);
    await l.claim('e1', [req('a@contoso.com')], 60_000);
    expect([...(await l.claim('e1', [req('a@contoso.com')], 60_000)).values()]).toEqual([{ kind: 'busy', retryAfterMs: 60_000 }]);
    // A busy claim says how long its lease has left, so a retry can wait for exactly that.
    now = new Date('2026-11-18T10:00:45Z');
    expect([...(await l.claim('e1', [req('a@contoso.com')], 60_000)).values()]).toEqual([{ kind: 'busy', retryAfterMs: 15_000 }]);
    now = new Date('2026-11-18T10:01:01Z');
    expect([...(await l.claim('e1', [req('a@contoso.com')], 60_000)).values()]).toEqual([{ kind: 'send', mayHaveBeenSent: true }]);
  });

  it('of two workers claiming the same new recipients at once, exactly one may send each', async () => {
    const { client } = ledger();
    const a = new TableDeliveryLedger(client);
    const b = new TableDeliveryLedger(client);
    const requests = Array.from({ length: 20 }, (_, i) => req(`u${i}@contoso.com`));
    const [ca, cb] = await Promise.all([a.claim('e1', requests, 60_000), b.claim('e1', requests, 60_000)]);
    for (const r of requests) {
      const kinds = [ca.get(r.key)!.kind, cb.get(r.key)!.kind].sort();
      expect(kinds).toEqual(['busy', 'send']);
    }
  });

  it('handles more than one transaction of recipients (over 100)', async () => {
    const { ledger: l } = ledger();
    const requests = Array.from({ length: 250 }, (_, i) => req(`u${i}@contoso.com`));
    const claims = await l.claim('e1', requests, 60_000);
    expect([...claims.values()].filter((c) => c.kind === 'send')).toHaveLength(250);
    await l.refused(
      'e1',
      requests.map((r) => ({ key: r.key, error: 'refused' })),
    );
    expect([...(await l.claim('e1', requests, 60_000)).values()].every((c) => c.kind === 'done')).toBe(true);
  });

  it('keeps an event whose text holds line and paragraph separators for its resend, read back as the same event', async () => {
    const { ledger: l } = ledger();
    const text = JSON.stringify({ id: 'e1', request: { justification: 'first\u2028second\u2029third' } });
    const requests = [req('a@contoso.com'), req('b@contoso.com')];
    await l.claim('e1', requests, 60_000);
    // Two messages: their index rows go in one transaction, which a raw U+2028 would fail.
    await l.plan(
      'e1',
      requests.map((r) => ({ messageId: r.operationId, keys: [r.key], eventText: text })),
    );
    const found = await l.findMessage(requests[1]!.operationId);
    expect(found?.eventId).toBe('e1');
    expect(JSON.parse(found!.eventText!)).toEqual(JSON.parse(text));
  });
});
