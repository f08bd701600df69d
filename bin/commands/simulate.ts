/**
 * pim-notify simulate --directory SNAPSHOT --events FILE [--out DIR]
 * The emails the queue function would send for each event, against a snapshot, sending
 * nothing (docs/cli.md). One JSON line per email on stdout; on stderr, each event's warnings
 * (an approval nobody can give, nobody notified, a cap, an unknown role) and a summary that
 * names the truncated and unnotified events.
 */
import { OutboxTransport } from '../../shared/transport/outboxTransport.js';
import { personalMessage } from '../../shared/delivery/batching.js';
import { InvalidEventError } from '../../shared/events/parse.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { UNREACHED_APPROVAL, type RecipientDecision } from '../../shared/rules/recipients.js';
import { parse, required } from './args.js';
import { HELP } from './help.js';
import { addressOf, withAlternateAddresses } from '../../shared/escalation/alternates.js';
import type { AlternateAddresses } from '../../shared/escalation/escalationSettings.js';
import { openEvents, openSnapshot } from './inputs.js';

const USAGE = HELP.simulate;

export async function simulate(args: string[]): Promise<number> {
  const { values } = parse(args, { directory: { type: 'string' }, events: { type: 'string' }, out: { type: 'string' } }, USAGE);
  const snapshotPath = required(values.directory, '--directory', USAGE);
  const eventsPath = required(values.events, '--events', USAGE);
  const settings = loadSettings();

  const snapshot = await openSnapshot('simulate', snapshotPath);
  if (!snapshot) return 1;
  const directory = withAlternateAddresses(snapshot, settings.ALTERNATE_ADDRESSES);
  const file = await openEvents('simulate', eventsPath);
  if (!file) return 1;

  const outbox = values.out ? new OutboxTransport({ dir: values.out }) : undefined;
  let invalid = file.invalid.length;
  let emails = 0;
  const truncated: string[] = [];
  const unnotified: string[] = [];
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
    for (const w of plan.decision.warnings) console.error(`event ${event.id} (${event.type}): warning: ${w}`);
    if (plan.decision.truncated > 0) truncated.push(`${event.id} (${plan.decision.truncated} left out)`);
    if (isUnnotified(plan.decision)) unnotified.push(event.id);
    emails += plan.emails.length;
    for (const planned of plan.emails) {
      const line = {
        eventId: event.id,
        notification: planned.recipient.notification,
        to: planned.recipient.address,
        subject: planned.email.subject,
        reasons: planned.recipient.reasons.map((r) => ({ notification: r.notification, rule: r.ruleId, via: r.via })),
        ...alternateReason(planned.recipient.userId, settings.ALTERNATE_ADDRESSES),
      };
      process.stdout.write(JSON.stringify(line) + '\n');
      if (outbox) await outbox.accept(personalMessage(planned.email), { operationId: planned.operationId, mayHaveBeenSent: false });
    }
  }
  console.error(
    `simulated ${file.events.length - (invalid - file.invalid.length)} event(s), ${emails} email(s); ` +
      `truncated: ${truncated.length ? truncated.join(', ') : 'none'}; unnotified: ${unnotified.length ? unnotified.join(', ') : 'none'}`,
  );
  return invalid > 0 ? 2 : 0;
}

/** Nobody notified, or an approval request that reaches no approver (recipients.ts reports both). */
function isUnnotified(decision: RecipientDecision): boolean {
  return decision.recipients.length === 0 || decision.warnings.some((w) => w.startsWith(UNREACHED_APPROVAL));
}

/** Why an address is not the directory's: the operator's mapping for a person without a mailbox. */
function alternateReason(userId: string | undefined, alternates: AlternateAddresses): { addressReason?: string } {
  if (!userId || !addressOf({ id: userId, address: null }, alternates).alternate) return {};
  return { addressReason: `ALTERNATE_ADDRESSES maps user ${userId} to this address (a person without a usable mailbox)` };
}
