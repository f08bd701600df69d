/**
 * pim-notify digest --directory SNAPSHOT --activity FILE --week YYYY-Www [--out DIR]
 * The weekly digest emails for one ISO week, as the timer function would build them
 * (docs/cli.md). Only directory-scope events in the week count, each id once.
 */
import { OutboxTransport } from '../../shared/transport/outboxTransport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { MemoryActivityStore } from '../../dev/doubles/memoryActivityStore.js';
import { parseIsoWeek, type IsoWeek } from '../../shared/time/isoWeek.js';
import { planDigest } from '../../shared/usecases/weeklyDigest.js';
import { UsageError } from './args.js';
import { HELP } from './help.js';
import { parse, required } from './args.js';
import { openEvents, openSnapshot } from './inputs.js';

const USAGE = HELP.digest;

export async function digest(args: string[]): Promise<number> {
  const { values } = parse(
    args,
    { directory: { type: 'string' }, activity: { type: 'string' }, week: { type: 'string' }, out: { type: 'string' } },
    USAGE,
  );
  const snapshotPath = required(values.directory, '--directory', USAGE);
  const activityPath = required(values.activity, '--activity', USAGE);
  let week: IsoWeek;
  try {
    week = parseIsoWeek(required(values.week, '--week', USAGE));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const settings = loadSettings();

  const directory = await openSnapshot('digest', snapshotPath);
  if (!directory) return 1;
  const file = await openEvents('digest', activityPath);
  if (!file) return 1;

  // The same store interface the timer reads from Table Storage, filled from the file.
  const activity = new MemoryActivityStore();
  for (const { event } of file.events) await activity.record(event);
  const plan = await planDigest(week, { directory, activity, settings });

  const outbox = values.out ? new OutboxTransport({ dir: values.out }) : undefined;
  for (const e of plan.emails) {
    const line = {
      notification: 'weeklyDigest',
      to: e.recipient.address,
      subject: e.email.subject,
      week: week.id,
      tiles: plan.tiles,
      previousTiles: plan.previousTiles,
      topRoles: plan.topRoles,
    };
    process.stdout.write(JSON.stringify(line) + '\n');
    if (outbox) await outbox.accept(personalMessage(e.email), { operationId: e.operationId, mayHaveBeenSent: false });
  }
  return file.invalid.length > 0 ? 2 : 0;
}
