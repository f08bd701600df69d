/**
 * One Graph directoryAudit record (reference §5) → one PIM event, or the reason it is none.
 * Pure: no I/O, so every mapping rule is testable on its own.
 *
 * Record layout varies between activities (the position of role and user in targetResources
 * differs), so targets are found by their `type`, ids by shape (GUID, ARM path), and
 * additionalDetails keys case-insensitively under the names PIM has been seen to use.
 */
import { createHash } from 'node:crypto';
import { parseEvent, type InvalidEventError } from '../events/parse.js';
import { LIMITS, type PimEvent } from '../events/schema.js';
import { armScope } from '../events/armScope.js';
import { lookupActivity } from './activities.js';
import { groupRecordParts } from './groupAuditRecord.js';
import type { AuditIdentity, AuditTarget, DirectoryAudit } from './directoryAudit.js';
import { REQUEST_BOUND_TYPES, requestEventId } from './requestEventId.js';

export type { AuditIdentity, AuditTarget, DirectoryAudit } from './directoryAudit.js';

export type MappedRecord =
  | { kind: 'event'; event: PimEvent }
  /** A known activity that produces no event (see activities.ts), or a failed/timed-out attempt. */
  | { kind: 'ignored'; activity: string }
  | { kind: 'unknown'; activity: string }
  /** Application records and other categories: no event type covers them yet. */
  | { kind: 'unsupported'; category: string }
  | { kind: 'invalid'; error: InvalidEventError };

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `audit:<record id>`, or a hash of it when the id has characters an event id may not. */
export function auditEventId(recordId: string): string {
  const plain = `audit:${recordId}`;
  return EVENT_ID.test(plain) ? plain : `audit:h-${createHash('sha256').update(recordId).digest('hex').slice(0, 48)}`;
}

export function mapAuditRecord(raw: DirectoryAudit, tenantId: string): MappedRecord {
  const record = canonicalRecord(raw);
  const activity = record.activityDisplayName ?? '';
  const mapping = lookupActivity(activity);
  // Cut: the name goes into logs and counters, and only Microsoft-defined names are expected here.
  if (!mapping) return { kind: 'unknown', activity: activity.slice(0, 200) };
  // Only what actually happened notifies: a failed assignment changed nothing.
  if ((record.result ?? 'success').toLowerCase() !== 'success' || !mapping.event) return { kind: 'ignored', activity };
  const category = record.category ?? '';
  if (category !== 'RoleManagement' && category !== 'ResourceManagement' && category !== 'GroupManagement')
    return { kind: 'unsupported', category };

  const details = detailsOf(record);
  const targets = record.targetResources ?? [];
  const roleTarget = targets.find((t) => /^role/i.test(t.type ?? ''));
  // PIM for Groups: the scope is the managed group with the access; there is no role definition.
  const group = category === 'GroupManagement' ? groupRecordParts(targets, details) : undefined;
  const principalTarget = group ? group.principal : targets.find((t) => /^(user|group|serviceprincipal)$/i.test(t.type ?? ''));
  const scope = group
    ? {
        kind: 'group' as const,
        id: group.groupId,
        accessId: group.accessId,
        ...text('displayName', group.group?.displayName, LIMITS.displayName),
      }
    : category === 'RoleManagement'
      ? { kind: 'directory' as const, id: '/' }
      : azureScope(targets, details);

  const renewal = isRenewal(details);
  const action = mapping.action === 'selfExtend' && renewal ? 'selfRenew' : mapping.action;
  const request = requestOf(details, targets, action);
  const candidate: Record<string, unknown> = {
    // A record without an id cannot be deduplicated: no event id, so validation refuses it. The
    // request's own id where the record names it, so the requests collector's event is the same one.
    id:
      request?.['id'] && REQUEST_BOUND_TYPES.has(mapping.event)
        ? requestEventId(request['id'], mapping.event)
        : record.id
          ? auditEventId(record.id)
          : undefined,
    type: mapping.event === 'roleExtended' && renewal ? 'roleRenewed' : mapping.event,
    tenantId,
    occurredAt: isoOrRaw(record.activityDateTime),
    scope,
    role: group
      ? undefined
      : {
          // Directory records carry the role's template id in the details; the target id may be an object id or an ARM path.
          id: lastGuid(details.get('templateid')) ?? lastGuid(details.get('roledefinitionoriginid')) ?? lastGuid(roleTarget?.id),
          ...text('displayName', roleTarget?.displayName, LIMITS.displayName),
        },
    principal: principalTarget
      ? {
          id: lastGuid(principalTarget.id),
          type: principalType(principalTarget.type),
          ...text('displayName', principalTarget.displayName, LIMITS.displayName),
        }
      : undefined,
    actor: actorOf(record),
    request,
  };
  if (mapping.assignment) {
    candidate['assignment'] = {
      ...mapping.assignment,
      ...optionalDate('startDateTime', details.get('starttime') ?? details.get('startdatetime')),
      ...(mapping.assignment.permanent
        ? {}
        : optionalDate('endDateTime', details.get('expirationtime') ?? details.get('enddatetime') ?? details.get('endtime'))),
    };
  }
  const parsed = parseEvent(candidate);
  return parsed.kind === 'valid' ? { kind: 'event', event: parsed.event } : { kind: 'invalid', error: parsed.error };
}

/**
 * The record with the property names this module reads, whatever their case: Graph's own
 * directoryAudit examples write `Type` for a target's type and `targetResource` for the list
 * (JSON from Log Analytics exports capitalises everything). Values are left as they are.
 */
