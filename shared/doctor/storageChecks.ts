/**
 * The app's tables and queues, by the names the app uses (the settings', shared/queues/queueNames.ts):
 * each exists and can be read, read-only (a query of no rows; a queue's properties and the count
 * of its messages). A missing queue blocks: producers, Event Grid and the host's triggers need it.
 * A missing table does not: the app creates its tables on first use (storage/tables.ts ensureTable).
 */
import type { Services } from '../composition/services.js';
import { DELIVERY_REPORTS_POISON_QUEUE, DELIVERY_REPORTS_QUEUE, EVENTS_QUEUE, POISON_QUEUE } from '../queues/queueNames.js';
import { queueClient } from '../queues/queues.js';
import { statusOf, tableClient } from '../storage/tables.js';
import { failed, messageOf, passed, warned, type Check } from './check.js';
import { IDENTITY, PROVISION_FIX } from './fixes.js';
import { storageAccountName } from './deployment.js';

/** A partition the app never writes: the read returns no row, only whether the table answers. */
const NO_PARTITION = "PartitionKey eq 'pim-notify-doctor'";

export async function storageChecks(services: Services): Promise<Check[]> {
  const { settings, storage } = services;
  const account = storageAccountName(settings) ?? '<account>';
  const role = (name: string) =>
    `az role assignment create --assignee-object-id ${IDENTITY} --assignee-principal-type ServicePrincipal --role "${name}" --scope $(az storage account show -n ${account} --query id -o tsv)`;
  const checks: Check[] = [];
  const tables = [settings.ACTIVITY_TABLE, settings.DELIVERY_TABLE, settings.SOURCES_TABLE, settings.RECIPIENT_RATE_TABLE];
  for (const table of [...new Set(tables)]) {
    const name = `table ${table}`;
    try {
      await tableClient(storage, table)
        .listEntities({ queryOptions: { filter: NO_PARTITION } })
        .byPage({ maxPageSize: 1 })
        .next();
      checks.push(passed('storage', name, 'exists and can be read'));
    } catch (e) {
      const status = statusOf(e);
      if (status === 404)
        checks.push(
          warned(
            'storage',
            name,
            'does not exist yet: the app creates it on first use (with Storage Table Data Contributor)',
            PROVISION_FIX,
          ),
        );
      else if (status === 401 || status === 403)
        checks.push(failed('storage', name, `cannot be read (${status})`, role('Storage Table Data Contributor')));
      else checks.push(failed('storage', name, `cannot be read: ${firstLine(e)}`));
    }
  }
  const queues: Array<[string, boolean]> = [
    [EVENTS_QUEUE, true],
    [POISON_QUEUE, false],
    [DELIVERY_REPORTS_QUEUE, true],
    [DELIVERY_REPORTS_POISON_QUEUE, false],
  ];
  for (const [queue, main] of queues) {
    const name = `queue ${queue}`;
    try {
      const { approximateMessagesCount: count = 0 } = await queueClient(storage, queue).getProperties();
      if (!main && count > 0)
        checks.push(
          warned(
            'storage',
            name,
            `${count} message(s) the app gave up on, each with its reason`,
            queue === POISON_QUEUE
              ? 'read them with `pim-notify redrive --dry-run`; `pim-notify redrive` puts back those that now pass'
              : undefined,
          ),
        );
      else checks.push(passed('storage', name, `exists and can be read (${count} message(s))`));
    } catch (e) {
      const status = statusOf(e);
      const create = `${PROVISION_FIX}, or az storage queue create --name ${queue} --account-name ${account} --auth-mode login`;
      if (status === 404)
        checks.push(
          main
            ? failed('storage', name, 'does not exist: nothing can be queued to it', create)
            : warned(
                'storage',
                name,
                'does not exist: the host creates it when it first gives up on a message, if it may create queues',
                create,
              ),
        );
      else if (status === 401 || status === 403)
        checks.push(failed('storage', name, `cannot be read (${status})`, role('Storage Queue Data Contributor')));
      else checks.push(failed('storage', name, `cannot be read: ${firstLine(e)}`));
    }
  }
  return checks;
}

function firstLine(e: unknown): string {
  return messageOf(e).split('\n')[0] ?? '';
}
