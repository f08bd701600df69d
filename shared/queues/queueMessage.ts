/**
 * The message encoding the Functions host expects by default (host.json
 * extensions.queues.messageEncoding = base64): the queue SDK does not base64-encode for you.
 * The local runner (dev/host) decodes with the same functions.
 */
export function encodeMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The decoded text, or undefined when the message is not valid base64. */
/** Strict, like .NET's Convert.FromBase64String (Node's decoder silently skips bad input); white space is ignored. */
export function decodeMessage(messageText: string): string | undefined {
  const compact = messageText.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
