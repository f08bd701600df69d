/**
 * pim-notify redrive [--dry-run] [--all]: moves messages from pim-events-poison back to
 * pim-events. By default only those that now pass validation move (after a fix to the
 * producer or to the directory, say); the others stay, each with its reason printed.
 * --all moves everything (e.g. after an outage poisoned valid messages).
 */
import { parseEventText } from '../../shared/events/parse.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { originalText } from '../../shared/queues/poison.js';
import { EVENTS_QUEUE, POISON_QUEUE, decodeMessage, encodeMessage, queueClient } from '../../shared/queues/queues.js';
import { parse } from './args.js';
import { HELP } from './help.js';
import { localStorageConnection } from './localStorage.js';

export async function redrive(args: string[]): Promise<number> {
  const { values } = parse(args, { 'dry-run': { type: 'boolean' }, all: { type: 'boolean' } }, HELP.redrive);
  const conn = await localStorageConnection(loadSettings());
  const poison = queueClient(conn, POISON_QUEUE);
  const events = queueClient(conn, EVENTS_QUEUE);
  if (!(await poison.exists())) {
    console.log(`${POISON_QUEUE} does not exist: nothing to redrive`);
    return 0;
  }
  await events.createIfNotExists();
  let moved = 0;
  let kept = 0;
  // Received messages stay invisible for the run, so each is seen once; the ones left in the
  // queue (kept, or all of them in a dry run) are made visible again at the end.
  const leftInQueue: Array<{ messageId: string; popReceipt: string }> = [];
  for (;;) {
    const { receivedMessageItems: batch } = await poison.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (batch.length === 0) break;
    for (const m of batch) {
      // The original text, byte for byte, whether the entry is a poison record or a bare message.
      const original = originalText(decodeMessage(m.messageText) ?? m.messageText);
      const check = parseEventText(original);
      if (check.kind === 'invalid' && !values.all) {
        console.log(`kept ${m.messageId}: ${check.error.message}`);
        kept++;
        leftInQueue.push(m);
        continue;
      }
      if (values['dry-run']) {
        leftInQueue.push(m);
      } else {
        await events.sendMessage(encodeMessage(original));
        await poison.deleteMessage(m.messageId, m.popReceipt);
      }
      console.log(
        `${values['dry-run'] ? 'would move' : 'moved'} ${m.messageId}${check.kind === 'valid' ? ` (event ${check.event.id})` : ''}`,
      );
      moved++;
    }
  }
  for (const m of leftInQueue) await poison.updateMessage(m.messageId, m.popReceipt, undefined, 0);
  console.log(`${moved} ${values['dry-run'] ? 'would move' : 'moved'}, ${kept} kept in ${POISON_QUEUE}`);
  return 0;
}
