/**
 * Who the emails of fallback and escalation may have gone to, for the trail (delivery/trail.ts):
 * those emails keep no event to plan again, and the ledger keeps only a hash of each address,
 * so the trail matches their rows against everyone they can go to: the default approvers of
 * directory roles (active Privileged Role and Global Administrators, with their alternate
 * addresses), every escalation contact the operator configured, and the requesters of the
 * events on the trail (told when their approvers could not be reached).
 */
import { recipientKey } from '../delivery/deliveryLedger.js';
import { DIRECTORY_ADMIN_ROLES, type RoleDirectory } from '../directory/roleDirectory.js';
import { DEFAULT_APPROVERS } from '../rules/matrix.js';
import type { Settings } from '../settings/settings.js';
import { addressOf } from './alternates.js';

export interface KnownAddress {
  address: string;
  why: string;
}

export async function escalationAddressBook(
  directory: Pick<RoleDirectory, 'directoryRoleHolders' | 'user'>,
  settings: Pick<Settings, 'ESCALATION_CONTACTS' | 'ALTERNATE_ADDRESSES'>,
  requesters: readonly string[],
): Promise<Map<string, KnownAddress>> {
  const book = new Map<string, KnownAddress>();
  const add = (address: string | undefined, why: string) => {
    if (address && !book.has(recipientKey(address))) book.set(recipientKey(address), { address, why });
  };
  for (const id of requesters) {
    const person = await directory.user(id);
    if (person) add(addressOf(person, settings.ALTERNATE_ADDRESSES).address ?? undefined, 'the requester');
  }
  const names: Record<string, string> = { PRA: 'Privileged Role Administrator', GA: 'Global Administrator' };
  for (const role of DEFAULT_APPROVERS)
    for (const holder of await directory.directoryRoleHolders(DIRECTORY_ADMIN_ROLES[role]))
      if (holder.state === 'active')
        add(addressOf(holder, settings.ALTERNATE_ADDRESSES).address ?? undefined, `fallback or escalation: an active ${names[role]}`);
  const contacts = settings.ESCALATION_CONTACTS;
  for (const address of contacts.default ?? []) add(address, 'escalation contact (default)');
  for (const [kind, byId] of [
    ['role', contacts.roles],
    ['scope', contacts.scopes],
    ['group', contacts.groups],
  ] as const)
    for (const [id, addresses] of Object.entries(byId ?? {}))
      for (const address of addresses) add(address, `escalation contact for ${kind} ${id}`);
  return book;
}
