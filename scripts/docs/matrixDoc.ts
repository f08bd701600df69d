/**
 * docs/recipients.md, generated from the rules module's own tables (matrix.ts and
 * notifications.ts), so the documentation cannot say something the code does not do.
 */
import { RECIPIENT_MATRIX, type Audience, type MatrixEntry } from '../../shared/rules/matrix.js';
import { NOTIFICATIONS, NOTIFICATION_KINDS } from '../../shared/rules/notifications.js';
import { AZURE_ADMIN_ROLE_IDS, DIRECTORY_ADMIN_ROLE_IDS, ROLE_NAMES } from '../../shared/directory/roleDirectory.js';
import { RECIPIENT_MODELS, describeModel } from '../../shared/rules/recipientModel.js';
import { SETTINGS } from '../../shared/settings/settings.js';

const SCOPE_LABEL: Record<MatrixEntry['scope'], string> = {
  directory: 'directory role',
  azureResource: 'Azure resource role',
  group: 'group membership or ownership (PIM for Groups)',
};
const ROLE_LABEL = { PRA: 'Privileged Role Administrators', SA: 'Security Administrators', GA: 'Global Administrators' } as const;

function audienceText(audience: Audience, scope: MatrixEntry['scope']): string {
  switch (audience.kind) {
    case 'principal':
      return "the principal (assignee or requester; a group's members)";
    case 'admins':
      if (scope === 'group')
        return "the group's permanent owners (standing ownership, time-bound active included while it lasts; not eligible owners, activated or not)";
      return scope === 'azureResource'
        ? 'Owners and User Access Administrators of the scope or an enclosing scope'
        : (audience.adminRoles ?? ['PRA', 'SA', 'GA']).map((r) => ROLE_LABEL[r]).join(', ');
    case 'approvers': {
      const fallback = audience.defaultApprovers?.length
        ? `; when none (or none reachable): the **active** ${audience.defaultApprovers.map((r) => ROLE_LABEL[r]).join(', ')}`
        : '; no default approvers';
      const whose = scope === 'group' ? "the group's approvers for that access" : "the role's approvers";
      return `${whose}${fallback}`;
    }
  }
}

function ruleText(entry: MatrixEntry): string {
  if (!entry.rule) return '– (always)';
  const level = entry.rule.level === 'assignment' ? '<Eligibility\\|Assignment>' : entry.rule.level;
  return `\`Notification_${entry.rule.recipient}_${entry.rule.caller}_${level}\``;
}

