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
import { spec } from '../settings/spec.js';

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

/** The settings of escalation, fallback and delivery health, as settings.ts lists them (README's table comes from there). */
export const ESCALATION_SETTINGS = {
  ESCALATION_CONTACTS: spec({
    description:
      'JSON: who is asked when the approvers of a request cannot be reached (every report undeliverable, or nobody with an address) and PIM has no default approvers (Azure resources, groups), and who is told of a request still waiting after `ESCALATION_AFTER_HOURS`: `{"default": [addresses], "roles": {roleDefinitionId: [...]}, "scopes": {armScope: [...]}, "groups": {groupId: [...]}}`, the most specific match used (docs/escalation.md). Empty: no escalation, and fallback only to the default approvers of directory roles.',
    default: '',
    schema: jsonSetting(escalationContactsSchema),
  }),
  ESCALATION_AFTER_HOURS: spec({
    description:
      'Hours after a request was made at which, still pending, it goes to its escalation contacts (`ESCALATION_CONTACTS`) with how long it has waited and how long is left; below the 24-hour approval window. `none`: never. Off while no contact matches the request.',
    default: '20',
    schema: z
      .string()
      .transform((v) => (v.trim().toLowerCase() === 'none' ? null : Number(v)))
      .pipe(
        z
          .number({ message: 'must be hours or none' })
          .positive('must be above 0')
          .lt(24, 'must be below 24 (the approval window)')
          .nullable(),
      ),
  }),
  ALTERNATE_ADDRESSES: spec({
    description:
      'JSON `{"<user object id>": "address"}`: where a person without a mailbox (no `mail`, a mailbox-less admin account) is mailed instead; used for every email to them, and shown by `simulate`.',
    default: '',
    schema: jsonSetting(alternateAddressesSchema),
  }),
  DELIVERY_HEALTH_PERCENT: spec({
    description:
      "Share of undeliverable delivery reports (Bounced, Suppressed, Quarantined, FilteredSpam, Failed) in an hour above which a warning is logged, once per hour, with the figures (ACS warns that failure rates above 1–2 % endanger a domain's quota). Counted once an hour has 20 reports.",
    default: '2',
    schema: z.coerce.number({ message: 'must be a number' }).positive('must be above 0').max(100, 'must be at most 100'),
  }),
  DELIVERY_HEALTH_ADDRESS: spec({
    description: 'An operator address that is also mailed the delivery-health warning (`DELIVERY_HEALTH_PERCENT`). Empty: the log only.',
    schema: z.email({ message: 'must be an email address' }).optional(),
  }),
};
