/**
 * One OutgoingEmail as an RFC 5322 message: multipart/alternative with the text part first
 * and the HTML part last (clients show the last part they can render), UTF-8, CRLF line
 * ends. Built with nodemailer's MailComposer, which encodes non-ASCII headers (RFC 2047)
 * and picks quoted-printable or base64 for the bodies.
 *
 * Deterministic for a given messageId and date: the Message-ID and the MIME boundary both
 * derive from the messageId, so a retried send produces the same bytes.
 */
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingEmail } from '../render/email.js';
import { singleLine } from '../render/format.js';
import { MSG_ID, messageIdDomain } from '../render/messageId.js';
import { withAutomatedHeaders } from './transport.js';

export interface EmlOptions {
  /** Stable id of this send (the operationId); becomes the Message-ID's left part. */
  messageId: string;
  /** The Date header (the sender's clock). */
  date: Date;
}

export class HeaderValueError extends Error {
  override readonly name = 'HeaderValueError';
}

/** Headers the composer writes itself; an extra header must not replace them (Message-ID may: threading.ts). */
const RESERVED = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'sender',
  'reply-to',
]);

export async function toEml(email: OutgoingEmail, options: EmlOptions): Promise<Buffer> {
  const { messageId: given, headers } = threadingHeaders(checkedHeaders(withAutomatedHeaders(email.headers)));
  const composer = new MailComposer({
    from: address(email.from),
    to: address(email.to),
    // Already single-line by contract; collapsing again costs nothing and keeps a bug in a
    // caller from becoming a header injection.
    subject: singleLine(email.subject),
    messageId: given ?? messageIdFor(options.messageId, email.from.address),
    date: options.date,
    text: email.text,
    html: email.html,
    headers,
    baseBoundary: createHash('sha256').update(options.messageId).digest('hex').slice(0, 24),
    newline: 'win',
    // The message is built from our own strings only: never let content point at a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // Keep header names as the caller spelled them (X-PIM-Event-Id, not X-Pim-Event-ID).
    normalizeHeaderKey: (key: string) => key,
  });
  return composer.compile().build();
}

/** `<operationId@sender-domain>`; an id with characters a Message-ID may not hold is hashed. */
export function messageIdFor(id: string, fromAddress: string): string {
  const local =
    /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(id) && id.length <= 128 ? id : createHash('sha256').update(id).digest('hex').slice(0, 40);
  return `<${local}@${messageIdDomain(fromAddress)}>`;
}

function address(a: OutgoingEmail['from']): { name: string; address: string } {
  if (/[\r\n]/.test(a.address)) throw new HeaderValueError('an email address must not contain a line break');
  return { name: singleLine(a.displayName ?? ''), address: a.address };
}

function checkedHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    // RFC 5322 field names: printable ASCII except the colon.
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new HeaderValueError(`invalid header name ${JSON.stringify(name)}`);
    if (RESERVED.has(name.toLowerCase()))
      throw new HeaderValueError(`header ${name} is set by the composer and cannot be given as an extra header`);
    if (/[\r\n]/.test(value)) throw new HeaderValueError(`header ${name} has a line break in its value`);
  }
  return headers;
}

/**
 * The threading headers (shared/planning/threading.ts): a given Message-ID replaces the one
 * derived from the send's id; it, In-Reply-To and References must be msg-ids, else an error
 * rather than a message clients would thread wrongly.
 */
function threadingHeaders(headers: Record<string, string>): { messageId?: string; headers: Record<string, string> } {
  let messageId: string | undefined;
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'message-id' || lower === 'in-reply-to' || lower === 'references') {
      if (
        !value
          .trim()
          .split(/\s+/)
          .every((id) => MSG_ID.test(id))
      )
        throw new HeaderValueError(`header ${name} must hold <id@domain> message ids`);
    }
    if (lower === 'message-id') messageId = value.trim();
    else rest[name] = value;
  }
  return messageId ? { messageId, headers: rest } : { headers: rest };
}
