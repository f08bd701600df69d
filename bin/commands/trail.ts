/**
 * pim-notify trail --event ID | --request ID | --since ISO [--json | --csv]: every email about an
 * event, a PIM request or a time range, from the production tables (DELIVERY_TABLE): who, why,
 * when accepted, the delivery outcome and when (shared/delivery/trail.ts). "Prove the approvers
 * were told" is one command.
 */
import { createDirectory } from '../../shared/composition/services.js';
import { deliveriesSince } from '../../shared/delivery/tableDeliveryTrail.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { trailCsv, trailOf, trailTable } from '../../shared/delivery/trail.js';
import { escalationAddressBook } from '../../shared/escalation/addressBook.js';
import { requestDeliveryIdOf } from '../../shared/escalation/fallback.js';
import { EVENT_TYPES } from '../../shared/events/schema.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { requestEventId } from '../../shared/sources/requestEventId.js';
import { tableClient } from '../../shared/storage/tables.js';
import { parse, UsageError } from './args.js';
import { HELP } from './help.js';
import { withLocalStorage } from './localStorage.js';

/** Reminders a request can have (APPROVAL_REMINDER_HOURS allows at most 10). */
const MAX_REMINDERS = 10;

export async function trail(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    {
      event: { type: 'string' },
      request: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    },
    HELP.trail,
  );
  const chosen = [values.event, values.request, values.since].filter((v) => v !== undefined).length;
  if (chosen !== 1) throw new UsageError('give one of --event ID, --request ID or --since ISO');
  if (values.since !== undefined && Number.isNaN(Date.parse(values.since)))
    throw new UsageError('--since must be a date and time, e.g. 2026-12-01T00:00:00Z');
  const settings = loadSettings();
  const rows = await withLocalStorage(settings, async (conn) => {
    const client = tableClient(conn, settings.DELIVERY_TABLE);
    const ledger = new TableDeliveryLedger(client);
    const ids =
      values.event !== undefined
        ? [values.event]
        : values.request !== undefined
          ? requestDeliveries(values.request)
          : await deliveriesSince(client, new Date(values.since!));
    const directory = await createDirectory(settings);
    return trailOf(ids, {
      ledger,
      directory,
      settings,
      addressBook: (requesters) => escalationAddressBook(directory, settings, requesters),
    });
  });
  if (values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else if (values.csv) process.stdout.write(trailCsv(rows));
  else process.stdout.write(trailTable(rows));
  return 0;
}

/** Every delivery a request can have: its events from either source, its reminders, its fallback and escalation. */
function requestDeliveries(requestId: string): string[] {
  return [
    ...EVENT_TYPES.filter((t) => t !== 'approvalReminder' && t !== 'pimEnabled').map((t) => requestEventId(requestId, t)),
    ...Array.from({ length: MAX_REMINDERS }, (_, i) => requestEventId(requestId, 'approvalReminder', i + 1)),
    requestDeliveryIdOf('fallback', requestId),
    requestDeliveryIdOf('escalation', requestId),
  ];
}
