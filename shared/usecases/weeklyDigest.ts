/**
 * The weekly digest: counts for the four tiles from the week's activity partition, the top
 * roles from the role lookup, one email per recipient, sent at most once per (tenant, week).
 *
 * Idempotent and resumable through the delivery ledger, keyed `digest:<tenant>:<week>`: a
 * rerun or a retry skips who already got it; a run that died halfway leaves claims that a
 * later run takes over (after DELIVERY_LEASE_SECONDS); two overlapping runs cannot both
 * send to one person (one of them sees the other's claims as busy).
 */
import type { RoleDirectory, TopRole } from '../directory/roleDirectory.js';
import type { EmailSender, OutgoingEmail } from '../email/emailSender.js';
import { renderDigest, type DigestTiles } from '../email/render.js';
import { decideDigestRecipients } from '../rules/digestRecipients.js';
import { DIRECTORY_ADMIN_ROLE_IDS } from '../directory/roleDirectory.js';
import type { Recipient } from '../rules/recipients.js';
import type { Settings } from '../settings/settings.js';
import { addressed, renderOptions } from './envelope.js';
import type { ActivityRow, ActivityStore } from '../storage/activityStore.js';
import type { DeliveryLedger } from '../storage/deliveryLedger.js';
import { isoWeekOf, previousWeek, type IsoWeek } from '../time/isoWeek.js';
import { deliverOnce } from './deliverOnce.js';
import type { Log } from '../log.js';

export type DigestSettings = Pick<
  Settings,
  | 'RECIPIENT_MODEL' | 'DIGEST_EXTRA_RECIPIENTS' | 'DIGEST_OPT_OUT' | 'PORTAL_BASE_URL' | 'TEMPLATES_DIR'
  | 'EMAIL_SENDER_ADDRESS' | 'EMAIL_SENDER_NAME' | 'DELIVERY_LEASE_SECONDS'
>;

export interface DigestPlan {
  week: IsoWeek;
  tenantId: string;
  tiles: DigestTiles;
  previousTiles: DigestTiles;
  topRoles: TopRole[];
  emails: Array<{ recipient: Recipient; email: OutgoingEmail; operationId: string; key: string }>;
}

export function emptyTiles(): DigestTiles {
  return { usersActivated: 0, usersMadePermanent: 0, roleAssignmentsInPim: 0, roleAssignmentsOutsidePim: 0 };
}

/** The tile a row counts towards (cli.md definitions), or undefined. Directory roles only. */
export function tileOf(row: Pick<ActivityRow, 'type' | 'scopeKind' | 'assignmentState'>): keyof DigestTiles | undefined {
  if (row.scopeKind !== 'directory') return undefined;
  switch (row.type) {
    case 'activationCompleted': return 'usersActivated';
    case 'roleMadePermanent': return 'usersMadePermanent';
    case 'roleAssigned': return row.assignmentState === 'eligible' ? 'roleAssignmentsInPim' : undefined;
    case 'roleAssignedOutsidePim': return 'roleAssignmentsOutsidePim';
    default: return undefined;
  }
}

/** One pass over the week's partition; each row is one event id (the table's RowKey). */
export async function countWeek(activity: ActivityStore, tenantId: string, week: IsoWeek): Promise<DigestTiles> {
  const tiles = emptyTiles();
  for await (const row of activity.week(tenantId, week.id)) {
    const tile = tileOf(row);
    if (tile) tiles[tile]++;
  }
  return tiles;
}

export async function planDigest(
  week: IsoWeek,
  deps: { directory: RoleDirectory; activity: ActivityStore; settings: DigestSettings },
): Promise<DigestPlan> {
  // The top roles and the admins as the week ended (its last instant: the end is exclusive), so
  // a week's digest says the same on any day; the live directory answers with the present.
  const directory = deps.directory.asOf(new Date(Date.parse(week.end) - 1));
  const tenant = await directory.tenant();
  const [tiles, previousTiles, topRoles, holders] = await Promise.all([
    countWeek(deps.activity, tenant.id, week),
    countWeek(deps.activity, tenant.id, previousWeek(week)),
    directory.topDirectoryRoles(5),
    Promise.all(DIRECTORY_ADMIN_ROLE_IDS.map((r) => directory.directoryRoleHolders(r))).then((l) => l.flat()),
  ]);
  const { recipients } = decideDigestRecipients(tenant, holders, {
    model: deps.settings.RECIPIENT_MODEL,
    extraRecipients: deps.settings.DIGEST_EXTRA_RECIPIENTS,
    optOut: deps.settings.DIGEST_OPT_OUT,
  });
  const ledgerId = digestLedgerId(tenant.id, week);
  const emails = recipients.map((recipient) =>
    addressed(
      ledgerId,
      recipient,
      renderDigest(
        {
          tenantName: tenant.displayName,
          week: week.id,
          weekStart: week.start,
          weekEnd: week.end,
          tiles,
          previousTiles,
          topRoles,
          recipientName: recipient.displayName,
          reason: `You received this weekly summary as ${recipient.reasons[0]?.via ?? 'a digest recipient'} in ${tenant.displayName}.`,
        },
        renderOptions(deps.settings),
      ),
      deps.settings,
      { 'X-PIM-Digest-Week': week.id, 'X-PIM-Notification': 'weeklyDigest' },
    ),
  );
  return { week, tenantId: tenant.id, tiles, previousTiles, topRoles, emails };
}

export function digestLedgerId(tenantId: string, week: IsoWeek): string {
  return `digest:${tenantId.toLowerCase()}:${week.id}`;
}

export interface DigestOutcome {
  week: string;
  recipients: number;
  sent: number;
  alreadySent: number;
  failed: number;
}

export async function sendWeeklyDigest(
  week: IsoWeek,
  deps: { directory: RoleDirectory; activity: ActivityStore; sender: EmailSender; ledger: DeliveryLedger; settings: DigestSettings; log: Log },
): Promise<DigestOutcome> {
  const plan = await planDigest(week, deps);
  const counts = await deliverOnce(
    digestLedgerId(plan.tenantId, week),
    plan.emails.map((e) => ({ key: e.key, operationId: e.operationId, notification: 'weeklyDigest', email: e.email })),
    // Recorded one by one: a digest run is long (rate limits), and an interrupted run must
    // leave exact records of who already has it.
    { sender: deps.sender, ledger: deps.ledger, leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000, log: deps.log, recordEach: true },
  );
  return { week: week.id, recipients: plan.emails.length, ...counts };
}

/** The digest as the Monday timer sends it: the ISO week that ended before `now`. */
export function sendLastWeeksDigest(now: Date, deps: Parameters<typeof sendWeeklyDigest>[1]): Promise<DigestOutcome> {
  return sendWeeklyDigest(previousWeek(isoWeekOf(now)), deps);
}
