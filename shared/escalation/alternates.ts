/**
 * Where a person is mailed: the operator's alternate address for them (ALTERNATE_ADDRESSES, by
 * object id) before the directory's, so that a person without a mailbox (no `mail`, a
 * mailbox-less admin account) is still reached, and `simulate` can say why. Applied to the
 * directory once, in the composition root (withAlternateAddresses), so every email uses it.
 */
import type { Person, RoleDirectory } from '../directory/roleDirectory.js';
import type { AlternateAddresses } from './escalationSettings.js';

export function addressOf(
  person: Pick<Person, 'id' | 'address'>,
  alternates: AlternateAddresses,
): { address: string | null; alternate: boolean } {
  const id = person.id.toLowerCase();
  const mapped = Object.entries(alternates).find(([key]) => key.toLowerCase() === id)?.[1];
  return mapped ? { address: mapped, alternate: true } : { address: person.address, alternate: false };
}

/** The RoleDirectory methods that answer with people (a Person or RoleHolder, or a list of them). */
const PEOPLE_METHODS = new Set<string>([
  'directoryRoleHolders',
  'azureScopeAdmins',
  'user',
  'groupMembers',
  'groupOwners',
  'groupAccessHolders',
]);

/**
 * The directory with ALTERNATE_ADDRESSES applied to every person it answers with, so that every
 * email (notifications, reminders, the digest, fallback) goes to the mapped address. Every other
 * method, including an adapter's own (the Graph directory's schedule lists for the confirmer),
 * is the directory's, untouched; `asOf` answers with the same mapping.
 */
export function withAlternateAddresses<D extends RoleDirectory>(directory: D, alternates: AlternateAddresses): D {
  if (Object.keys(alternates).length === 0) return directory;
  const map = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(map) as T;
    if (value && typeof value === 'object' && 'id' in value && 'address' in value) {
      const person = value as unknown as Person;
      const { address, alternate } = addressOf(person, alternates);
      return (alternate ? { ...person, address } : value) as T;
    }
    return value;
  };
  return new Proxy(directory, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'asOf')
        return (instant: Date) => withAlternateAddresses((value as RoleDirectory['asOf']).call(target, instant), alternates);
      if (typeof property === 'string' && PEOPLE_METHODS.has(property))
        return async (...args: unknown[]) => map(await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}
