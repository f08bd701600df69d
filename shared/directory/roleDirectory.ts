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
  scope: { kind: 'directory' | 'azureResource'; id: string };
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
  tenant(): Promise<TenantInfo>;
  /** Holders of a directory role (`directoryScopeId` "/"), users only, groups expanded. */
  directoryRoleHolders(roleDefinitionId: string): Promise<RoleHolder[]>;
  /**
   * Administrators of an Azure scope: Owners and User Access Administrators on it or on an
   * enclosing scope (a subscription for its resource groups), active and eligible.
   */
  azureScopeAdmins(scopeId: string): Promise<RoleHolder[]>;
  /** The role's PIM policy at that scope (directory "/" or an ARM scope). */
  rolePolicy(scope: { kind: 'directory' | 'azureResource'; id: string }, roleDefinitionId: string): Promise<RolePolicy>;
  /** A user by id, or undefined if unknown. */
  user(id: string): Promise<Person | undefined>;
  /** The users in a group, transitively (groups in groups), each once; cycles are safe. */
  groupMembers(groupId: string): Promise<Person[]>;
  /** A group's display name (to explain "approver through group X"), when the directory knows it. */
  groupDisplayName(groupId: string): Promise<string | undefined>;
  /** A role's display name (directory or Azure scope), when the directory knows it. */
  roleDisplayName(scope: { kind: 'directory' | 'azureResource'; id: string }, roleDefinitionId: string): Promise<string | undefined>;
  /** The directory roles ranked for the digest's "Overview of your top roles" (cli.md topRoles). */
  topDirectoryRoles(limit: number): Promise<TopRole[]>;
  /**
   * Every assignment with its schedule (used by the expiry scanner). With `unreadable`, a
   * scope the app may not read (a missing permission: the directory roles, or one
   * subscription) is passed to it and left out, instead of failing the whole list.
   */
  scheduledAssignments(unreadable?: (problem: UnreadableScope) => void): Promise<ScheduledAssignment[]>;
}

/** A scope left out of scheduledAssignments: `directory` ("/") or a subscription (`/subscriptions/<id>`). */
export interface UnreadableScope {
  scope: { kind: 'directory' | 'azureResource'; id: string };
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
};

/** Address of a Graph user: mail, else the first of otherMails, else userPrincipalName. */
export function addressOf(user: { mail?: string | null; otherMails?: string[] | null; userPrincipalName?: string | null }): string | null {
  const candidates = [user.mail, ...(user.otherMails ?? []), user.userPrincipalName];
  for (const c of candidates) {
    if (typeof c === 'string' && c.includes('@') && c.trim() !== '') return c.trim();
  }
  return null;
}

/** Scopes enclosing an ARM scope, itself first: /subscriptions/s/resourceGroups/rg → [rg, s]. */
export function enclosingScopes(scopeId: string): string[] {
  const parts = scopeId.replace(/\/+$/, '').split('/').filter(Boolean);
  const scopes: string[] = [];
  // ARM scopes nest in name/value pairs: subscriptions/x, resourceGroups/y, providers/ns/type/name...
  for (let n = parts.length; n >= 2; n -= 2) {
    scopes.push('/' + parts.slice(0, n).join('/'));
  }
  if (parts.length % 2 === 1) scopes.unshift('/' + parts.join('/'));
  return [...new Set(scopes.map((s) => s.toLowerCase()))];
}
