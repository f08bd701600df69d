/**
 * An accepted message recorded once for all its recipients: at ACS's 202 the sender writes
 * one row per message, `accepted-<planned id>` in the event's partition, instead of marking
 * each recipient's row (a 1,000-recipient event: 21 rows in one transaction, not 1,000 in ten).
 *
 * A recipient row that names a message (`acsMessageId`, its planned id) and is still `claimed`
 * reads as `accepted` once that message's row exists. Planned ids are never reused for another
 * send: a group's id comes from its event, content and exact members, and a resend after a
 * Failed report gets an id of its own generation (resendOperationId), so an accepted-row can
 * only stand for the send its recipients were planned into. Rows written as `accepted` by an
 * earlier version read as they are.
 */
import { EVENT_REGISTRY_ROW, type DeliveryStatus } from './deliveryLedger.js';

const PREFIX = 'accepted-';

export interface AcceptedMessageRow {
  partitionKey: string;
  rowKey: string;
  /** The id ACS took it under (an attempt id may differ from the planned one). */
  acsMessageId: string;
  acceptedAt: string;
}

export const acceptedRowKey = (plannedId: string): string => `${PREFIX}${plannedId.toLowerCase()}`;

/** A recipient's row (not the registry's, not a message's). */
export const isRecipientRow = (rowKey: string): boolean => rowKey !== EVENT_REGISTRY_ROW && !rowKey.startsWith(PREFIX);

export const isAcceptedRow = (rowKey: string): boolean => rowKey.startsWith(PREFIX);

interface StatusRow {
  status: DeliveryStatus;
  acsMessageId?: string;
  acceptedAt?: string;
}

/** The planned message whose accepted-row would settle this row, if any. */
export function awaitedMessage(row: StatusRow): string | undefined {
  return row.status === 'claimed' && row.acsMessageId ? row.acsMessageId : undefined;
}

/** The row as it stands, its message's acceptance taken into account. */
export function withAcceptance<R extends StatusRow>(row: R, accepted: ReadonlyMap<string, AcceptedMessageRow>): R {
  const planned = awaitedMessage(row);
  const message = planned === undefined ? undefined : accepted.get(acceptedRowKey(planned));
  return message ? { ...row, status: 'accepted', acsMessageId: message.acsMessageId, acceptedAt: message.acceptedAt } : row;
}
