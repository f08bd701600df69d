/**
 * The message encoding the Functions host expects by default (host.json
 * extensions.queues.messageEncoding = base64): the queue SDK does not base64-encode for you.
 * The local runner (dev/host) decodes with the same functions.
 */
export function encodeMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * The decoded text, or undefined when the message is not valid base64: as the host decodes it.
 * The host's queue client decodes with .NET's Convert.FromBase64String (Azure/azure-sdk-for-net
 * sdk/storage/Azure.Storage.Queues/src/QueueMessageCodec.cs, DecodeMessageBody: `case
 * QueueMessageEncoding.Base64: return new BinaryData(Convert.FromBase64String(messageText))`),
 * which is strict (Node's decoder silently skips bad input) but, per its reference page
 * (learn.microsoft.com/dotnet/api/system.convert.frombase64string, Remarks): "The white-space
 * characters ... that are ignored in s are SPACE (U+0020), CHARACTER TABULATION (U+0009), LINE
 * FEED (U+000A), and CARRIAGE RETURN (U+000D)": base64 wrapped MIME-style (CRLF every 76
 * characters) decodes, any other white space (a no-break space, U+2028) does not.
 */
export function decodeMessage(messageText: string): string | undefined {
  const compact = messageText.replace(/[ \t\r\n]+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}
