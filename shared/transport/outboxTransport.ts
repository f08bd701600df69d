/**
 * The outbox transport (the embedded default): each message becomes `<dir>/<operationId>.eml`,
 * an RFC 5322 file any mail client opens. It carries one recipient per message, so everyone
 * gets their own email with their name, and the file is the mailbox: accepted is delivered.
 *
 * Idempotent per operationId: the file is written under a temporary name and then moved into
 * place in one step, so a reader never sees half a message, and a retried send of the same
 * operationId finds the file and reports `alreadyAccepted` instead of writing a second one.
 */
import { randomUUID, createHash } from 'node:crypto';
import { access, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcceptOptions, Acceptance, Message, Transport } from './transport.js';
import { toEml } from './mime.js';
import { systemClock, type Clock } from '../time/clock.js';

export interface OutboxOptions {
  dir: string;
  /** The app's clock, for the Date header; the system clock when left out. */
  clock?: Clock;
}

export class OutboxTransport implements Transport {
  readonly maxRecipients = 1;

  constructor(private readonly options: OutboxOptions) {}

  async accept(message: Message, options: AcceptOptions): Promise<Acceptance> {
    const [to, ...more] = [...message.to, ...message.bcc];
    if (!to || more.length > 0)
      throw new Error(`the outbox writes one recipient per message, got ${message.to.length + message.bcc.length}`);
    const email = { ...message, to };
    const { dir } = this.options;
    const fileName = `${safeName(options.operationId)}.eml`;
    const target = join(dir, fileName);
    await mkdir(dir, { recursive: true });
    if (await exists(target)) return { messageId: options.operationId, alreadyAccepted: true, delivered: true };

    const eml = await toEml(email, { messageId: options.operationId, date: (this.options.clock ?? systemClock).now() });
    const temp = join(dir, `.${fileName}.${randomUUID()}.tmp`);
    await writeFile(temp, eml, { flag: 'wx' });
    try {
      return { messageId: options.operationId, alreadyAccepted: !(await publish(temp, target)), delivered: true };
    } finally {
      await rm(temp, { force: true });
    }
  }
}

/**
 * Moves the finished file into place; false when a concurrent send of the same operationId
 * got there first. A hard link fails if the target exists, so the first writer wins and
 * nothing is overwritten; where links are not supported (some network shares), rename,
 * which is atomic too but replaces an identical message.
 */
async function publish(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  await rename(temp, target);
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The operationId as a file name; anything that could leave the folder or upset a file system is hashed. */
function safeName(operationId: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(operationId) ? operationId : createHash('sha256').update(operationId).digest('hex');
}
