/**
 * Who gets the weekly digest (recipients.md "weekly digest" row; cli.md): holders of
 * Privileged Role Administrator, Security Administrator and Global Administrator, one email
 * each, only in tenants that have enabled PIM; plus the customer's extra recipients, minus
 * the people who opted out (both asked for by users of the real PIM digest). Pure.
 */
import { DIRECTORY_ADMIN_ROLE_IDS, type RoleHolder, type TenantInfo } from '../directory/roleDirectory.js';
import { describeHolder, type Recipient, type Skipped } from './recipients.js';
import { countsAsAdmin, type RecipientModel } from './recipientModel.js';

export interface DigestRecipientOptions {
  /** Which holders count (RECIPIENT_MODEL): the digest goes to the directory's admins. */
  model: RecipientModel;
  extraRecipients: string[];
  optOut: string[];
}

export function decideDigestRecipients(
  tenant: TenantInfo,
  admins: RoleHolder[],
  options: DigestRecipientOptions,
): { recipients: Recipient[]; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  if (!tenant.pimEnabled) {
    return { recipients: [], skipped: [{ notification: 'weeklyDigest', reason: 'the tenant has not enabled PIM' }] };
  }
  const optOut = new Set(options.optOut.map((a) => a.toLowerCase()));
  const byAddress = new Map<string, Recipient>();
  const add = (address: string, via: string, userId?: string, displayName?: string) => {
    const key = address.toLowerCase();
    if (optOut.has(key)) {
      skipped.push({ userId, notification: 'weeklyDigest', reason: 'opted out (DIGEST_OPT_OUT)' });
      return;
    }
    const existing = byAddress.get(key);
    const reason = { notification: 'weeklyDigest' as const, ruleId: null, via };
    if (existing) existing.reasons.push(reason);
    else byAddress.set(key, { address, displayName, userId, notification: 'weeklyDigest', reasons: [reason] });
  };
  for (const h of admins) {
    if (!DIRECTORY_ADMIN_ROLE_IDS.includes(h.roleDefinitionId.toLowerCase())) continue;
    if (!countsAsAdmin(options.model, 'directory', h.state)) continue;
    if (!h.address) {
      skipped.push({ userId: h.id, notification: 'weeklyDigest', reason: 'no mail, otherMails or userPrincipalName address' });
      continue;
    }
    add(h.address, describeHolder(h), h.id, h.displayName);
  }
  for (const address of options.extraRecipients) add(address, 'extra digest recipient (DIGEST_EXTRA_RECIPIENTS)');
  const recipients = [...byAddress.values()].sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1));
  return { recipients, skipped };
}
