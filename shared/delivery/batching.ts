/**
 * Which emails of one delivery can travel as one transport message (pure).
 *
 * Batched (EMAIL_BATCHING=shared): emails whose rendered content is identical (same notification, subject and
 * bodies; they were rendered with a neutral greeting, so what still differs between two
 * admins is only the "why you received this" line, i.e. the role setting or PIM for Groups group that made
 * them a recipient) go as one message, everyone in Bcc, at most `maxRecipients` per message.
 * Headers identical in all of a message's emails are kept; per-email ones (say a Message-ID
 * made for one recipient) are left to ACS, which gives every message its own.
 * Per-person: every email its own message, To its recipient, the email's own operation id.
 *
 * A message's operation id is derived from the event, its content and its members, so the
 * same plan gives the same ids on every retry.
 */
import { createHash } from 'node:crypto';
import type { OutgoingEmail } from '../render/email.js';
import type { EmailAddress, Message } from '../transport/transport.js';
import { deliveryOperationId } from './deliveryLedger.js';

/** One person's email of a delivery, with its ledger row and its deterministic id. */
export interface Deliverable {
  /** The ledger's row key for the recipient (recipientKey). */
  key: string;
  operationId: string;
  notification: string;
  email: OutgoingEmail;
}

export interface MessagePlan {
  messageId: string;
  items: Deliverable[];
  email: Message;
}

export function contentKey(email: OutgoingEmail): string {
  return createHash('sha256')
    .update([email.notification, email.from.address, email.subject, email.text, email.html].join('\u0000'))
    .digest('hex');
}

/** One message to `items` under `messageId`: Bcc for a batch, To for one person's own email. */
export function messageFor(messageId: string, items: Deliverable[], personal: boolean): MessagePlan {
  const first = items[0]!.email;
  const recipients: EmailAddress[] = items.map((i) => i.email.to);
  return {
    messageId,
    items,
    email: {
      notification: first.notification,
      subject: first.subject,
      html: first.html,
      text: first.text,
      from: first.from,
      to: personal ? recipients : [],
      bcc: personal ? [] : recipients,
      headers: commonHeaders(items.map((i) => i.email.headers ?? {})),
    },
  };
}

/** One person's email as its own message (the offline commands write it to an outbox as is). */
export function personalMessage(email: OutgoingEmail): Message {
  return { ...email, to: [email.to], bcc: [] };
}

export function perPersonMessages(items: Deliverable[]): MessagePlan[] {
  return items.map((i) => messageFor(i.operationId, [i], true));
}

export function batchedMessages(eventId: string, items: Deliverable[], maxRecipients: number): MessagePlan[] {
  const byContent = new Map<string, Deliverable[]>();
  // Emails rendered once for many people share their strings: each distinct content is hashed once.
  const hashed = new Map<string, Map<string, string>>();
  for (const item of items) {
    const e = item.email;
    const rest = [e.notification, e.from.address, e.subject, e.text].join('\u0000');
    let byRest = hashed.get(e.html);
    if (!byRest) hashed.set(e.html, (byRest = new Map()));
    let k = byRest.get(rest);
    if (k === undefined) byRest.set(rest, (k = contentKey(e)));
    const batch = byContent.get(k);
    if (batch) batch.push(item);
    else byContent.set(k, [item]);
  }
  const messages: MessagePlan[] = [];
  for (const [content, batch] of [...byContent].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...batch].sort((a, b) => a.key.localeCompare(b.key));
    for (let i = 0; i < sorted.length; i += maxRecipients) {
      const chunk = sorted.slice(i, i + maxRecipients);
      const id = deliveryOperationId(eventId, `message\n${content}\n${chunk.map((c) => c.key).join(',')}`);
      messages.push(messageFor(id, chunk, false));
    }
  }
  return messages;
}

function commonHeaders(all: Record<string, string>[]): Record<string, string> {
  const [first = {}, ...rest] = all;
  return Object.fromEntries(Object.entries(first).filter(([name, value]) => rest.every((h) => h[name] === value)));
}
