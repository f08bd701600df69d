/**
 * pim-notify simulate --directory SNAPSHOT --events FILE [--out DIR]
 * The emails the queue function would send for each event, against a snapshot, sending
 * nothing (contracts/cli.md). One JSON line per email on stdout.
 */
import { OutboxSender } from '../../shared/email/outboxSender.js';
import { InvalidEventError } from '../../shared/events/parse.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications } from '../../shared/usecases/planNotifications.js';
import { parse, required } from './args.js';
import { HELP } from './help.js';
import { openEvents, openSnapshot } from './inputs.js';

const USAGE = HELP.simulate;

export async function simulate(args: string[]): Promise<number> {
  const { values } = parse(args, { directory: { type: 'string' }, events: { type: 'string' }, out: { type: 'string' } }, USAGE);
  const snapshotPath = required(values.directory, '--directory', USAGE);
  const eventsPath = required(values.events, '--events', USAGE);
  const settings = loadSettings();

  const directory = await openSnapshot('simulate', snapshotPath);
  if (!directory) return 1;
  const file = await openEvents('simulate', eventsPath);
  if (!file) return 1;

  const outbox = values.out ? new OutboxSender({ dir: values.out }) : undefined;
  let invalid = file.invalid.length;
  for (const { line, event } of file.events) {
    let plan;
    try {
      plan = await planNotifications(event, directory, settings);
    } catch (e) {
      if (!(e instanceof InvalidEventError)) throw e;
      console.error(`${eventsPath}:${line}: ${e.message}`);
      invalid++;
      continue;
    }
    for (const planned of plan.emails) {
      const line = {
        eventId: event.id,
        notification: planned.recipient.notification,
        to: planned.recipient.address,
        subject: planned.email.subject,
        reasons: planned.recipient.reasons.map((r) => ({ notification: r.notification, rule: r.ruleId, via: r.via })),
      };
      process.stdout.write(JSON.stringify(line) + '\n');
      if (outbox) await outbox.send(planned.email, { operationId: planned.operationId, mayHaveBeenSent: false });
    }
  }
  return invalid > 0 ? 2 : 0;
}
