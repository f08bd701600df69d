/** The delivery loop on an Azurite ledger: transient failures, permanent refusals, busy claims. */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { PermanentSendError, type EmailSender, type OutgoingEmail, type SendOptions } from '../../shared/email/email.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { deliveryOperationId, recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { DeliveryBusyError, deliverOnce } from '../../shared/usecases/deliverOnce.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const email = (to: string): OutgoingEmail => ({ notification: 'assignmentAlert', subject: 'PIM: x', html: '<p>x</p>', text: 'x', from: { address: 'pim@contoso.com' }, to: { address: to } });
const items = (n: number) =>
  Array.from({ length: n }, (_, i) => `u${i}@contoso.com`).map((a) => ({ key: recipientKey(a), operationId: deliveryOperationId('e1', a), notification: 'assignmentAlert', email: email(a) }));

class ScriptedSender implements EmailSender {
  calls: SendOptions[] = [];
  constructor(private readonly script: (n: number) => 'ok' | 'transient' | 'permanent') {}
  async send(_e: OutgoingEmail, options: SendOptions) {
    this.calls.push(options);
    const what = this.script(this.calls.length);
    if (what === 'transient') throw new Error('503 from the transport');
    if (what === 'permanent') throw new PermanentSendError('recipient suppressed');
    return { messageId: options.operationId, alreadySent: false };
  }
}

function ledger() {
  return new TableDeliveryLedger(TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Led'), { allowInsecureConnection: true }));
}
const opts = (sender: EmailSender, l: TableDeliveryLedger) => ({ sender, ledger: l, leaseMs: 300_000, log: () => {} });

describe('deliverOnce', () => {
  it('after a transient failure the retry takes over at once, as possibly sent, and sends nothing twice', async () => {
    const l = ledger();
    const first = new ScriptedSender((n) => (n === 3 ? 'transient' : 'ok'));
    await expect(deliverOnce('e1', items(5), opts(first, l))).rejects.toThrow(/503/);
    expect(first.calls).toHaveLength(3);

    const retry = new ScriptedSender(() => 'ok');
    // Not busy although the lease (5 min) has not run out: the failed attempt released its claims.
    expect(await deliverOnce('e1', items(5), opts(retry, l))).toEqual({ sent: 3, alreadySent: 2, failed: 0 });
    expect(retry.calls.map((c) => c.mayHaveBeenSent)).toEqual([true, true, true]);
  });

  it('records a permanent refusal and does not retry it', async () => {
    const l = ledger();
    const s = new ScriptedSender((n) => (n === 2 ? 'permanent' : 'ok'));
    expect(await deliverOnce('e1', items(3), opts(s, l))).toEqual({ sent: 2, alreadySent: 0, failed: 1 });
    const again = new ScriptedSender(() => 'ok');
    expect(await deliverOnce('e1', items(3), opts(again, l))).toEqual({ sent: 0, alreadySent: 2, failed: 1 });
    expect(again.calls).toHaveLength(0);
  });

  it('reports claims held by a live worker as busy instead of sending them', async () => {
    const l = ledger();
    await l.claim('e1', items(2).map(({ key, operationId, notification }) => ({ key, operationId, notification })), 300_000);
    const s = new ScriptedSender(() => 'ok');
    await expect(deliverOnce('e1', items(2), opts(s, l))).rejects.toBeInstanceOf(DeliveryBusyError);
    expect(s.calls).toHaveLength(0);
  });
});
