/**
 * PIM for Groups in the audit log: records under category GroupManagement, with the same
 * activity names as roles (activities.ts). The record's targets name the access as a role
 * (`Member` or `Owner`), the principal (a user, or a group made member of the group), and the
 * group whose membership or ownership PIM manages. Pure.
 *
 * The managed group is the `Group` target the details name as resource (`ResourceId`,
 * `GroupId`), else the last `Group` target (PIM lists role, principal, then resource); the
 * principal is the first user or service principal, else another `Group` target.
 */
import { GROUP_ACCESS_IDS, type GroupAccessId } from '../events/schema.js';
import type { AuditTarget } from './directoryAudit.js';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export interface GroupRecordParts {
  group: AuditTarget | undefined;
  groupId: string | undefined;
  accessId: GroupAccessId | undefined;
  principal: AuditTarget | undefined;
}

export function groupRecordParts(targets: AuditTarget[], details: Map<string, string>): GroupRecordParts {
  const groups = targets.filter((t) => /^group$/i.test(t.type ?? ''));
  const named = guidOf(details.get('groupid') ?? details.get('resourceid'));
  const group = (named && groups.find((t) => guidOf(t.id) === named)) || groups.at(-1);
  const groupId = named ?? guidOf(group?.id);
  const principal =
    targets.find((t) => /^(user|serviceprincipal)$/i.test(t.type ?? '')) ?? groups.find((t) => t !== group && guidOf(t.id) !== groupId);
  return { group, groupId, accessId: accessOf(targets, details), principal };
}

/** `member` / `owner` from the details (Graph's accessId) or the role target's name or id. */
function accessOf(targets: AuditTarget[], details: Map<string, string>): GroupAccessId | undefined {
  const role = targets.find((t) => /^role/i.test(t.type ?? ''));
  for (const value of [
    details.get('accessid'),
    details.get('roledefinitionoriginid'),
    details.get('roledefinitionid'),
    role?.displayName,
    role?.id,
  ]) {
    const v = value?.trim().toLowerCase();
    const match = GROUP_ACCESS_IDS.find((a) => v === a || v?.endsWith(`/${a}`));
    if (match) return match;
  }
  return undefined;
}

function guidOf(value: string | null | undefined): string | undefined {
  return value?.match(GUID)?.[0]?.toLowerCase();
}
