/**
 * The shape of a directory snapshot file (docs/directory-snapshot.md) as a zod schema, and the
 * types inferred from it. Apart from snapshotFile.ts so that references.ts, which checks a
 * parsed snapshot, and snapshotFile.ts, which calls it, do not import each other.
 */
import { z } from 'zod';
import { privilegedAccessGroupSchema } from './groupAccessSchema.js';

const guid = z.guid();
const dateTime = z.iso.datetime({ offset: true });
const optionalDate = dateTime.nullish().transform((v) => v ?? null);
const nullableString = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/**
 * ARM returns role definition ids as full resource ids
 * (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`); the rest of
 * the app, like Graph, uses the bare GUID, so both spellings are accepted.
 */
const roleDefinitionId = z.preprocess((v) => (typeof v === 'string' && v.includes('/') ? v.slice(v.lastIndexOf('/') + 1) : v), guid);

const userSchema = z.object({
  id: guid,
  displayName: z.string(),
  mail: nullableString,
  userPrincipalName: nullableString,
  otherMails: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
});

const groupSchema = z.object({
  id: guid,
  displayName: z.string(),
  mail: nullableString,
  /** User or group ids; groups nest. */
  members: z.array(guid).default([]),
  /** User ids (Graph's /groups/{id}/owners): the group's owners, PIM's admins of a group it manages. */
  owners: z.array(guid).default([]),
});

/** Not in the format's example but allowed by "unknown extra properties are ignored": naming
 * service principals lets their assignments be recognised instead of warned about. */
const servicePrincipalSchema = z.object({ id: guid, displayName: z.string() });

const roleDefinitionSchema = z.object({ id: roleDefinitionId, displayName: z.string() });

const roleAssignmentSchema = z.object({
  principalId: guid,
  roleDefinitionId,
  directoryScopeId: z.string().startsWith('/', 'must start with "/"').default('/'),
  /** Graph also knows other values in theory; anything but Assigned/Activated is ignored with a warning. */
  assignmentType: z
    .string()
    .nullish()
    .transform((v) => v ?? 'Assigned'),
  startDateTime: optionalDate,
  endDateTime: optionalDate,
});

const roleEligibilitySchema = z.object({
  principalId: guid,
  roleDefinitionId,
  directoryScopeId: z.string().startsWith('/', 'must start with "/"').default('/'),
  startDateTime: optionalDate,
  endDateTime: optionalDate,
});

/** Rules stay raw (looseObject keeps every property): policy.ts reads them as Graph returns them. */
const policyRuleSchema = z.looseObject({ id: z.string().min(1), '@odata.type': z.string().optional() });

const rolePolicySchema = z.object({ roleDefinitionId, rules: z.array(policyRuleSchema).default([]) });

const azureAssignmentSchema = z.object({
  principalId: guid,
  roleDefinitionId,
  state: z.enum(['active', 'eligible']),
  assignmentType: z
    .enum(['Assigned', 'Activated'])
    .nullish()
    .transform((v) => v ?? null),
  startDateTime: optionalDate,
  endDateTime: optionalDate,
});

const azureResourceSchema = z.object({
  id: z.string().startsWith('/', 'must be an ARM scope id such as /subscriptions/<guid>'),
  displayName: z.string().optional(),
  /** For a subscription or a management group: the management group directly above it (its Owners count below). */
  parentId: z
    .string()
    .startsWith('/', 'must be a management group id such as /providers/Microsoft.Management/managementGroups/<name>')
    .optional(),
  roleDefinitions: z.array(roleDefinitionSchema).default([]),
  roleAssignments: z.array(azureAssignmentSchema).default([]),
  roleManagementPolicies: z.array(rolePolicySchema).default([]),
});

export const snapshotSchema = z.object({
  tenant: z.object({ id: guid, displayName: z.string(), pimEnabled: z.boolean() }),
  users: z.array(userSchema),
  groups: z.array(groupSchema).default([]),
  servicePrincipals: z.array(servicePrincipalSchema).default([]),
  roleDefinitions: z.array(roleDefinitionSchema).default([]),
  roleAssignments: z.array(roleAssignmentSchema).default([]),
  roleEligibilities: z.array(roleEligibilitySchema).default([]),
  roleManagementPolicies: z.array(rolePolicySchema).default([]),
  azureResources: z.array(azureResourceSchema).default([]),
  /** PIM for Groups: groups whose membership and ownership PIM manages (groupAccess.ts). */
  privilegedAccessGroups: z.array(privilegedAccessGroupSchema).default([]),
});

export type DirectorySnapshot = z.infer<typeof snapshotSchema>;
export type SnapshotUser = DirectorySnapshot['users'][number];
export type SnapshotGroup = DirectorySnapshot['groups'][number];
export type SnapshotRoleAssignment = DirectorySnapshot['roleAssignments'][number];
export type SnapshotRoleEligibility = DirectorySnapshot['roleEligibilities'][number];
export type SnapshotAzureResource = DirectorySnapshot['azureResources'][number];
export type SnapshotRolePolicy = DirectorySnapshot['roleManagementPolicies'][number];
