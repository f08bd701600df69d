/**
 * The reports queue's messages as Event Grid writes them (one event, base64 JSON, decoded by
 * the host): a bad message, another event type or a message this app did not send is invalid
 * with a reason (→ poison), a real report is recorded.
 */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { decodeMessage } from '../../shared/queues/queueMessage.js';
import { recordDeliveryReport } from '../../shared/usecases/deliveryReports.js';
import { LOCAL_ACS_RESOURCE_ID, deliveryReportEvent, reportQueueMessage } from '../support/fakeAcsReports.js';
import { fakeAcsPerTest } from '../support/fakeAcsPerTest.js';
import { addresses, deliver, harness, items } from '../support/delivery.js';
import { systemClock } from '../../shared/time/clock.js';

const startFake = fakeAcsPerTest();

describe('delivery reports from the queue', () => {
  it('records a report as Event Grid puts it on the queue; refuses what is not one, or not about a message this app sent', async () => {
    const fake = await startFake();
    const h = await harness(fake);
    const deps = {
      ledger: h.ledger,
      events: { send: async () => {}, later: async () => {} },
      settings: { DELIVERY_REPORT_RESENDS: 2, ACS_RESOURCE_ID: LOCAL_ACS_RESOURCE_ID },
      clock: systemClock,
      log: () => {},
    };
    await deliver('p1', items('p1', addresses(2)), h.options());
    const messageId = fake.deliveries[0]!.operationId;
    const report = deliveryReportEvent({
      sender: 'DoNotReply@contoso.example',
      recipient: 'admin0@contoso.example',
      messageId,
      status: 'Delivered',
      at: new Date(),
    });

    const text = decodeMessage(reportQueueMessage(report))!;
    expect(await recordDeliveryReport(text, deps)).toMatchObject({ kind: 'done', recorded: 1 });
    expect(await recordDeliveryReport(JSON.parse(text), deps)).toMatchObject({ kind: 'done', recorded: 0, ignored: 1 }); // duplicate

    expect(await recordDeliveryReport('{not json', deps)).toMatchObject({ kind: 'invalid' });
    const noRecipient = await recordDeliveryReport({ ...report, data: { ...report.data, recipient: undefined } }, deps);
    expect(noRecipient.kind === 'invalid' && noRecipient.error.issues.map((i) => i.path)).toEqual(['data.recipient']);
    const sms = await recordDeliveryReport({ ...report, eventType: 'Microsoft.Communication.SMSReceived' }, deps);
    expect(sms.kind === 'invalid' && sms.error.issues.map((i) => i.path)).toEqual(['eventType']);
    const other = '00000000-0000-5000-8000-000000000000';
    const notOurs = await recordDeliveryReport(
      { ...report, subject: `sender/DoNotReply@contoso.example/message/${other}`, data: { ...report.data, messageId: other } },
      deps,
    );
    expect(notOurs.kind === 'invalid' && notOurs.error.message).toMatch(/did not send/);

    const outcomes = await h.ledger.outcomes('p1');
    expect(outcomes.map((o) => o.deliveryStatus ?? 'none').sort()).toEqual(['Delivered', 'none']);
  });

  it('finds a message through its index row, bucketed by the first byte of its id, and through the earlier one-partition-per-message layout', async () => {
    const client = TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Index'), { allowInsecureConnection: true });
    await client.createTable();
    const acceptance = new TableDeliveryLedger(client);
    const requests = items('b1', addresses(2)).map(({ key, operationId, notification }) => ({ key, operationId, notification }));
    const messageId = requests[0]!.operationId;
    await acceptance.claimFresh('b1', [{ messageId, requests, eventText: '{"id":"b1"}' }]);
    const row = await client.getEntity(`messages-${messageId.slice(0, 2)}`, messageId);
    expect(row).toMatchObject({ eventId: 'b1', eventText: '{"id":"b1"}' });
    expect(await acceptance.findMessage(messageId.toUpperCase())).toEqual({ eventId: 'b1', eventText: '{"id":"b1"}' });

    // Sixty messages that each keep a large event text (87 kB as UTF-8): more than one transaction may carry (4 MiB).
    const large = JSON.stringify({ id: 'b2', justification: 'あ'.repeat(29_000) });
    const many = Array.from({ length: 60 }, (_, i) => items('b2', [`m${i}@contoso.example`])[0]!);
    await acceptance.claimFresh(
      'b2',
      many.map((m) => ({
        messageId: m.operationId,
        requests: [{ key: m.key, operationId: m.operationId, notification: m.notification }],
        eventText: large,
      })),
    );
    for (const m of many) expect((await acceptance.findMessage(m.operationId))?.eventText).toBe(large);

    const older = '0f0e0d0c-0b0a-5908-8706-050403020100';
    await client.createEntity({ partitionKey: `message-${older}`, rowKey: '', eventId: 'before' });
    expect(await acceptance.findMessage(older)).toEqual({ eventId: 'before' });
    expect(await acceptance.findMessage('11111111-2222-5333-8444-555555555555')).toBeUndefined();
  });
});
