/**
 * What the local ACS (fakeAcs.ts) checks on every request, rule by rule, with the page and the
 * sentence each rests on. The REST spec is
 * Azure/azure-rest-api-specs specification/communication/data-plane/Email/stable/2025-09-01/
 * CommunicationServicesEmail.json ("the spec" below). A request that breaks a rule gets 400 in
 * the spec's error shape (`default` response: common-types ErrorResponse, `{"error": {"code",
 * "message"}}`, with header `x-ms-error-code`: "Error code - this will be the same as the code in
 * the error property in the response body."). Microsoft documents the status and the shape, not
 * the codes: the codes here are this file's own, so the app must not depend on them.
 *
 * Where the documentation is silent, the rule is a switch (`emptyTo`), and the app is tested
 * against both settings.
 */
import { isUuid } from '../../shared/transport/acs/attemptIds.js';

/** The api-versions the spec folder publishes for Email (stable and preview). */
export const EMAIL_API_VERSIONS: ReadonlySet<string> = new Set([
  '2021-10-01-preview',
  '2023-01-15-preview',
  '2023-03-31',
  '2024-07-01-preview',
  '2025-01-15-preview',
  '2025-09-01',
]);

export interface WireAddress {
  address: string;
  displayName?: string;
}

export interface WireMessage {
  senderAddress: string;
  recipients: { to?: WireAddress[]; cc?: WireAddress[]; bcc?: WireAddress[] };
  content: { subject: string; plainText?: string; html?: string };
  headers?: Record<string, string>;
  userEngagementTrackingDisabled?: boolean;
}

/**
 * `to: []`: the spec's EmailRecipients lists `"required": ["to"]` and says nothing of an empty
 * array; whether ACS takes a message with everyone in Bcc and nobody in To is documented
 * nowhere. `accept` takes it (what the app relied on), `refuse` answers 400 as for a missing `to`.
 */
export type EmptyToBehaviour = 'accept' | 'refuse';

export interface ContractError {
  code: string;
  message: string;
  target?: string;
}

const bad = (code: string, message: string, target?: string): ContractError => ({ code, message, ...(target ? { target } : {}) });

/**
 * `api-version`: the spec's ApiVersionParameter is `"in": "query"`, `"required": true`. Which
 * answer a version ACS does not serve gets is not documented; 400 is the Common Error Codes
 * page's (learn.microsoft.com/rest/api/communication/errorcodes) "The request received couldn't
 * be understood by the service".
 */
export function checkApiVersion(url: URL): ContractError | undefined {
  const version = url.searchParams.get('api-version');
  if (!version) return bad('MissingApiVersionParameter', 'The api-version query parameter is required.', 'api-version');
  if (!EMAIL_API_VERSIONS.has(version))
    return bad('UnsupportedApiVersion', `The api-version '${version}' is not supported.`, 'api-version');
  return undefined;
}

/** `Operation-Id`: the spec's header parameter has `"format": "uuid"` ("Use a UUID", EmailSendResult.id). */
export function checkOperationId(header: string | string[] | undefined): ContractError | undefined {
  if (header === undefined) return undefined; // "If an ID is not provided by the customer, the service will generate one."
  if (typeof header !== 'string' || !isUuid(header)) return bad('InvalidOperationId', 'Operation-Id must be a UUID.', 'Operation-Id');
  return undefined;
}

/** The body of `POST /emails:send`, checked as the spec's EmailMessage defines it; the message, or what is wrong. */
export function checkMessage(body: string, emptyTo: EmptyToBehaviour): WireMessage | ContractError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Common Error Codes: "422 Unprocessable Entity: The request body couldn't be validated. Is it valid JSON?" — answered 400 here, as a body ACS cannot read.
    return bad('InvalidRequestBody', 'The request body is not JSON.');
  }
  if (!isObject(parsed)) return bad('InvalidRequestBody', 'The request body must be an EmailMessage object.');
  // EmailMessage: "required": ["senderAddress", "content", "recipients"].
  if (typeof parsed['senderAddress'] !== 'string' || !parsed['senderAddress'])
    return bad('InvalidSenderAddress', 'senderAddress is required.', 'senderAddress');
  const content = parsed['content'];
  if (!isObject(content)) return bad('InvalidContent', 'content is required.', 'content');
  // EmailContent: "required": ["subject"].
  if (typeof content['subject'] !== 'string' || !content['subject'])
    return bad('InvalidContent', 'content.subject is required.', 'content.subject');
  // The SDK's EmailContent is HtmlEmailContent | PlainTextEmailContent ("Content of the email with a
  // required html property" / "… required plainText property", @azure/communication-email models).
  if (typeof content['plainText'] !== 'string' && typeof content['html'] !== 'string')
    return bad('InvalidContent', 'content needs plainText or html.', 'content');
  const recipients = parsed['recipients'];
  if (!isObject(recipients)) return bad('InvalidRecipients', 'recipients is required.', 'recipients');
  // EmailRecipients: "required": ["to"].
  if (!Array.isArray(recipients['to'])) return bad('InvalidRecipients', 'recipients.to is required.', 'recipients.to');
  if (recipients['to'].length === 0 && emptyTo === 'refuse')
    return bad('InvalidRecipients', 'recipients.to must name at least one recipient.', 'recipients.to');
  for (const field of ['to', 'cc', 'bcc'] as const) {
    const list = recipients[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return bad('InvalidRecipients', `recipients.${field} must be an array.`, `recipients.${field}`);
    // EmailAddress: "required": ["address"].
    if (list.some((a) => !isObject(a) || typeof a['address'] !== 'string' || !a['address']))
      return bad('InvalidRecipients', `every address of recipients.${field} needs an address.`, `recipients.${field}`);
  }
  const count = (['to', 'cc', 'bcc'] as const).reduce((n, f) => n + ((recipients[f] as unknown[] | undefined)?.length ?? 0), 0);
  if (count === 0) return bad('InvalidRecipients', 'recipients need at least one address in to, cc or bcc.', 'recipients');
  // Service limits (learn.microsoft.com/azure/communication-services/concepts/service-limits,
  // "Rate limits for email"): at most 50 recipients per email, counting "the addresses listed in
  // the To, Cc, and Bcc fields" (Microsoft Q&A's answer on that limit).
  if (count > 50) return bad('InvalidRecipients', 'An email can have at most 50 recipients (To, Cc and Bcc).', 'recipients');
  return parsed as unknown as WireMessage;
}

export function isContractError(v: WireMessage | ContractError): v is ContractError {
  return 'code' in v && !('senderAddress' in v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
