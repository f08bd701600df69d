/** The one delivery path on an Azurite ledger: transient failures, permanent refusals, busy claims. */
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { PermanentSendError, type AcceptOptions, type Message, type Transport } from '../../shared/transport/transport.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { deliveryOperationId, recipientKey } from '../../shared/delivery/deliveryLedger.js';
import { DeliveryBusyError, deliver, type Deliverable } from '../../shared/delivery/deliver.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';

const email = (to: string) => ({
  notification: 'assignmentAlert',
  subject: 'PIM: x',
  html: '<p>x</p>',
  text: 'x',
  from: { address: 'pim@contoso.com' },
  to: { address: to },
});
const items = (n: number): Deliverable[] =>
  Array.from({ length: n }, (_, i) => `u${i}@contoso.com`).map((a) => ({
    key: recipientKey(a),
    operationId: deliveryOperationId('e1', a),
    notification: 'assignmentAlert',
    email: email(a),
  }));

/** A transport of one recipient per message whose n-th call succeeds, fails for now, or refuses for good. */
class ScriptedTransport implements Transport {
  readonly maxRecipients = 1;
  calls: AcceptOptions[] = [];
  constructor(private readonly script: (n: number) => 'ok' | 'transient' | 'permanent') {}
  async accept(_m: Message, options: AcceptOptions) {
    this.calls.push(options);
    const what = this.script(this.calls.length);
    if (what === 'transient') throw new Error('503 from the transport');
    if (what === 'permanent') throw new PermanentSendError('recipient suppressed');
    return { messageId: options.operationId, alreadyAccepted: false, delivered: false };
  }
}

function ledger() {
  return new TableDeliveryLedger(
    TableClient.fromConnectionString(storageConnectionString(), uniqueTableName('Led'), { allowInsecureConnection: true }),
  );
}
// One message at a time, so the script's n-th call is the n-th message.
const opts = (transport: Transport, l: TableDeliveryLedger) => ({
  transport,
  ledger: l,
  leaseMs: 300_000,
  concurrency: 1,
  personal: true,
  log: () => {},
});

describe('deliver', () => {
  it('after a transient failure the retry takes over at once, as possibly sent, and sends nothing twice', async () => {
    const l = ledger();
    const first = new ScriptedTransport((n) => (n === 3 ? 'transient' : 'ok'));
    await expect(deliver('e1', items(5), opts(first, l))).rejects.toThrow(/503/);
    expect(first.calls).toHaveLength(3);

    const retry = new ScriptedTransport(() => 'ok');
    // Not busy although the lease (5 min) has not run out: the failed attempt released its claims.
    expect(await deliver('e1', items(5), opts(retry, l))).toEqual({ sent: 3, alreadySent: 2, failed: 0, messages: 3 });
    expect(retry.calls.map((c) => c.mayHaveBeenSent)).toEqual([true, false, false]);
  });

  it('records a permanent refusal and does not retry it', async () => {
    const l = ledger();
    const s = new ScriptedTransport((n) => (n === 2 ? 'permanent' : 'ok'));
    expect(await deliver('e1', items(3), opts(s, l))).toEqual({ sent: 2, alreadySent: 0, failed: 1, messages: 2 });
    const again = new ScriptedTransport(() => 'ok');
    expect(await deliver('e1', items(3), opts(again, l))).toEqual({ sent: 0, alreadySent: 2, failed: 1, messages: 0 });
    expect(again.calls).toHaveLength(0);
  });

  it('reports claims held by a live worker as busy instead of sending them', async () => {
    const l = ledger();
    await l.claim(
      'e1',
      items(2).map(({ key, operationId, notification }) => ({ key, operationId, notification })),
      300_000,
    );
    const s = new ScriptedTransport(() => 'ok');
    await expect(deliver('e1', items(2), opts(s, l))).rejects.toBeInstanceOf(DeliveryBusyError);
    expect(s.calls).toHaveLength(0);
  });
});