export function recipientsMarkdown(): string {
  const lines: string[] = [
    '# Who receives what',
    '',
    '<!-- Generated from shared/rules/matrix.ts and shared/rules/notifications.ts by `npm run docs`. Do not edit by hand: a test fails when this file drifts from the code. -->',
    '',
    "Each row is one entry of the recipient matrix: for an event type and a scope kind, who gets which email, and which of the role's notification rules governs it. `<Eligibility|Assignment>` follows the event's `assignment.state`.",
    '',
    "How a role's notification rule changes an entry: `notificationLevel: None` sends nothing; `Critical` sends only emails marked actionable below; `isDefaultRecipientsEnabled: false` drops the audience but keeps `notificationRecipients` (additional addresses), which get the entry's email as well. A rule missing from the role's policy has Microsoft's factory defaults (level `All`, default recipients on, no additional recipients).",
    '',
    '## The audiences',
    '',
    '- **The principal**: the assignee or requester of the event; a group stands for its members, through nested groups.',
    '- **Admins of a directory role**: the holders of ' +
      DIRECTORY_ADMIN_ROLE_IDS.map((id) => `${ROLE_NAMES[id]} (\`${id}\`)`).join(', ') +
      ', or the subset a row names.',
    '- **Admins of an Azure resource role**: the holders of ' +
      AZURE_ADMIN_ROLE_IDS.map((id) => `${ROLE_NAMES[id]} (\`${id}\`)`).join(' and ') +
      " on the event's scope or on a scope enclosing it (a subscription's holders administer its resource groups and resources), active or eligible.",
    "- **Approvers**: the `primaryApprovers` of the role's `Approval_EndUser_Assignment` rule (users, and the members of groups). A row with a fallback names who gets the email when the role names no approvers.",
    "- Holders, members and addresses come from the directory (`DIRECTORY_SOURCE`: a snapshot, see [directory-snapshot.md](directory-snapshot.md), or Graph and ARM), never from the event; the event's display names fill only what the directory lacks.",
    '',
    '## The matrix',
    '',
    '| event | scope | audience | email | governing rule | note |',
    '|---|---|---|---|---|---|',
  ];
  for (const entry of RECIPIENT_MATRIX) {
    lines.push(
      `| \`${entry.event}\` | ${SCOPE_LABEL[entry.scope]} | ${audienceText(entry.audience, entry.scope)} | \`${entry.notification}\` | ${ruleText(entry)} | ${entry.note ?? ''} |`,
    );
  }
  lines.push(
    '',
    '## Emails, most actionable first',
    '',
    'A person on several lists for one event gets one email: the kind highest in this table. "Actionable" emails are the ones a role\'s `Critical` level keeps.',
    '',
    '| email | priority | actionable | what it says |',
    '|---|---|---|---|',
  );
  for (const kind of [...NOTIFICATION_KINDS].sort((a, b) => NOTIFICATIONS[b].priority - NOTIFICATIONS[a].priority)) {
    const n = NOTIFICATIONS[kind];
    lines.push(`| \`${kind}\` | ${n.priority} | ${n.actionable ? 'yes' : 'no'} | ${n.summary} |`);
  }
  lines.push(
    '',
    '## Recipient models (`RECIPIENT_MODEL`)',
    '',
    `Microsoft documented two different sets of "admins" over time; \`RECIPIENT_MODEL\` picks one (default \`${SETTINGS.RECIPIENT_MODEL.default}\`). Which holders of the admin roles count as admins:`,
    '',
    '| model | directory role admins (PRA, SA, GA) | Azure resource admins (Owner, User Access Administrator) | source |',
    '|---|---|---|---|',
    ...RECIPIENT_MODELS.map((m) => {
      const d = describeModel(m);
      const source =
        m === 'seed-2019'
          ? 'the 2019 documentation: "(Activated/Eligible)"'
          : 'Microsoft\'s documentation since 2023: "(Activated)"; "permanent Owners, eligible Owners, and User Access Administrators"';
      return `| \`${m}\` | ${d['directory']} | ${d['azureResource']} | ${source} |`;
    }),
    '',
    'Both models: default approvers of a directory role are its **active** Privileged Role and Global Administrators (an eligible one would first have to activate); Azure resource roles have no default approvers. The former `ADMINS_ACTIVE_ONLY=true` is read as `microsoft-current`, `false` as `seed-2019`.',
    '',
    '## Weekly digest',
    '',
    'Decided by shared/rules/digestRecipients.ts: the holders of ' +
      DIRECTORY_ADMIN_ROLE_IDS.map((id) => ROLE_NAMES[id]).join(', ') +
      ' that count as directory admins under `RECIPIENT_MODEL`, one email each, only when the tenant has enabled PIM; plus `DIGEST_EXTRA_RECIPIENTS`, minus `DIGEST_OPT_OUT`.',
  );
  lines.push(
    '',
    '## Always',
    '',
    '- "Admins" of a directory role are the holders of the admin roles named in the row that `RECIPIENT_MODEL` counts; of an Azure scope, the Owners and User Access Administrators on it or on any scope above it: management group (and its parents) → subscription → resource group → resource. Groups count as their members, transitively.',
    "- The person an event is about (the requester, the assignee, a group assignee's members) gets only the email written for them, never an admin's or approver's email about themselves; when that email is turned off they get nothing.",
    '- Nobody is told about their own action: the approver who decided, the administrator (or group owner) who assigned, extended, renewed, approved or denied an extension is left out of every audience except their own principal email, compared by id and address case-insensitively, also when a group puts them on the list. "The other administrators" are all administrators but the event\'s `actor`.',
    '- Ids (users, groups, roles, scopes) and addresses compare case-insensitively.',
    '- "Critical emails only" keeps only the emails that ask the recipient to act: approval requests and extension/renewal approval requests.',
    '- One email per person per event; the reasons of every entry that listed the person are kept for `pim-notify simulate` to explain.',
    "- An approval request no approver can receive (the only approver is the requester, approvers without an address, no active default approver, the rule set to None) is reported as a warning in the logs and by `simulate`. For a directory role whose named approvers are all unreachable, the default approvers (active Privileged Role and Global Administrators) get it instead. When even they are missing, nobody can approve: this is PIM's lock-out case (every PRA/GA eligible only, approval required, no approvers); keep an active emergency-access Global Administrator or name approvers.",
    '- A person with no `mail`, `otherMails` or `userPrincipalName` is skipped with a reason, never a crash.',
    "- At most `MAX_RECIPIENTS_PER_EVENT` (default 1,000, Microsoft's cap) emails per event, kept in this order: the principal's own email, then the approvers' emails, then everyone else (most actionable first, then by address, so the cap is stable). A truncated event is reported.",
    '- Names in emails come from the directory: group assignees, approver groups and Azure scopes (subscriptions, resource groups, management groups) by their display names; a role it does not know shows as "unknown role (<id>)" and the event is reported.',
    '',
    '## Which time each decision uses',
    '',
    "- *Who held a role* (admins, approvers, group owners and members) is decided **as of the event's `occurredAt`** where the directory keeps time windows: the directory snapshot (the embedded default, `simulate`) keeps each assignment's and eligibility's start and end, so an eligibility that ended after the event still counts, one that started after it does not, and the same snapshot and events give the same emails on any day.",
    "- With `DIRECTORY_SOURCE=graph`, Microsoft Graph and Azure Resource Manager report PIM's present state only: holders are those of the moment the event is processed (seconds after it happened, for the live sources).",
    "- *The weekly digest*: its counts are the events stored for the ISO week; its admins and top roles are taken as of the week's last instant (snapshot), or the present (Graph).",
    "- *Confirmation with PIM* compares the event with PIM's records as they are when the event is processed; *the rate limit* counts emails per clock window of the app's clock, when they are sent; *the expiry scanner* and *the request collectors* look at schedules and requests as they stand when they run.",
    '',
    "## Where Microsoft's documentation is ambiguous",
    '',
    '- *Which admins hear about an activation*: the email table lists Privileged Role, Security and Global Administrators; the approval-timing section names only Global and Privileged Role Administrators. The code follows the table (all three), the more specific statement of who receives the email.',
    '- *"Activated" admins*: the 2019 table says "(Activated/Eligible)", the current one "(Activated)". Both are offered (`RECIPIENT_MODEL`), each as written.',
    '- *Azure default approvers*: none are documented (at least one approver must be chosen); a request without a reachable approver is reported rather than sent to people who are not approvers.',
    '- *Which emails are "critical"*: the only documented rule is "needs immediate action" (an extension approval is critical, "you may extend" is not); the code reads it as approval requests only.',
    '- *"Users made permanent"*: no audit activity is named for it; in PIM an eligible member is made permanent with a permanent active assignment, logged as "Add member to role in PIM completed (permanent)" (Entra and Azure resources), so that record is read as `roleMadePermanent`; permanent *eligible* assignments stay `roleAssigned` (the "Role assignments in PIM" tile).',
    '- *The 14-day reminder and "can now be extended"*: both happen at the same moment (the self-extend window opens 14 days before the end); the expiry scanner sends one event, whose email says both.',
    '- *Administrators when an assignment expires*: the 2019 email table lists "a role is expired" for end users only; the later extend-and-renew pages (Entra roles, Azure resources, PIM for Groups) say PIM mails "administrators and affected users" at 14 days, at one day and "when an assignment expires". The later pages win: `roleExpired` tells the admins (`expiredAlert`, `groupExpiredAlert`) and the user.',
    '- *PIM for Groups: owners and a pending activation*: the email page lists "an Owner or Member role assignment is pending approval" among the permanent owners\' emails; the approval-workflow page says "Resource administrators aren\'t notified of pending requests unless they\'re an approver", and the settings page that there are no default approvers. The code asks only the approvers (`groupApprovalRequest`) and tells the owners who are not approvers with an informational `groupPendingApprovalAlert` ("no action is needed from you"; governed, like Azure\'s `pendingApprovalAlert`, by `Notification_Admin_EndUser_Assignment`, so `Critical` or `None` there stops it). A policy that names no approver asks nobody, and the request is reported.',
    '- *PIM for Groups: who resolves an extension or renewal*: "Only users with permissions to manage groups" (groups-renew-extend); the email page\'s administrators of a group are its permanent owners. The owners get the request (`groupExtensionApprovalRequest`, governed by `Notification_Approver_Admin_*`); the activation approvers never do.',
    '- *Who hears a decision on an extension or renewal*: the Entra and Azure pages say "all other administrators are notified of the decision. Then the requesting user"; the PIM for Groups page "all administrators and the requesting user". Both are read as: the requester, and every administrator but the one who decided (nobody is told about their own action).',
    '- *"Renewed by an end user"*: the email pages list this among the administrators\' emails, the extend-and-renew pages describe a renewal request and its approval. `roleRenewed` is the renewal taking effect (the requester and the other administrators are told); the pending request is `assignmentPendingApproval` with `request.action: selfRenew`, sent to the administrators who can approve it.',
    '',
  );
  return lines.join('\n');
}
