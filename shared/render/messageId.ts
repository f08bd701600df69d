/** The right part of the Message-IDs the app writes: the sender's domain, when it is a plain one. */
export function messageIdDomain(fromAddress: string): string {
  const domain = fromAddress.split('@')[1] ?? '';
  return /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/.test(domain) ? domain : 'pim-notify.invalid';
}

/** `<left@right>` as RFC 5322 §3.6.4 writes a msg-id (no spaces, brackets or extra @). */
export const MSG_ID = /^<[^<>@\s]+@[^<>@\s]+>$/;
