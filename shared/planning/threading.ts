/**
 * One conversation per request and recipient: the headers (RFC 5322 §3.6.4) and subject that
 * make a mail client show every email about one PIM request as one thread.
 *
 * - `Message-ID`: deterministic per email. The request's opening email (the approval request)
 *   takes the thread's root id, `<thread.<hash of request id and address>@<sender domain>>`;
 *   every other email its own `<operationId@<sender domain>>` (the outbox's default too).
 * - `In-Reply-To` and `References`: the root id, on every other email about the request. A
 *   recipient who never got the opening email (the requester) still has one thread: clients
 *   group by the shared reference.
 * - Subject: Gmail also needs the same subject, so the emails of the approval loop (decision,
 *   reminder, expiry, cancelation) take the opening email's subject, as it is (it starts with
 *   `PIM: ` like every subject of the app; a `Re: ` would hide that); what happened is the
 *   heading of the body. Other emails about a request (an activation completing) keep their
 *   own subject and thread by the headers only.
 *
 * Root ids are per recipient: the same Message-ID on messages to different people is a
 * duplicate that ACS may reject (docs/threading.md).
 */
import { createHash } from 'node:crypto';
import { messageIdDomain } from '../render/messageId.js';
import type { PimEvent, PimEventType } from '../events/schema.js';

/** Events that open a request's thread, and the notification kind whose subject names it. */
const OPENERS: Partial<Record<PimEventType, 'approvalRequest' | 'extensionApprovalRequest'>> = {
  activationPendingApproval: 'approvalRequest',
  assignmentPendingApproval: 'extensionApprovalRequest',
};

/** The approval loop after the opening email: these take the thread's subject. */
const FOLLOW_UPS = new Set<PimEventType>([
  'activationApproved',
  'activationDenied',
  'activationCanceled',
  'approvalReminder',
  'requestExpired',
]);

export interface Thread {
  headers: Record<string, string>;
  /** The notification kind whose rendered subject is the thread's subject, when the subject threads. */
  subjectOf?: OpeningKind;
  /** true for the opening email: its own subject is the thread's. */
  opener: boolean;
}

type OpeningKind = 'approvalRequest' | 'extensionApprovalRequest' | 'groupApprovalRequest' | 'groupExtensionApprovalRequest';

/** A PIM for Groups request's thread opens with the group email, in the group's words: its subject is the thread's. */
function inScope(kind: 'approvalRequest' | 'extensionApprovalRequest', event: PimEvent): OpeningKind {
  if (event.scope.kind !== 'group') return kind;
  return kind === 'approvalRequest' ? 'groupApprovalRequest' : 'groupExtensionApprovalRequest';
}

export function threadOf(event: PimEvent, address: string, operationId: string, senderAddress: string): Thread {
  const domain = messageIdDomain(senderAddress);
  const own = { 'Message-ID': `<${operationId}@${domain}>` };
  const requestId = event.request?.id;
  if (!requestId) return { headers: own, opener: false };
  const root = `<thread.${createHash('sha256').update(`${requestId.toLowerCase()}\n${address.toLowerCase()}`).digest('hex').slice(0, 40)}@${domain}>`;
  const opener = OPENERS[event.type];
  if (opener) return { headers: { 'Message-ID': root }, opener: true, subjectOf: inScope(opener, event) };
  return {
    headers: { ...own, 'In-Reply-To': root, References: root },
    opener: false,
    ...(FOLLOW_UPS.has(event.type)
      ? { subjectOf: inScope(event.assignment && event.type === 'requestExpired' ? 'extensionApprovalRequest' : 'approvalRequest', event) }
      : {}),
  };
}
