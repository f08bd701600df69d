/**
 * Every email the app can send, rendered from the bundled samples through the real pipeline
 * (planNotifications and planDigest on the sample tenant and events), so the preview shows
 * what production would send, not a separate mock-up.
 */
import { readFile } from 'node:fs/promises';
import type { RoleDirectory } from '../../shared/directory/roleDirectory.js';
import type { RenderedEmail } from '../../shared/render/email.js';
import { parseEventsText } from '../eventFile.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../shared/rules/notifications.js';
import type { Settings } from '../../shared/settings/settings.js';
import { MemoryActivityStore } from '../doubles/memoryActivityStore.js';
import { MemoryRateLimit } from '../doubles/memoryRateLimit.js';
import { renderSummary } from '../../shared/usecases/heldBackSummary.js';
import { holdBack } from '../../shared/rateLimit/holdBack.js';
import { isoWeekOf } from '../../shared/time/isoWeek.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { planDigest } from '../../shared/usecases/weeklyDigest.js';

export const SAMPLE_EVENTS = 'samples/events.jsonl';

export interface SampleEmail {
  notification: NotificationKind | 'heldBackSummary';
  /** Where it came from: the event id, or the digest week. */
  source: string;
  email: RenderedEmail;
}

export async function sampleEmails(directory: RoleDirectory, settings: Settings): Promise<{ emails: SampleEmail[]; missing: NotificationKind[] }> {
  const { events } = parseEventsText(await readFile(fromPackageRoot(SAMPLE_EVENTS), 'utf8'));
  const found = new Map<NotificationKind, SampleEmail>();
  const activity = new MemoryActivityStore();
  // Every sample in one window with a limit of 1: the rate limit holds back the rest for a summary.
  const last = Math.max(...events.map(({ event }) => Date.parse(event.occurredAt)));
  const rates = new MemoryRateLimit({ now: () => new Date(last) });
  for (const { event } of events) {
    await activity.record(event);
    const plan = await planNotifications(event, directory, settings);
    await holdBack(plan, rates, { RECIPIENT_RATE_LIMIT: 1, RECIPIENT_RATE_WINDOW_MINUTES: settings.RECIPIENT_RATE_WINDOW_MINUTES });
    for (const e of plan.emails) {
      if (!found.has(e.recipient.notification)) found.set(e.recipient.notification, { notification: e.recipient.notification, source: event.id, email: e.email });
    }
  }
  // The digest of the busiest sample week.
  const weeks = new Map<string, number>();
  for (const { event } of events) weeks.set(isoWeekOf(event.occurredAt).id, (weeks.get(isoWeekOf(event.occurredAt).id) ?? 0) + 1);
  const busiest = [...weeks.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (busiest) {
    const digest = await planDigest(isoWeekOf(events.find((e) => isoWeekOf(e.event.occurredAt).id === busiest)!.event.occurredAt), { directory, activity, settings });
    const first = digest.emails[0];
    if (first) found.set('weeklyDigest', { notification: 'weeklyDigest', source: busiest, email: first.email });
  }
  const emails: SampleEmail[] = NOTIFICATION_KINDS.flatMap((k) => (found.has(k) ? [found.get(k)!] : []));
  const summary = await heldBackSample(rates, directory, settings);
  if (summary) emails.push(summary);
  return { emails, missing: NOTIFICATION_KINDS.filter((k) => !found.has(k)) };
}

/** The held-back summary of the person the samples held the most back for. */
async function heldBackSample(rates: MemoryRateLimit, directory: RoleDirectory, settings: Settings): Promise<SampleEmail | undefined> {
  const windows = await Promise.all((await rates.dueSummaries(new Date(8.64e15))).map(async (due) => ({ due, items: await rates.heldIn(due) })));
  const busiest = windows.sort((a, b) => b.items.length - a.items.length)[0];
  if (!busiest || busiest.items.length === 0) return undefined;
  const limited = { ...settings, RECIPIENT_RATE_LIMIT: 1 };
  const email = renderSummary(busiest.due, busiest.items, (await directory.tenant()).displayName, limited);
  return { notification: 'heldBackSummary', source: `${busiest.items.length} sample events`, email };
}
