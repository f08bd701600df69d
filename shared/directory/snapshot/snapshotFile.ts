/**
 * The directory snapshot file (docs/directory-snapshot.md): one JSON file
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
import { referenceWarnings } from './references.js';
import { snapshotSchema, type DirectorySnapshot } from './snapshotSchema.js';

export {
  snapshotSchema,
  type DirectorySnapshot,
  type SnapshotAzureResource,
  type SnapshotGroup,
  type SnapshotRoleAssignment,
  type SnapshotRoleEligibility,
  type SnapshotRolePolicy,
  type SnapshotUser,
} from './snapshotSchema.js';

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
      `${where} is refused: ${what}${more}. Fix that value; the format is described in docs/directory-snapshot.md.`,
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
