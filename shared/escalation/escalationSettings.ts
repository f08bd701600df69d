/**
 * The operator's escalation configuration, as settings (settings.ts reads them; this file says
 * what they hold): who is asked when a request's approvers cannot be reached or take too long,
 * and where a person without a mailbox is mailed instead. Each is JSON in one app setting, so it
 * is configured without code and validated at start-up with a message naming the field.
 *
 * ESCALATION_CONTACTS, e.g.
 *   {"default": ["secops@contoso.com"],
 *    "roles":  {"62e90394-69f5-4237-9190-012177145e10": ["tier0-oncall@contoso.com"]},
 *    "scopes": {"/subscriptions/3b2f…": ["cloud-oncall@contoso.com"]},
 *    "groups": {"<group object id>": ["group-owners@contoso.com"]}}
 * The most specific entry that matches is used (contactsFor): a group's own, else the longest
 * scope that contains the request's scope, else the role's, else `default`.
 *
 * ALTERNATE_ADDRESSES: {"<user object id>": "alt@contoso.com"}: used for every email to that
 * person instead of their mail (a mailbox-less admin account, a person with no `mail`).
 */
import { z } from 'zod';

const addresses = z
  .array(z.email({ message: 'must be email addresses' }))
  .min(1, 'must list at least one address')
  .max(50);
const guidKeyed = <T extends z.ZodType>(value: T) =>
  z.record(
    z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'keys must be object ids (GUIDs)'),
    value,
  );

export const escalationContactsSchema = z
  .object({
    default: addresses.optional(),
    roles: guidKeyed(addresses).optional(),
    scopes: z.record(z.string().startsWith('/', 'scope keys must be ARM scope ids starting with /'), addresses).optional(),
    groups: guidKeyed(addresses).optional(),
  })
  .strict();

export type EscalationContacts = z.infer<typeof escalationContactsSchema>;

export const alternateAddressesSchema = guidKeyed(z.email({ message: 'values must be email addresses' }));
export type AlternateAddresses = z.infer<typeof alternateAddressesSchema>;

/** A JSON setting: empty is `{}`; anything else must parse as JSON and match the schema. */
export function jsonSetting<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      if (text.trim() === '') return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** What a request is about, for choosing its contacts. */
export interface EscalationTarget {
  scope: { kind: 'directory' | 'azureResource' | 'group'; id: string };
  roleDefinitionId?: string;
}

/** The contacts for a request: the most specific match (see the file's comment), none when nothing is configured. */
export function contactsFor(contacts: EscalationContacts, target: EscalationTarget): { addresses: string[]; via: string } {
  const lower = (s: string) => s.toLowerCase();
  if (target.scope.kind === 'group') {
    const own = Object.entries(contacts.groups ?? {}).find(([id]) => lower(id) === lower(target.scope.id));
    if (own) return { addresses: own[1], via: `escalation contact for group ${own[0]}` };
  }
  if (target.scope.kind === 'azureResource') {
    const scope = lower(target.scope.id);
    const enclosing = Object.entries(contacts.scopes ?? {})
      .filter(([id]) => scope === lower(id).replace(/\/+$/, '') || scope.startsWith(`${lower(id).replace(/\/+$/, '')}/`))
      .sort(([a], [b]) => b.length - a.length)[0];
    if (enclosing) return { addresses: enclosing[1], via: `escalation contact for scope ${enclosing[0]}` };
  }
  const role = target.roleDefinitionId
    ? Object.entries(contacts.roles ?? {}).find(([id]) => lower(id) === lower(target.roleDefinitionId!))
    : undefined;
  if (role) return { addresses: role[1], via: `escalation contact for role ${role[0]}` };
  if (contacts.default) return { addresses: contacts.default, via: 'escalation contact (default)' };
  return { addresses: [], via: '' };
}
