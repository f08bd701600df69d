/**
 * docs/recipients.md, generated from the rules module's own tables (cells.ts and
 * notifications.ts), so the documentation cannot say something the code does not do.
 */
import { CELLS, type Audience, type Cell } from '../../shared/rules/cells.js';
import { NOTIFICATIONS, NOTIFICATION_KINDS } from '../../shared/rules/notifications.js';
import { DIRECTORY_ADMIN_ROLE_IDS, ROLE_NAMES } from '../../shared/directory/roleDirectory.js';

const SCOPE_LABEL: Record<Cell['scope'], string> = { directory: 'directory role', azureResource: 'Azure resource role', group: 'group membership or ownership (PIM for Groups)' };
const ROLE_LABEL = { PRA: 'Privileged Role Administrators', SA: 'Security Administrators', GA: 'Global Administrators' } as const;

function audienceText(audience: Audience, scope: Cell['scope']): string {
  switch (audience.kind) {
    case 'principal':
      return 'the principal (assignee or requester; a group\'s members)';
    case 'admins':
      if (scope === 'group') return 'the group\'s permanent owners (standing ownership; not eligible owners, activated or not)';
      return scope === 'azureResource'
        ? 'Owners and User Access Administrators of the scope or an enclosing scope'
        : (audience.adminRoles ?? ['PRA', 'SA', 'GA']).map((r) => ROLE_LABEL[r]).join(', ');
    case 'approvers': {
      const fallback = audience.fallbackAdminRoles?.length
        ? `; when none: ${audience.fallbackAdminRoles.map((r) => ROLE_LABEL[r]).join(', ')}`
        : '';
      const whose = scope === 'group' ? 'the group\'s approvers for that access' : 'the role\'s approvers';
      return `${whose}${fallback}${audience.excludeActor ? ', except the one who acted' : ''}`;
    }
  }
}

function ruleText(cell: Cell): string {
  if (!cell.rule) return '– (always)';
  const level = cell.rule.level === 'assignment' ? '<Eligibility\\|Assignment>' : cell.rule.level;
  return `\`Notification_${cell.rule.recipient}_${cell.rule.caller}_${level}\``;
}

export function recipientsMarkdown(): string {
  const lines: string[] = [
    '# Who receives what',
    '',
    '<!-- Generated from shared/rules/cells.ts and shared/rules/notifications.ts by `npm run docs`. Do not edit by hand: a test fails when this file drifts from the code. -->',
    '',
    'Each row is one cell of the recipient matrix: for an event type and a scope kind, who gets which email, and which of the role\'s notification rules governs it. `<Eligibility|Assignment>` follows the event\'s `assignment.state`.',
    '',
    'How a role\'s notification rule changes a cell: `notificationLevel: None` sends nothing; `Critical` sends only emails marked actionable below; `isDefaultRecipientsEnabled: false` drops the audience but keeps `notificationRecipients` (additional addresses), which get the cell\'s email as well. A rule missing from the role\'s policy has Microsoft\'s factory defaults (level `All`, default recipients on, no additional recipients).',
    '',
    '## The matrix',
    '',
    '| event | scope | audience | email | governing rule | note |',
    '|---|---|---|---|---|---|',
  ];
  for (const cell of CELLS) {
    lines.push(
      `| \`${cell.event}\` | ${SCOPE_LABEL[cell.scope]} | ${audienceText(cell.audience, cell.scope)} | \`${cell.notification}\` | ${ruleText(cell)} | ${cell.note ?? ''} |`,
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
    '## Weekly digest',
    '',
    'Decided by shared/rules/digestRecipients.ts: the holders of ' +
      DIRECTORY_ADMIN_ROLE_IDS.map((id) => ROLE_NAMES[id]).join(', ') +
      ' (active and eligible, or active only with `ADMINS_ACTIVE_ONLY=true`), one email each, only when the tenant has enabled PIM; plus `DIGEST_EXTRA_RECIPIENTS`, minus `DIGEST_OPT_OUT`.',
  );
  lines.push(
    '',
    '## Always',
    '',
    '- "Admins" of a directory role are the holders of the admin roles named in the row, active **and** eligible (the 2019 seed\'s "Activated/Eligible"); `ADMINS_ACTIVE_ONLY=true` narrows that to active holders (Microsoft\'s behaviour since 2023). Groups count as their members, transitively.',
    '- One email per person per event, compared by address case-insensitively; the reasons of every cell that listed the person are kept for `pim-notify simulate` to explain.',
    '- The requester never gets the approvers\' emails about their own request (the approval request, the alerts that someone acted or that it was canceled).',
    '- A person with no `mail`, `otherMails` or `userPrincipalName` is skipped with a reason, never a crash.',
    '- At most `MAX_RECIPIENTS_PER_EVENT` (default 1,000, Microsoft\'s cap) emails per event: most actionable first, then by address, so the cap is stable.',
    '',
  );
  return lines.join('\n');
}