export function canonicalRecord(raw: unknown): DirectoryAudit {
  const r = keysOf(raw);
  const initiatedBy = keysOf(r.get('initiatedby'));
  const identity = (value: unknown): AuditIdentity | null => {
    const i = keysOf(value);
    return i.size === 0
      ? null
      : {
          id: str(i.get('id')),
          displayName: str(i.get('displayname')),
          userPrincipalName: str(i.get('userprincipalname')),
          servicePrincipalId: str(i.get('serviceprincipalid')),
        };
  };
  const list = (value: unknown): Map<string, unknown>[] => (Array.isArray(value) ? value.map(keysOf) : []);
  return {
    id: str(r.get('id')) ?? '',
    category: str(r.get('category')),
    activityDisplayName: str(r.get('activitydisplayname')),
    activityDateTime: str(r.get('activitydatetime')),
    loggedByService: str(r.get('loggedbyservice')),
    result: str(r.get('result')),
    correlationId: str(r.get('correlationid')),
    initiatedBy: { user: identity(initiatedBy.get('user')), app: identity(initiatedBy.get('app')) },
    targetResources: list(r.get('targetresources') ?? r.get('targetresource')).map((t) => ({
      id: str(t.get('id')),
      displayName: str(t.get('displayname')),
      type: str(t.get('type')),
      userPrincipalName: str(t.get('userprincipalname')),
    })),
    additionalDetails: list(r.get('additionaldetails')).map((d) => ({ key: str(d.get('key')), value: str(d.get('value')) })),
  };
}

/** An object's own properties by lower-cased name (the first spelling with a value wins); nothing for a non-object. */
function keysOf(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null && !out.has(k.toLowerCase())) out.set(k.toLowerCase(), v);
  }
  return out;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * "(extend/renew)" approvals name both; the record tells which by a detail naming a renewal:
 * a request-type key whose value mentions renew, or any value that is one of Graph's request
 * actions for it (adminRenew, selfRenew).
 */
function isRenewal(details: Map<string, string>): boolean {
  for (const key of ['requesttype', 'type', 'action', 'requestaction', 'operationtype'])
    if (/renew/i.test(details.get(key) ?? '')) return true;
  for (const value of details.values()) if (/^(admin|self)?renew(al)?$/i.test(value)) return true;
  return false;
}

/** additionalDetails as a map with lower-case keys (PIM's casing is not consistent). */
function detailsOf(record: DirectoryAudit): Map<string, string> {
  const map = new Map<string, string>();
  for (const d of record.additionalDetails ?? []) {
    if (d.key && typeof d.value === 'string' && d.value.trim() !== '') map.set(d.key.toLowerCase().replace(/\s+/g, ''), d.value.trim());
  }
  return map;
}

/** The ARM scope of a ResourceManagement record: the target whose id is an ARM path and not a role definition. */
function azureScope(
  targets: AuditTarget[],
  details: Map<string, string>,
): { kind: 'azureResource'; id: string; displayName?: string } | undefined {
  // A subscription may be written as its alias (/providers/Microsoft.Subscription/subscriptions/…): one spelling, armScope.ts.
  const isScope = (id: string | null | undefined): id is string =>
    typeof id === 'string' &&
    /^\/(subscriptions|providers\/microsoft\.management\/managementgroups)\//i.test(armScope(id)) &&
    !/\/roleDefinitions\//i.test(id);
  const target = targets.find((t) => isScope(t.id));
  if (target) return { kind: 'azureResource', id: armScope(target.id!), ...text('displayName', target.displayName, LIMITS.displayName) };
  const fromDetails = details.get('resourceid') ?? details.get('scope');
  return isScope(fromDetails) ? { kind: 'azureResource', id: armScope(fromDetails) } : undefined;
}

function actorOf(record: DirectoryAudit): { id: string; displayName?: string } | undefined {
  const user = record.initiatedBy?.user;
  const app = record.initiatedBy?.app;
  const id = lastGuid(user?.id) ?? lastGuid(app?.servicePrincipalId) ?? lastGuid(app?.id);
  if (!id) return undefined;
  return { id, ...text('displayName', user?.displayName ?? app?.displayName, LIMITS.displayName) };
}

function requestOf(details: Map<string, string>, targets: AuditTarget[], action: string | undefined): Record<string, string> | undefined {
  const requestTarget = targets.find((t) => /^request$/i.test(t.type ?? ''));
  const request = {
    ...text('id', details.get('requestid') ?? requestTarget?.id, LIMITS.requestId),
    ...(action ? { action } : {}),
    // Free text typed by the requester: carried for the email, never logged here.
    ...text('justification', details.get('justification'), LIMITS.justification),
    ...text('ticketNumber', details.get('ticketnumber'), LIMITS.ticket),
    ...text('ticketSystem', details.get('ticketsystem'), LIMITS.ticket),
  };
  return Object.keys(request).length > 0 ? request : undefined;
}

function principalType(type: string | null | undefined): 'user' | 'group' | 'servicePrincipal' {
  const t = (type ?? '').toLowerCase();
  return t === 'group' ? 'group' : t === 'serviceprincipal' ? 'servicePrincipal' : 'user';
}

function lastGuid(value: string | null | undefined): string | undefined {
  const all = value?.match(GUID);
  return all?.[all.length - 1]?.toLowerCase();
}

/** A property only when there is text, cut to the schema's limit (a long name is not worth losing the event). */
function text(name: string, value: string | null | undefined, max: number): Record<string, string> {
  return typeof value === 'string' && value.trim() !== '' ? { [name]: value.trim().slice(0, max) } : {};
}

function optionalDate(name: string, value: string | undefined): Record<string, string> {
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isFinite(ms) ? { [name]: new Date(ms).toISOString() } : {};
}

/** Graph writes 7 fractional digits; normalised to ISO. An unparsable value is left for validation to name. */
function isoOrRaw(value: string | null | undefined): unknown {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
}
