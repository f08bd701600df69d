/**
 * Operation ids for successive ACS attempts at the same email.
 *
 * Attempt 0 uses the caller's operationId unchanged. Once an operation has ended Failed or
 * Canceled, its id cannot be reused: ACS treats Operation-Id as the identity of that one
 * operation, and what it does when a finished id is sent again is undocumented (at best it
 * answers with the old, failed operation). So attempt n > 0 uses a UUID derived
 * deterministically from (operationId, n). Being derived, the chain needs no storage: any
 * worker can walk it, asking ACS about attempt 0, 1, ... until it finds one that succeeded,
 * is still running, or was never sent.
 */
import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The Operation-Id of attempt `attempt` (0-based) at the send identified by `operationId`. */
export function attemptOperationId(operationId: string, attempt: number): string {
  if (attempt === 0) return operationId;
  // A name-based UUID (RFC 9562 version 5 layout) over the caller's id and the attempt number.
  const hash = createHash('sha1').update(`${operationId.toLowerCase()}/attempt/${attempt}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
