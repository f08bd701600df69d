/**
 * Where a person is mailed: the operator's alternate address for them (ALTERNATE_ADDRESSES, by
 * object id) before the directory's, so that a person without a mailbox (no `mail`, a
 * mailbox-less admin account) is still reached, and `simulate` can say why.
 */
import type { Person } from '../directory/roleDirectory.js';
import type { AlternateAddresses } from './escalationSettings.js';

export function addressOf(
  person: Pick<Person, 'id' | 'address'>,
  alternates: AlternateAddresses,
): { address: string | null; alternate: boolean } {
  const id = person.id.toLowerCase();
  const mapped = Object.entries(alternates).find(([key]) => key.toLowerCase() === id)?.[1];
  return mapped ? { address: mapped, alternate: true } : { address: person.address, alternate: false };
}
