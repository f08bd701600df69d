/**
 * The RoleDirectory port: everything the app needs to know about a tenant's people and
 * privileged roles. Adapters: the offline snapshot (snapshotDirectory.ts, the embedded
 * default) and Microsoft Graph + Azure Resource Manager (graph/ and arm/, production).
 *
 * Shapes use Graph's vocabulary (roleDefinitionId, principalId, assignmentType) so that
 * an adapter is little more than a translation of Graph or ARM responses.
 */

export interface TenantInfo {
  id: string;
  displayName: string;
  /** The weekly digest goes only to tenants that have enabled PIM. */
  pimEnabled: boolean;
}

/** A user with the address mail goes to (mail → otherMails[0] → userPrincipalName). */
export interface Person {
  id: string;
  displayName: string;
  /** null when the user has no usable address: such a user is skipped with a warning. */
  address: string | null;
}

export type HolderState = 'active' | 'eligible';

/**
 * Where a privilege lives: a directory scope ("/"), an ARM scope, or a group managed by PIM
 * for Groups (its object id). For a group, the `roleDefinitionId` that goes with the scope is
 * the access, `member` or `owner`, as Graph names it in the group's roleManagementPolicyAssignments.
 */
export type PrivilegeScope = { kind: 'directory' | 'azureResource'; id: string } | { kind: 'group'; id: string };

/**
 * One user who holds a role, directly or through groups (expanded transitively).
 * A user holding the role both directly and via a group appears once, with the
 * "strongest" state (active beats eligible).
 */
export interface RoleHolder extends Person {
  state: HolderState;
  /** Active holders only: `Assigned` (standing) or `Activated` (a just-in-time activation). */
  assignmentType?: 'Assigned' | 'Activated';
  /** The role definition held, so a holder of several admin roles can be explained. */
  roleDefinitionId: string;
  /** How the user holds it: `direct`, or the display name of the group it comes through. */
  via: string;
  /** null = permanent. */
  endDateTime: string | null;
}

/** An assignment with its end date, as the expiry scanner and the digest need them. */
export interface ScheduledAssignment {
  scope: PrivilegeScope;
  /** For a group scope, the access: `member` or `owner`. */
  roleDefinitionId: string;
  principalId: string;
  principalType: 'user' | 'group' | 'servicePrincipal';
  state: HolderState;
  assignmentType?: 'Assigned' | 'Activated';
  startDateTime: string | null;
  endDateTime: string | null;
}

/** Graph-shaped policy rule (unifiedRoleManagementPolicyRule with `@odata.type`), kept raw. */
export interface PolicyRule {
  '@odata.type'?: string;
  id: string;
  [property: string]: unknown;
}

export interface RolePolicy {
  /** Rules as Graph returns them with $expand=rules; missing rules mean factory defaults. */
  rules: PolicyRule[];
}

/** A person or group named as approver in Approval_EndUser_Assignment. */
export type ApproverSubject = { kind: 'user'; id: string } | { kind: 'group'; id: string };

export interface TopRole {
  roleDefinitionId: string;
  displayName: string;
  permanent: number;
  eligible: number;
  total: number;
}

export interface RoleDirectory {
  /**
   * The directory as it stood at `instant`: decisions about an event are taken at the event's
   * time where the data allows. The snapshot keeps each schedule's window (start and end), so it
   * answers as of `instant`, and the same snapshot and events give the same emails on any day.
   * Graph and ARM show PIM's present state only: the live directory returns itself.
   */
  asOf(instant: Date): RoleDirectory;
  tenant(): Promise<TenantInfo>;
  /** Holders of a directory role (`directoryScopeId` "/"), users only, groups expanded. */
  directoryRoleHolders(roleDefinitionId: string): Promise<RoleHolder[]>;
  /**
   * Administrators of an Azure scope: Owners and User Access Administrators on it or on an
   * enclosing scope (a subscription for its resource groups), active and eligible.
   */
  azureScopeAdmins(scopeId: string): Promise<RoleHolder[]>;
  /** The role's PIM policy at that scope (directory "/", an ARM scope, or a group with `member`/`owner`). */
  rolePolicy(scope: PrivilegeScope, roleDefinitionId: string): Promise<RolePolicy>;
  /** A user by id, or undefined if unknown. */
  user(id: string): Promise<Person | undefined>;
  /** The users in a group, transitively (groups in groups), each once; cycles are safe. */
  groupMembers(groupId: string): Promise<Person[]>;
  /** A group's display name (to explain "approver through group X"), when the directory knows it. */
  groupDisplayName(groupId: string): Promise<string | undefined>;
  /** A role's display name (directory or Azure scope), when the directory knows it. */
  roleDisplayName(scope: PrivilegeScope, roleDefinitionId: string): Promise<string | undefined>;
  /** An Azure scope's display name (subscription, resource group, management group...), when known. */
  azureScopeDisplayName(scopeId: string): Promise<string | undefined>;
  /**
   * PIM for Groups' administrators of a group: its permanent owners, the users who own it with
   * standing access (an eligible owner, activated or not, is not one). State `active`,
   * roleDefinitionId `owner`. PIM mails "permanent Owners only" about a group.
   */
  groupOwners(groupId: string): Promise<RoleHolder[]>;
  /**
   * Who holds `member` or `owner` access to a group through PIM, eligible and active (users,
   * groups expanded), with roleDefinitionId set to the access.
   */
  groupAccessHolders(groupId: string, accessId: 'member' | 'owner'): Promise<RoleHolder[]>;
  /** The directory roles ranked for the digest's "Overview of your top roles" (cli.md topRoles). */
  topDirectoryRoles(limit: number): Promise<TopRole[]>;
  /**
   * Every assignment with its schedule (used by the expiry scanner). With `unreadable`, a
   * scope the app may not read (a missing permission: the directory roles, or one
   * subscription) is passed to it and left out, instead of failing the whole list.
   */
  scheduledAssignments(unreadable?: (problem: UnreadableScope) => void): Promise<ScheduledAssignment[]>;
}

