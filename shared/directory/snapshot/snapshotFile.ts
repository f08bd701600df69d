/**
 * The directory snapshot file (../shared/contracts/directory-snapshot.md): one JSON file
 * with a tenant's people, groups, role holders and PIM role settings, in Microsoft Graph's
 * own property names. This module only reads and validates it; SnapshotDirectory
 * (snapshotDirectory.ts) answers questions about it.
 *
 * A file whose shape is wrong is refused as a whole (SnapshotError naming the first bad
 * value, e.g. `users[3].id`), because half a directory would silently send emails to the
 * wrong people. Dangling references (a member or principal that is not in the file) only
 * produce warnings: real exports contain deleted objects and service principals.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { referenceWarnings } from './references.js';
import { privilegedAccessGroupSchema } from './groupAccess.js';

const guid = z.guid();
const dateTime = z.iso.datetime({ offset: true });
const optionalDate = dateTime.nullish().transform((v) => v ?? null);
const nullableString = z.string().nullish().transform((v) => v ?? null);

/**
 * ARM returns role definition ids as full resource ids
 * (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>`); the rest of
 * the app, like Graph, uses the bare GUID, so both spellings are accepted.
 */
const roleDefinitionId = z.preprocess(
  (v) => (typeof v === 'string' && v.includes('/') ? v.slice(v.lastIndexOf('/') + 1) : v),
  guid,
);

const userSchema = z.object({
  id: guid,
  displayName: z.string(),
  mail: nullableString,
  userPrincipalName: nullableString,
  otherMails: z.array(z.string()).nullish().transform((v) => v ?? []),
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

/** Not in the contract's example but allowed by "unknown extra properties are ignored": naming
 * service principals lets their assignments be recognised instead of warned about. */
const servicePrincipalSchema = z.object({ id: guid, displayName: z.string() });

const roleDefinitionSchema = z.object({ id: roleDefinitionId, displayName: z.string() });

const roleAssignmentSchema = z.object({
  principalId: guid,
  roleDefinitionId,
  directoryScopeId: z.string().startsWith('/', 'must start with "/"').default('/'),
  /** Graph also knows other values in theory; anything but Assigned/Activated is ignored with a warning. */
  assignmentType: z.string().nullish().transform((v) => v ?? 'Assigned'),
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
  assignmentType: z.enum(['Assigned', 'Activated']).nullish().transform((v) => v ?? null),
  startDateTime: optionalDate,
  endDateTime: optionalDate,
});

const azureResourceSchema = z.object({
  id: z.string().startsWith('/', 'must be an ARM scope id such as /subscriptions/<guid>'),
  displayName: z.string().optional(),
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

export interface ParsedSnapshot {
  snapshot: DirectorySnapshot;
  /** Dangling references and ignored entries, each naming ids and paths, never addresses. */
  warnings: string[];
}

/** A snapshot refused as a whole: not readable, not JSON, or a value of the wrong shape. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    message: string,
    /** The file, when the snapshot came from one. */
    readonly file?: string,
    /** Where in the file the first bad value is, e.g. `users[3].id`; undefined for file-level problems. */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Validates an already-parsed JSON value. Throws SnapshotError for a wrong shape. */
export function parseSnapshot(value: unknown, file?: string): ParsedSnapshot {
  const result = snapshotSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? formatPath(issue.path) : '';
    const where = file ? `directory snapshot ${file}` : 'directory snapshot';
    const what = path ? `${path}: ${issue?.message ?? 'invalid'}` : (issue?.message ?? 'invalid');
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new SnapshotError(
      `${where} is refused: ${what}${more}. Fix that value; the format is described in contracts/directory-snapshot.md.`,
      file,
      path || undefined,
    );
  }
  return { snapshot: result.data, warnings: referenceWarnings(result.data) };
}

/** Reads, parses and validates a snapshot file. Throws SnapshotError with the file name. */
export async function loadSnapshot(file: string): Promise<ParsedSnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(e);
    throw new SnapshotError(
      `cannot read directory snapshot ${file}: ${reason}. Check DIRECTORY_SNAPSHOT_PATH (or --directory) points to a snapshot file.`,
      file,
    );
  }
  let value: unknown;
  try {
    // Editors on Windows like to save JSON with a byte-order mark, which JSON.parse rejects.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new SnapshotError(`directory snapshot ${file} is not valid JSON (${detail}). Fix the file's syntax.`, file);
  }
  return parseSnapshot(value, file);
}

/** ['users', 3, 'id'] → `users[3].id`; odd keys such as `@odata.type` → `rules[0]["@odata.type"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
