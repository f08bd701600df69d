/**
 * The delivery benchmark's weekly digest (bench/deliveryBench.ts, `digest`): the digest of the
 * events' week (sendLastWeeksDigest, each admin their own message) through the production
 * transport and, for the comparison, through the send-and-poll baseline (`digest.sendAndPoll`):
 * ACS requests and status reads per digest recipient, and whether every recipient got it once.
 */
import type { Settings } from '../shared/settings/settings.js';
import type { DeliveryLedger } from '../shared/delivery/deliveryLedger.js';
import { recipientKey } from '../shared/delivery/deliveryLedger.js';
import { digestLedgerId, sendLastWeeksDigest } from '../shared/usecases/weeklyDigest.js';
import type { RoleDirectory } from '../shared/directory/roleDirectory.js';
import type { ActivityStore } from '../shared/activity/activityStore.js';
import type { Transport } from '../shared/transport/transport.js';
import { isoWeekOf, previousWeek } from '../shared/time/isoWeek.js';
import { FakeAcs, type FakeAcsOptions } from '../test/support/fakeAcs.js';
import { lostAndDuplicates } from './deliveryCounts.js';
import { benchClock } from './tenant.js';

/** The weekly digest of the events' week, sent once to its recipients (each their own message). */
export interface DigestDeliveryResult {
  week: string;
  recipients: number;
  acsMessages: number;
  acsRequests: number;
  acsStatusReads: number;
  acsRequestsPerRecipient: number;
  acsStatusReadsPerRecipient: number;
  /** The whole sendLastWeeksDigest call: plan (activity counts, directory) and delivery. */
  seconds: number;
  lost: number;
  duplicates: number;
}

/** One way of sending the digest: its ledger, and its settings and transport for the local ACS it gets. */
export interface DigestWay {
  ledger: DeliveryLedger;
  settings: (server: FakeAcs) => Settings;
  transport: (server: FakeAcs, settings: Settings) => Transport;
}

/**
 * The weekly digest of the events' week (the Monday timer's call), each way on a local ACS of its
 * own so that only its requests are counted: the production transport, then the send-and-poll
 * baseline, one email after another as the digest went before. The same activity rows and
 * directory; the baseline's ledger is the sequential run's table, so nothing counts as sent.
 * The two local ACS are returned for the caller to close with its others.
 */
export async function measureWeeklyDigest(deps: {
  directory: RoleDirectory;
  activity: ActivityStore;
  acs: FakeAcsOptions;
  production: DigestWay;
  baseline: DigestWay;
  log: (line: string) => void;
}): Promise<{ digest: DigestDeliveryResult & { sendAndPoll: DigestDeliveryResult }; servers: FakeAcs[] }> {
  const { directory, activity, production, baseline, log } = deps;
  const digestAcs = await FakeAcs.start(deps.acs);
  const digestSettings = production.settings(digestAcs);
  log(`  delivery: the weekly digest of ${previousWeek(isoWeekOf(benchClock.now())).id}`);
  const digest = await runDigest(digestAcs, {
    directory,
    activity,
    transport: production.transport(digestAcs, digestSettings),
    ledger: production.ledger,
    settings: digestSettings,
  });
  const digestSeqAcs = await FakeAcs.start(deps.acs);
  log(`  delivery: the weekly digest sent and polled, one email after another, ${digest.recipients} recipients`);
  const baselineSettings = baseline.settings(digestSeqAcs);
  const digestSendAndPoll = await runDigest(digestSeqAcs, {
    directory,
    activity,
    transport: baseline.transport(digestSeqAcs, baselineSettings),
    ledger: baseline.ledger,
    settings: baselineSettings,
  });
  return { digest: { ...digest, sendAndPoll: digestSendAndPoll }, servers: [digestAcs, digestSeqAcs] };
}

/**
 * The weekly digest of the week before benchClock's now, as the Monday timer sends it, on a
 * local ACS that serves nothing else: what it cost there, per digest recipient, and whether
 * every recipient the ledger planned got it exactly once.
 */
async function runDigest(
  server: FakeAcs,
  deps: { directory: RoleDirectory; activity: ActivityStore; transport: Transport; ledger: DeliveryLedger; settings: Settings },
): Promise<DigestDeliveryResult> {
  const t0 = performance.now();
  const outcome = await sendLastWeeksDigest(benchClock.now(), { ...deps, log: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.failed > 0 || outcome.alreadySent > 0 || outcome.sent !== outcome.recipients || outcome.recipients === 0) {
    throw new Error(
      `delivery benchmark: the digest of ${outcome.week} sent ${outcome.sent} of ${outcome.recipients} (${outcome.alreadySent} already sent, ${outcome.failed} failed)`,
    );
  }
  const posts = server.count('POST', '/emails:send');
  const reads = server.count('GET', '/emails/operations');
  const tenant = await deps.directory.tenant();
  const plannedKeys = new Set(
    (await deps.ledger.outcomes(digestLedgerId(tenant.id, previousWeek(isoWeekOf(benchClock.now()))))).map((o) => o.key),
  );
  const counts = new Map<string, number>();
  for (const d of server.deliveries) {
    for (const r of [...(d.message.recipients.to ?? []), ...(d.message.recipients.bcc ?? [])])
      counts.set(recipientKey(r.address), (counts.get(recipientKey(r.address)) ?? 0) + 1);
  }
  const perRecipient = (n: number) => Number((n / outcome.recipients).toFixed(3));
  return {
    week: outcome.week,
    recipients: outcome.recipients,
    acsMessages: posts,
    acsRequests: posts + reads,
    acsStatusReads: reads,
    acsRequestsPerRecipient: perRecipient(posts + reads),
    acsStatusReadsPerRecipient: perRecipient(reads),
    seconds: Number(seconds.toFixed(2)),
    ...lostAndDuplicates(plannedKeys, counts),
  };
}
