/**
 * Gathers, through the RoleDirectory port, the people the rules module needs for one event.
 * The only I/O step before the pure decision: keeping it separate lets `simulate` and the
 * queue function share it, and keeps decideRecipients free of I/O.
 */
import { InvalidEventError } from '../events/parse.js';
import type { PimEvent } from '../events/schema.js';
import { DIRECTORY_ADMIN_ROLE_IDS, type Person, type RoleDirectory, type RoleHolder } from '../directory/roleDirectory.js';
import { approvalSetting } from '../rules/policy.js';
import type { RecipientInputs } from '../rules/recipients.js';

export interface GatheredInputs extends RecipientInputs {
  tenantName: string;
  roleName: string;
  principalName: string;
  actorName?: string;
  scopeName: string;
  /** What the directory could not tell (an unknown role), for the event's warnings. */
  warnings: string[];
}

export async function gatherRecipientInputs(event: PimEvent, liveDirectory: RoleDirectory): Promise<GatheredInputs> {
  // Who held what when it happened (a snapshot's schedules); the live directory answers with the present.
  const directory = liveDirectory.asOf(new Date(event.occurredAt));
  const scope = { kind: event.scope.kind, id: event.scope.id };
  // A group's "role" is the access (member or owner): its policy and name go by that.
  const roleId = event.scope.kind === 'group' ? event.scope.accessId : event.role?.id;

  const [tenant, admins, policy, principal, actor, roleName, principalGroupName, azureScopeName, groupName] = await Promise.all([
    directory.tenant(),
    scope.kind === 'directory'
      ? Promise.all(DIRECTORY_ADMIN_ROLE_IDS.map((r) => directory.directoryRoleHolders(r))).then((lists) => lists.flat())
      : scope.kind === 'group'
        ? directory.groupOwners(scope.id)
        : directory.azureScopeAdmins(scope.id),
    roleId ? directory.rolePolicy(scope, roleId) : Promise.resolve({ rules: [] }),
    principalPeople(event, directory),
    event.actor ? directory.user(event.actor.id) : Promise.resolve(undefined),
    roleId ? directory.roleDisplayName(scope, roleId) : Promise.resolve(undefined),
    event.principal && event.principal.type !== 'user' && event.principal.type !== 'servicePrincipal'
      ? directory.groupDisplayName(event.principal.id)
      : Promise.resolve(undefined),
    scope.kind === 'azureResource' ? directory.azureScopeDisplayName(scope.id) : Promise.resolve(undefined),
    scope.kind === 'group' ? directory.groupDisplayName(scope.id) : Promise.resolve(undefined),
  ]);

  // The directory is one tenant's: an event from another would be matched against the wrong
  // people. Refused as invalid (never retried), like any other event that cannot be right.
  if (event.tenantId.toLowerCase() !== tenant.id.toLowerCase()) {
    throw new InvalidEventError(event.id, [{ path: 'tenantId', message: `is not the tenant this deployment serves (${tenant.id})` }]);
  }
  // Names come from the directory, never from the event: a queue writer could call any role
  // "Global Administrator". A role the directory does not know cannot be mailed about truthfully.
  if (roleId && roleName === undefined) {
    throw new InvalidEventError(event.id, [{ path: 'role.id', message: `is not a role the directory knows at scope ${scope.id}` }]);
  }
  const approvers = await expandApprovers(approvalSetting(policy).approvers, directory);
  const principalId = event.principal?.id.toLowerCase();
  const principalUser = principal.length === 1 && principal[0]?.id.toLowerCase() === principalId ? principal[0] : undefined;
  const warnings: string[] = [];
  return {
    event,
    admins: admins as RoleHolder[],
    approvers,
    principal,
    ...(actor ? { actor } : {}),
    policy,
    tenantName: tenant.displayName,
    // Names come from the directory, never from the event (a queue writer could name anything):
    // what it does not know is shown as unknown, with its id.
    roleName: roleName ?? 'a role',
    principalName: principalUser?.displayName ?? principalGroupName ?? (event.principal ? unknownName(event.principal.id) : 'someone'),
    actorName: actor?.displayName ?? (event.actor ? unknownName(event.actor.id) : undefined),
    scopeName:
      scope.kind === 'directory'
        ? tenant.displayName
        : scope.kind === 'group'
          ? (groupName ?? unknownName(scope.id))
          : (azureScopeName ?? event.scope.id),
    warnings,
  };
}

/** How an id the directory does not know is shown: never under a name the event supplies. */
export function unknownName(id: string): string {
  return `unknown (${id})`;
}

async function principalPeople(event: PimEvent, directory: RoleDirectory): Promise<Person[]> {
  if (!event.principal) return [];
  if (event.principal.type === 'group') return directory.groupMembers(event.principal.id);
  if (event.principal.type === 'servicePrincipal') return [];
  const user = await directory.user(event.principal.id);
  if (user) return [user];
  // Not a user the directory knows: it may be a group whose type the producer left out.
  return event.principal.type === undefined ? directory.groupMembers(event.principal.id) : [];
}

async function expandApprovers(
  subjects: ReturnType<typeof approvalSetting>['approvers'],
  directory: RoleDirectory,
): Promise<Array<Person & { via: string }>> {
  const lists = await Promise.all(
    subjects.map(async (s) => {
      if (s.kind === 'user') {
        const user = await directory.user(s.id);
        return user ? [{ ...user, via: 'approver named in the role settings' }] : [];
      }
      const [members, name] = await Promise.all([directory.groupMembers(s.id), directory.groupDisplayName(s.id)]);
      return members.map((m) => ({ ...m, via: `approver through group ${name ?? `unknown (${s.id})`}` }));
    }),
  );
  return lists.flat();
}
