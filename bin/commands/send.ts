/**
 * pim-notify send FILE [--allow-invalid]: puts events on the pim-events queue, base64 JSON
 * as a producer would. Invalid entries are refused (exit 2) unless --allow-invalid, which
 * sends them anyway to exercise the poison path.
 */
import { readFile } from 'node:fs/promises';
import { parseEventsText } from '../../dev/eventFile.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { EVENTS_QUEUE, encodeMessage, queueClient } from '../../shared/queues/queues.js';
import { UsageError } from './args.js';
import { HELP } from './help.js';
import { parse } from './args.js';
import { localStorageConnection } from './localStorage.js';

const USAGE = HELP.send;

export async function send(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'allow-invalid': { type: 'boolean' } }, USAGE);
  const file = positionals[0];
  if (!file) throw new UsageError(`FILE is required\nusage: ${USAGE.usage}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    console.error(`pim-notify send: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const parsed = parseEventsText(text);
  for (const bad of parsed.invalid) console.error(`${file}:${bad.line}: ${bad.error.message}`);
  if (parsed.invalid.length > 0 && !values['allow-invalid']) {
    console.error('pim-notify send: nothing sent; fix the events or pass --allow-invalid to send them as they are');
    return 2;
  }

  const queue = queueClient(await localStorageConnection(loadSettings()), EVENTS_QUEUE);
  await queue.createIfNotExists();
  const messages = values['allow-invalid'] ? rawEntries(text) : parsed.events.map((e) => e.event);
  for (const m of messages) await queue.sendMessage(encodeMessage(m));
  console.log(`sent ${messages.length} message(s) to ${EVENTS_QUEUE}`);
  return parsed.invalid.length > 0 ? 2 : 0;
}

/** Every non-blank line (or array element) as it is: JSON values, or raw text when not JSON. */
function rawEntries(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const array = JSON.parse(trimmed) as unknown;
      if (Array.isArray(array)) return array;
    } catch {
      // fall through to lines
    }
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return l;
      }
    });
}