/** A scope left out of scheduledAssignments: `directory` ("/"), a subscription (`/subscriptions/<id>`), or PIM for Groups (`group`, id `*`). */
export interface UnreadableScope {
  scope: { kind: 'directory' | 'azureResource' | 'group'; id: string };
  error: Error & { statusCode: number };
}

/** Well-known role definition ids (directory-snapshot.md). */
export const ROLE = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  securityAdministrator: '194ae4cb-b126-40b2-bd5b-6091b380977d',
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

/**
 * The directory roles whose holders PIM mails as "administrators" (the admin emails of
 * directory roles and the weekly digest): Privileged Role, Security and Global Administrator.
 */
export const DIRECTORY_ADMIN_ROLES = {
  PRA: ROLE.privilegedRoleAdministrator,
  SA: ROLE.securityAdministrator,
  GA: ROLE.globalAdministrator,
} as const;
export type DirectoryAdminRole = keyof typeof DIRECTORY_ADMIN_ROLES;
export const DIRECTORY_ADMIN_ROLE_IDS: readonly string[] = Object.values(DIRECTORY_ADMIN_ROLES);

/** The Azure resource roles whose holders PIM mails as administrators of a scope: Owner and User Access Administrator. */
export const AZURE_ADMIN_ROLE_IDS: readonly string[] = [ROLE.owner, ROLE.userAccessAdministrator];

export const ROLE_NAMES: Record<string, string> = {
  [ROLE.globalAdministrator]: 'Global Administrator',
  [ROLE.privilegedRoleAdministrator]: 'Privileged Role Administrator',
  [ROLE.securityAdministrator]: 'Security Administrator',
  [ROLE.owner]: 'Owner',
  [ROLE.userAccessAdministrator]: 'User Access Administrator',
  // PIM for Groups' two kinds of access (holders' roleDefinitionId), as a reason names them.
  member: 'Group member',
  owner: 'Permanent owner of the group',
};

/** PIM for Groups' access ids as a role name in an email: "the Member role" is PIM's own wording. */
export const GROUP_ACCESS_NAMES: Record<string, string> = { member: 'Member', owner: 'Owner' };

/** Address of a Graph user: mail, else the first of otherMails, else userPrincipalName. */
export function addressOf(user: { mail?: string | null; otherMails?: string[] | null; userPrincipalName?: string | null }): string | null {
  const candidates = [user.mail, ...(user.otherMails ?? []), user.userPrincipalName];
  for (const c of candidates) {
    if (typeof c === 'string' && c.includes('@') && c.trim() !== '') return c.trim();
  }
  return null;
}

/**
 * Scopes enclosing an ARM scope, itself first, lower-cased: /subscriptions/s/resourceGroups/rg →
 * [rg, s]. A subscription's management groups are not in its id: `parentOf` (a directory that
 * knows the hierarchy) names the management group directly above a subscription or a
 * management group, so inheritance runs management group → subscription → resource group →
 * resource. Cycles in a bad hierarchy stop at the first repeat.
 */
export function enclosingScopes(scopeId: string, parentOf?: (scope: string) => string | undefined): string[] {
  const parts = scopeId.replace(/\/+$/, '').split('/').filter(Boolean);
  const scopes: string[] = [];
  // ARM scopes nest in name/value pairs: subscriptions/x, resourceGroups/y, providers/ns/type/name...
  for (let n = parts.length; n >= 2; n -= 2) {
    scopes.push('/' + parts.slice(0, n).join('/'));
  }
  if (parts.length % 2 === 1) scopes.unshift('/' + parts.join('/'));
  const chain = [...new Set(scopes.map((s) => s.toLowerCase()))];
  if (!parentOf) return chain;
  // The outermost scope of the id (a subscription, or a management group's own id) climbs its parents.
  let top = chain.find((s) => isManagementGroup(s)) ?? chain.at(-1);
  const seen = new Set(chain);
  for (let parent = top && parentOf(top); parent; parent = parentOf(top!)) {
    const key = parent.toLowerCase().replace(/\/+$/, '');
    if (seen.has(key)) break;
    seen.add(key);
    chain.push(key);
    top = key;
  }
  return chain;
}

/**
 * What a resource group or resource is called when nothing better is known: the last segment
 * of its id, as the portal shows it. Undefined for subscriptions and management groups, whose
 * ids are not names.
 */
export function scopeNameFromId(scopeId: string): string | undefined {
  const parts = scopeId.replace(/\/+$/, '').split('/').filter(Boolean);
  return parts[0]?.toLowerCase() === 'subscriptions' && parts.length >= 4 ? parts.at(-1) : undefined;
}

/** `/providers/Microsoft.Management/managementGroups/<name>` (any case). */
export function isManagementGroup(scopeId: string): boolean {
  return /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i.test(scopeId.replace(/\/+$/, ''));
}
