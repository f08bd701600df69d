/**
 * Every setting the app reads, in one table: name, default, meaning and how to parse it.
 * Read once (loadSettings), validated at start-up with a message that names the setting;
 * README's settings table is generated from SETTINGS (npm run docs), and a test fails
 * when it drifts. Nothing else in the code reads process.env for app settings.
 */
import { z } from 'zod';

import { addressList, bool, guidList, positiveInt, spec, url, type SettingSpec } from './spec.js';
import { recipientModelText, renamedText } from './formerNames.js';
import { ESCALATION_SETTINGS } from '../escalation/escalationSettings.js';

export const SETTINGS = {
  AzureWebJobsStorage: spec({
    description:
      'Storage for the queue trigger, the activity and delivery tables. A connection string, or unset with `AzureWebJobsStorage__accountName` (managed identity) in Azure. Unset locally: `pim-notify start` starts Azurite itself.',
    schema: z.string().min(1).optional(),
    host: true,
  }),
  AzureWebJobsStorage__accountName: spec({
    description: 'Storage account name for identity-based connections (managed identity; no keys).',
    schema: z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name')
      .optional(),
    host: true,
  }),
  AzureWebJobsStorage__clientId: spec({
    description: 'Client id of the user-assigned managed identity used for storage.',
    schema: z.guid().optional(),
    host: true,
  }),
  AzureWebJobsStorage__credential: spec({
    description: '`managedidentity` for identity-based storage connections.',
    schema: z.string().optional(),
    host: true,
  }),
  AzureWebJobsStorage__queueServiceUri: spec({
    description:
      'Queue endpoint of the storage account for identity-based connections (the Bicep sets it from the account). Unset: `https://<accountName>.queue.core.windows.net`, which is wrong in sovereign clouds.',
    schema: url.optional(),
    host: true,
  }),
  AzureWebJobsStorage__tableServiceUri: spec({
    description:
      'Table endpoint of the storage account for identity-based connections (the Bicep sets it from the account). Unset: `https://<accountName>.table.core.windows.net`, which is wrong in sovereign clouds.',
    schema: url.optional(),
    host: true,
  }),
  DIRECTORY_SOURCE: spec({
    description:
      'Where role holders and settings come from: `snapshot` (an offline file) or `graph` (Microsoft Graph and Azure Resource Manager).',
    default: 'snapshot',
    schema: z.enum(['snapshot', 'graph']),
  }),
  DIRECTORY_SNAPSHOT_PATH: spec({
    description: 'The directory snapshot file used when `DIRECTORY_SOURCE=snapshot` (docs/directory-snapshot.md).',
    default: 'samples/contoso-directory.json',
    schema: z.string().min(1),
  }),
  EMAIL_TRANSPORT: spec({
    description: 'How email leaves: `outbox` (RFC 5322 .eml files in `OUTBOX_DIR`) or `acs` (Azure Communication Services Email).',
    default: 'outbox',
    schema: z.enum(['outbox', 'acs']),
  }),
  EMAIL_BATCHING: spec({
    description:
      'With `EMAIL_TRANSPORT=acs`: `shared` sends the identical emails of an event as one message (up to 50 recipients in Bcc, no name in the greeting, one "why you received this" line per notification naming every way its recipients were reached); `perPerson` sends everyone their own message with their name. ACS counts its quota per message: see docs/deploy.md for which fits your domain. The digest and the held-back summary always go per person. Formerly `EMAIL_GROUPING`, still read.',
    default: 'shared',
    schema: z.enum(['shared', 'perPerson']),
    formerName: 'EMAIL_GROUPING',
  }),
  EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS: spec({
    description:
      "With `EMAIL_TRANSPORT=acs` and `EMAIL_BATCHING=shared`: an address of yours (a mailbox or distribution list that may receive every shared message, e.g. the sender's own) put in To of shared messages, everyone else in Bcc (49 per message). ACS requires To and does not document an empty one; unset, To is sent empty, and if ACS refuses that the app sends everyone their own message from then on (one warning in the log). See docs/deploy.md.",
    schema: z.email({ message: 'must be an email address' }).optional(),
  }),
  EMAIL_SEND_CONCURRENCY: spec({
    description:
      'With `EMAIL_TRANSPORT=acs`: how many messages of one event are sent at once (16: the 21 messages of a 1,000-recipient event go in two rounds; ACS limits sends per minute and hour, not in flight).',
    default: '16',
    schema: positiveInt(32),
  }),
  DELIVERY_REPORT_RESENDS: spec({
    description:
      'How many times a recipient whose ACS delivery report says `Failed` is sent the email again (alone, under a new operation id) before it is recorded as failed.',
    default: '2',
    schema: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0')
      .max(10, 'must be at most 10'),
  }),
  ACS_RESOURCE_ID: spec({
    description:
      'ARM id of the Communication Services resource (`/subscriptions/…/providers/Microsoft.Communication/communicationServices/<name>`; the Bicep sets it). A delivery report is acted on (a resend, a fallback to other approvers) only when its Event Grid `topic` is this resource; unset, reports are recorded but never acted on, since a forged one could not be told apart.',
    schema: z
      .string()
      .regex(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Communication\/communicationServices\/[^/]+$/i,
        'must be the ARM id of a Communication Services resource',
      )
      .optional(),
  }),
  ...ESCALATION_SETTINGS,
  OUTBOX_DIR: spec({
    description: 'Folder the outbox transport writes `.eml` files to.',
    default: 'outbox',
    schema: z.string().min(1),
  }),
  ACS_ENDPOINT: spec({
    description:
      'Communication Services endpoint, e.g. `https://<name>.communication.azure.com`; used with the managed identity when `EMAIL_TRANSPORT=acs`.',
    schema: url.optional(),
  }),
  ACS_CONNECTION_STRING: spec({
    description:
      'Communication Services connection string (`endpoint=...;accesskey=...`), an alternative to `ACS_ENDPOINT` for local tests. Never commit one.',
    schema: z.string().min(1).optional(),
  }),
  EMAIL_SENDER_ADDRESS: spec({
    description: 'The From address. With ACS it must belong to a verified or Azure-managed domain linked to the resource.',
    default: 'pim-noreply@contoso.example',
    schema: z.email({ message: 'must be an email address' }),
  }),
  EMAIL_SENDER_NAME: spec({
    description:
      'The From display name (outbox). ACS takes the display name from the sender username configured on its email domain instead.',
    default: 'Privileged Identity Management',
    schema: z.string().min(1).max(128),
  }),
  PORTAL_BASE_URL: spec({
    description: 'Base of the links in emails (the Azure portal of your cloud).',
    default: 'https://portal.azure.com',
    schema: url,
  }),
  TEMPLATES_DIR: spec({
    description:
      'A folder of Handlebars templates (`<notification>.subject.hbs`, `.html.hbs`, `.text.hbs`) that replace the built-in ones, file by file.',
    schema: z.string().min(1).optional(),
  }),
  MAX_RECIPIENTS_PER_EVENT: spec({
    description: 'At most this many emails per event (Microsoft PIM sends to the first 1,000), the most actionable first.',
    default: '1000',
    schema: positiveInt(100_000),
  }),
  RECIPIENT_MODEL: spec({
    description:
      'Which documented set of "admins" PIM emails: `seed-2019` (the 2019 documentation: Entra admin emails to active **and** eligible Privileged Role, Security and Global Administrators) or `microsoft-current` (Microsoft\'s documentation since 2023: Entra admin emails and the digest to *active* holders only). Azure resource admin emails go to permanent and eligible Owners and User Access Administrators in both. docs/recipients.md lists the differences. The former `ADMINS_ACTIVE_ONLY` is still read when this is unset: `true` means `microsoft-current`, `false` `seed-2019`.',
    default: 'seed-2019',
    schema: z.enum(['seed-2019', 'microsoft-current'], { message: 'must be seed-2019 or microsoft-current' }),
  }),
  ACTIVITY_TABLE: spec({
    description: 'Table that records each processed event once, partitioned by ISO week, for the digest.',
    default: 'PimActivity',
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a table name'),
  }),
  DELIVERY_TABLE: spec({
    description:
      'Delivery ledger: per event, a row per message sent (listing its recipients) and per recipient with an outcome of their own (a delivery report, a resend), so that a message delivered twice sends each email once.',
    default: 'PimDeliveries',
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a table name'),
  }),
  DELIVERY_LEASE_SECONDS: spec({
    description:
      'How long a claimed but unconfirmed send blocks another worker from sending the same email; after it, a retry checks with the transport and finishes the send.',
    default: '300',
    schema: positiveInt(86_400),
  }),
  MISSING_PERMISSION_RETRY_SECONDS: spec({
    description:
      'How long an event waits on the queue before notify looks at it again when a directory read was refused (403: a Graph permission or the ARM Reader role missing), so it is delivered once the permission is granted.',
    default: '900',
    schema: positiveInt(86_400),
  }),
  MISSING_PERMISSION_WAIT_HOURS: spec({
    description:
      'How long after it happened an event keeps waiting for a missing permission; after that it goes to the poison queue with the reason, for `pim-notify redrive` once the permission is granted.',
    default: '24',
    schema: positiveInt(168),
  }),
  RECIPIENT_RATE_LIMIT: spec({
    description:
      'At most this many informational emails (every kind that does not ask the recipient to act) go to one person per `RECIPIENT_RATE_WINDOW_MINUTES`; the rest are held back and listed in one summary email after the window closes (docs/rate-limit.md). Approval requests and approval reminders are never held back and do not count. `0` turns the limit off.',
    default: '20',
    schema: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be at least 0 (0 = off)')
      .max(100_000, 'must be at most 100000'),
  }),
  RECIPIENT_RATE_WINDOW_MINUTES: spec({
    description: 'The window of `RECIPIENT_RATE_LIMIT`, in minutes: fixed windows aligned to UTC (60 = each clock hour).',
    default: '60',
    schema: positiveInt(1440),
  }),
  RECIPIENT_RATE_TABLE: spec({
    description:
      'Table of the rate limit: per person and window the count of informational emails sent, and each email held back until its summary goes out.',
    default: 'PimRecipientRates',
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a table name'),
  }),
  HELD_BACK_SCHEDULE: spec({
    description:
      'NCRONTAB schedule of the held-back summary (`%HELD_BACK_SCHEDULE%`): each person whose emails were held back in a window that has closed gets one summary email listing them.',
    default: '0 */5 * * * *',
    schema: z.string().min(9),
    host: true,
  }),
  DIGEST_SCHEDULE: spec({
    description: 'NCRONTAB schedule of the weekly digest (`%DIGEST_SCHEDULE%` in the timer binding), in UTC.',
    default: '0 0 8 * * 1',
    schema: z.string().min(9),
    host: true,
  }),
  DIGEST_EXTRA_RECIPIENTS: spec({
    description:
      'Addresses that get the weekly digest as well as the PRA/SA/GA holders (`;`-separated), e.g. a security distribution list.',
    default: '',
    schema: addressList,
  }),
  DIGEST_OPT_OUT: spec({
    description: 'Addresses that never get the weekly digest (`;`-separated).',
    default: '',
    schema: addressList,
  }),
  GRAPH_BASE_URL: spec({
    description: 'Microsoft Graph endpoint (national clouds: `https://graph.microsoft.us`, `https://microsoftgraph.chinacloudapi.cn`).',
    default: 'https://graph.microsoft.com',
    schema: url,
  }),
  ARM_BASE_URL: spec({
    description: 'Azure Resource Manager endpoint (national clouds differ).',
    default: 'https://management.azure.com',
    schema: url,
  }),
  DIRECTORY_CACHE_TTL_SECONDS: spec({
    description:
      'How long role holders, members and policies read from Graph/ARM are reused, so a burst of events does not ask Graph per event.',
    default: '300',
    schema: z.coerce.number({ message: 'must be a number' }).int().min(0).max(86_400),
  }),
  CONFIRM_WITH_PIM: spec({
    description:
      'With the Graph/ARM directory, mail an event only when PIM\'s own records bear it out (its request, or the schedule at its scope, with the same principal, role, scope and status); anything else goes to `pim-events-poison` as "not confirmed by PIM". `false` mails every well-formed event with a warning: anyone who can write to `pim-events` can then have PIM-branded mail sent to your admins (docs/trust.md). No effect with the snapshot directory.',
    default: 'true',
    schema: bool,
  }),
  CONFIRM_LAG_SECONDS: spec({
    description:
      "How long after its occurredAt an event whose PIM record is not there yet (or not at its status yet) is looked at again (after half its age, 2 s to a minute) before it counts as not confirmed: PIM's read APIs can trail its audit log.",
    default: '600',
    schema: z.coerce.number({ message: 'must be a number' }).int().min(0).max(86_400),
  }),
  AZURE_CLIENT_ID: spec({
    description: 'Client id of the user-assigned managed identity used for Graph, ARM and ACS (DefaultAzureCredential reads it too).',
    schema: z.guid().optional(),
  }),
  AUDIT_SCHEDULE: spec({
    description:
      'NCRONTAB schedule of the audit collector (`%AUDIT_SCHEDULE%`), which turns new PIM audit records from Microsoft Graph into events on `pim-events`. Needs the Graph permission AuditLog.Read.All.',
    default: '0 */5 * * * *',
    schema: z.string().min(9),
    host: true,
  }),
  AUDIT_OVERLAP_MINUTES: spec({
    description:
      'How far before its cursor the audit collector reads again, to catch records Entra logs late; a record read twice is still one event.',
    default: '30',
    schema: positiveInt(1440),
  }),
  REQUESTS_SCHEDULE: spec({
    description:
      "NCRONTAB schedule of the requests collector (`%REQUESTS_SCHEDULE%`), which reads PIM's request APIs (Graph for directory roles and groups, ARM per subscription in `AZURE_SUBSCRIPTION_IDS`) and queues each new request and change of status at once. Needs RoleAssignmentSchedule.Read.Directory and RoleEligibilitySchedule.Read.Directory (PrivilegedAssignmentSchedule / PrivilegedEligibilitySchedule.Read.AzureADGroup for groups).",
    default: '*/30 * * * * *',
    schema: z.string().min(9),
    host: true,
  }),
  APPROVAL_REMINDER_HOURS: spec({
    description:
      'Hours after a request was made at which its approvers are reminded while it still waits (`;`-separated, each below the 24-hour approval window; `none` = no reminders). The count of reminders is the count of values.',
    default: '4;23',
    schema: z
      .string()
      .transform((v) =>
        v.trim().toLowerCase() === 'none'
          ? []
          : v
              .split(/[;,]/)
              .map((s) => s.trim())
              .filter(Boolean)
              .map(Number),
      )
      .pipe(
        z
          .array(z.number({ message: 'must be hours' }).positive('must be above 0').lt(24, 'must be below 24 (the approval window)'))
          .max(10, 'at most 10 reminders'),
      ),
  }),
  EXPIRY_SCHEDULE: spec({
    description:
      'NCRONTAB schedule of the expiry scanner (`%EXPIRY_SCHEDULE%`), which emits expiring-soon (14 days, when the assignment can also be extended; 1 day) and expired events, in UTC.',
    default: '0 0 6 * * *',
    schema: z.string().min(9),
    host: true,
  }),
  SOURCES_TABLE: spec({
    description:
      'Table of the event sources: the audit cursor, audit records already queued, tracked assignments and expiry milestones already emitted.',
    default: 'PimSources',
    schema: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'must be a table name'),
  }),
  AZURE_SUBSCRIPTION_IDS: spec({
    description: 'Subscriptions whose Azure resource roles are looked up and scanned (`;`-separated GUIDs).',
    default: '',
    schema: guidList('must be a list of subscription GUIDs'),
  }),
  PIM_GROUP_IDS: spec({
    description:
      "Groups whose PIM for Groups requests the requests collector reads besides the role-assignable ones (`;`-separated GUIDs). Graph lists a group's requests only by group (or principal) and has no list of the groups PIM manages: name here the PIM-managed groups that are not role-assignable.",
    default: '',
    schema: guidList('must be a list of group GUIDs'),
  }),
} satisfies Record<string, SettingSpec<unknown>>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Reads and validates every setting. Empty strings count as unset (Azure app settings
 * cannot always be deleted, only blanked). Cross-setting rules are checked here too, so
 * a misconfigured deployment fails at start-up rather than on the first event.
 */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    const raw =
      name === 'RECIPIENT_MODEL'
        ? recipientModelText(env, problems)
        : s.formerName
          ? renamedText(name, s.formerName, env, problems)
          : env[name];
    const value = raw === undefined || raw.trim() === '' ? s.default : raw.trim();
    const parsed = s.schema.safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const settings = out as Settings;
  if (problems.length === 0) problems.push(...crossChecks(settings));
  if (problems.length > 0) {
    throw new SettingsError(`Invalid settings (fix them in local.settings.json or the app settings):\n- ${problems.join('\n- ')}`);
  }
  return settings;
}

function crossChecks(s: Settings): string[] {
  const problems: string[] = [];
  if (s.EMAIL_TRANSPORT === 'acs' && !s.ACS_ENDPOINT && !s.ACS_CONNECTION_STRING) {
    problems.push('EMAIL_TRANSPORT=acs needs ACS_ENDPOINT (managed identity) or ACS_CONNECTION_STRING');
  }
  return problems;
}

/**
 * The environment a local host resolves `%SETTING%` binding expressions from: the real
 * environment, with the documented default of every binding setting (host: true) filled in,
 * so `pim-notify start` needs no settings. In Azure the template sets them all.
 */
export function hostEnvironment(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  const defaults: Record<string, string> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, SettingSpec<unknown>][]) {
    if (s.host && s.default !== undefined) defaults[name] = s.default;
  }
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  return { ...defaults, ...blanksRemoved };
}

/** The settings table for README.md, generated from SETTINGS. */
export function settingsMarkdownTable(): string {
  const rows = Object.entries(SETTINGS).map(([name, s]: [string, SettingSpec<unknown>]) => {
    const def = s.default === undefined ? '–' : s.default === '' ? '`(none)`' : `\`${s.default}\``;
    return `| \`${name}\` | ${def} | ${s.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
