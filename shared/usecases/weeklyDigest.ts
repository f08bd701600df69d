/**
 * The weekly digest: counts for the four tiles from the week's activity partition, the top
 * roles from the role lookup, one email per recipient, sent at most once per (tenant, week).
 *
 * Delivered like every email (delivery/deliver.ts), each person their own message, exactly
 * once per (tenant, week) through the ledger, keyed `digest:<tenant>:<week>`: a rerun or a
 * retry skips who already got it; a run that died halfway leaves claims that a later run takes
 * over (after DELIVERY_LEASE_SECONDS, asking the transport first); two overlapping runs cannot
 * both send to one person (one of them sees the other's claims as busy). Delivery reports are
 * recorded for each recipient as for any notification.
 */
import type { RoleDirectory, TopRole } from '../directory/roleDirectory.js';
import { renderDigest, type DigestTiles } from '../render/render.js';
import { decideDigestRecipients } from '../rules/digestRecipients.js';
import { DIRECTORY_ADMIN_ROLE_IDS } from '../directory/roleDirectory.js';
import type { Settings } from '../settings/settings.js';
import { addressed, renderOptions, type PlannedEmail } from '../planning/addressing.js';
import type { ActivityRow, ActivityStore } from '../activity/activityStore.js';
import type { DeliveryLedger } from '../delivery/deliveryLedger.js';
import { deliver } from '../delivery/deliver.js';
import type { Transport } from '../transport/transport.js';
import { isoWeekOf, previousWeek, type IsoWeek } from '../time/isoWeek.js';
import type { Log } from '../log.js';

export type DigestSettings = Pick<
  Settings,
  | 'RECIPIENT_MODEL'
  | 'DIGEST_EXTRA_RECIPIENTS'
  | 'DIGEST_OPT_OUT'
  | 'PORTAL_BASE_URL'
  | 'TEMPLATES_DIR'
  | 'EMAIL_SENDER_ADDRESS'
  | 'EMAIL_SENDER_NAME'
  | 'DELIVERY_LEASE_SECONDS'
  | 'EMAIL_SEND_CONCURRENCY'
>;

export interface DigestPlan {
  week: IsoWeek;
  tenantId: string;
  tiles: DigestTiles;
  previousTiles: DigestTiles;
  topRoles: TopRole[];
  emails: PlannedEmail[];
}

export function emptyTiles(): DigestTiles {
  return { usersActivated: 0, usersMadePermanent: 0, roleAssignmentsInPim: 0, roleAssignmentsOutsidePim: 0 };
}

/** The tile a row counts towards (cli.md definitions), or undefined. Directory roles only. */
export function tileOf(row: Pick<ActivityRow, 'type' | 'scopeKind' | 'assignmentState'>): keyof DigestTiles | undefined {
  if (row.scopeKind !== 'directory') return undefined;
  switch (row.type) {
    case 'activationCompleted':
      return 'usersActivated';
    case 'roleMadePermanent':
      return 'usersMadePermanent';
    case 'roleAssigned':
      return row.assignmentState === 'eligible' ? 'roleAssignmentsInPim' : undefined;
    case 'roleAssignedOutsidePim':
      return 'roleAssignmentsOutsidePim';
    default:
      return undefined;
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
  kind: 'done';
  week: string;
  recipients: number;
  sent: number;
  alreadySent: number;
  failed: number;
}

export interface DigestDeps {
  directory: RoleDirectory;
  activity: ActivityStore;
  transport: Transport;
  ledger: DeliveryLedger;
  settings: DigestSettings;
  log: Log;
}

/**
 * A failure throws (the timer's retry runs it again and the ledger sends only what is left):
 * a transient error, another run holding some of it (DeliveryBusyError), or the transport's
 * quota used up (QuotaExceededError; what went out is recorded, the rest handed back).
 */
export async function sendWeeklyDigest(week: IsoWeek, deps: DigestDeps): Promise<DigestOutcome> {
  const plan = await planDigest(week, deps);
  const { sent, alreadySent, failed } = await deliver(digestLedgerId(plan.tenantId, week), plan.emails, {
    transport: deps.transport,
    ledger: deps.ledger,
    leaseMs: deps.settings.DELIVERY_LEASE_SECONDS * 1000,
    concurrency: deps.settings.EMAIL_SEND_CONCURRENCY,
    // Each digest greets its reader by name and says why they get it.
    personal: true,
    log: deps.log,
  });
  return { kind: 'done', week: week.id, recipients: plan.emails.length, sent, alreadySent, failed };
}

/** The digest as the Monday timer sends it: the ISO week that ended before `now`. */
export function sendLastWeeksDigest(now: Date, deps: DigestDeps): Promise<DigestOutcome> {
  return sendWeeklyDigest(previousWeek(isoWeekOf(now)), deps);
}
