/**
 * The PIM event (docs/events.md) as a zod schema: the one definition the
 * types, the runtime validation and docs/events.schema.json all come from.
 *
 * Unknown extra fields are stripped, never an error (zod objects strip by default), so a
 * producer that adds fields does not break us.
 */
import { z } from 'zod';

/** Upper bounds on free text keep one hostile event from bloating emails, logs and queue messages. */
export const LIMITS = {
  displayName: 256,
  justification: 1000,
  ticket: 128,
  scopeId: 1024,
  requestId: 256,
} as const;

const guid = z.guid();
const displayName = z.string().max(LIMITS.displayName).optional();
/**
 * Instants PIM can mean: nothing before Entra ID existed, nothing centuries ahead. Outside
 * this range an instant is an error or an attack (year 0000 has no ISO week to file under).
 */
export const DATE_RANGE = { from: '2000-01-01T00:00:00Z', until: '2200-01-01T00:00:00Z' } as const;
const dateTime = z.iso.datetime({ offset: true }).refine(
  (v) => {
    const t = Date.parse(v);
    return t >= Date.parse(DATE_RANGE.from) && t < Date.parse(DATE_RANGE.until);
  },
  `must be between ${DATE_RANGE.from.slice(0, 4)} and ${Number(DATE_RANGE.until.slice(0, 4)) - 1}`,
);

export const eventId = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : -');

const roleScopeSchema = z
  .object({
    kind: z.enum(['directory', 'azureResource']),
    id: z.string().min(1).max(LIMITS.scopeId).startsWith('/', 'must start with "/"'),
    displayName,
  })
  .refine((s) => s.kind !== 'azureResource' || s.id !== '/', {
    message: 'an azureResource scope needs an ARM scope id such as /subscriptions/<guid>',
    path: ['id'],
  });

/** The two kinds of access PIM for Groups manages (Graph's `accessId`). */
export const GROUP_ACCESS_IDS = ['member', 'owner'] as const;
export type GroupAccessId = (typeof GROUP_ACCESS_IDS)[number];

/** PIM for Groups: membership or ownership (`accessId`) of the group whose object id is `id`. */
export const groupScopeSchema = z.object({
  kind: z.literal('group'),
  id: guid,
  displayName,
  accessId: z.enum(GROUP_ACCESS_IDS),
});

export const scopeSchema = z.discriminatedUnion('kind', [roleScopeSchema, groupScopeSchema]);

export const roleSchema = z.object({ id: guid, displayName });

export const principalSchema = z.object({
  id: guid,
  displayName,
  type: z.enum(['user', 'group', 'servicePrincipal']).optional(),
});

export const actorSchema = z.object({ id: guid, displayName });

export const assignmentSchema = z.object({
  state: z.enum(['eligible', 'active']),
  permanent: z.boolean(),
  startDateTime: dateTime.optional(),
  endDateTime: dateTime.optional(),
});

/**
 * What the request asked for, in Graph's words (unifiedRoleScheduleRequestActions, the `action`
 * of a schedule request; ARM's `requestType` is the same names capitalised). On the extend and
 * renew events it tells the cases PIM mails differently: `selfExtend` / `selfRenew` is the
 * user's request (pending, then approved or denied by an administrator), `adminExtend` /
 * `adminRenew` an administrator's own extension or renewal, which needs no approval.
 */
export const REQUEST_ACTIONS = [
  'adminAssign',
  'adminUpdate',
  'adminRemove',
  'selfActivate',
  'selfDeactivate',
  'adminExtend',
  'adminRenew',
  'selfExtend',
  'selfRenew',
] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** Graph's action for a name in any case (ARM writes `SelfExtend`), or undefined for one Graph does not define. */
export function requestAction(value: string | null | undefined): RequestAction | undefined {
  const v = value?.trim().toLowerCase();
  return REQUEST_ACTIONS.find((a) => a.toLowerCase() === v);
}

export const requestSchema = z.object({
  id: z.string().max(LIMITS.requestId).optional(),
  action: z.enum(REQUEST_ACTIONS).optional().meta({
    description:
      "Graph's request action. On extend and renew events: selfExtend/selfRenew = the user's request (an administrator approves or denies it), adminExtend/adminRenew = an administrator extended or renewed it themselves.",
  }),
  justification: z.string().max(LIMITS.justification).optional(),
  ticketNumber: z.string().max(LIMITS.ticket).optional(),
  ticketSystem: z.string().max(LIMITS.ticket).optional(),
  /** When the request was made (the requests source; reminders and expiry count from it). */
  createdDateTime: dateTime.optional(),
});

/** Event types that carry an assignment (events.md: "for roleAssigned, roleMadePermanent, ..."). */
export const ASSIGNMENT_EVENT_TYPES = [
  'roleAssigned',
  'roleMadePermanent',
  'roleAssignedOutsidePim',
  'roleExpiringSoon',
  'roleEligibleToExtend',
  'roleRenewed',
  'roleExtended',
  'roleExpired',
] as const;

/**
 * Role events without an assignment. The last three are this project's additions
 * (events.md allows them): the outcome of an activation request, so that the requester
 * hears back and the other approvers know someone already acted.
 */
export const REQUEST_EVENT_TYPES = [
  'activationPendingApproval',
  'activationCompleted',
  'assignmentPendingApproval',
  'activationApproved',
  'activationDenied',
  'activationCanceled',
  // An administrator denied an extension or renewal request: the requester and the other admins hear back.
  'assignmentRequestDenied',
  // From the requests source: a request no one decided in time, and a reminder to its approvers.
  'requestExpired',
  'approvalReminder',
] as const;

export const EVENT_TYPES = ['pimEnabled', ...REQUEST_EVENT_TYPES, ...ASSIGNMENT_EVENT_TYPES] as const;
export type PimEventType = (typeof EVENT_TYPES)[number];

const common = {
  id: eventId,
  tenantId: guid,
  occurredAt: dateTime,
  scope: scopeSchema,
  actor: actorSchema.optional(),
  request: requestSchema.optional(),
};

// A group's access has no role definition (the scope's accessId says member or owner), so
// `role` is optional in the shape and required below for every other scope kind.
const roleEventBase = {
  ...common,
  role: roleSchema
    .optional()
    .meta({ description: 'Required for a directory or azureResource scope; not used for a group scope, whose accessId is the access.' }),
  principal: principalSchema,
};

function roleUnlessGroup(event: { scope: { kind: string }; role?: unknown }, ctx: z.core.$RefinementCtx): void {
  if (event.scope.kind !== 'group' && event.role === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required for a directory or azureResource scope', path: ['role'] });
  }
}

export const pimEnabledEventSchema = z.object({
  ...common,
  type: z.literal('pimEnabled'),
  role: roleSchema.optional(),
  principal: principalSchema.optional(),
  // Never meaningful here; declared so every event type has the same optional shape.
  assignment: assignmentSchema.optional(),
});

export const requestEventSchema = z
  .object({
    ...roleEventBase,
    type: z.enum(REQUEST_EVENT_TYPES),
    assignment: assignmentSchema.optional(),
  })
  .superRefine(roleUnlessGroup);

export const assignmentEventSchema = z
  .object({
    ...roleEventBase,
    type: z.enum(ASSIGNMENT_EVENT_TYPES),
    assignment: assignmentSchema,
  })
  .superRefine(roleUnlessGroup);

export const pimEventSchema = z.discriminatedUnion('type', [pimEnabledEventSchema, requestEventSchema, assignmentEventSchema]).meta({
  title: 'PIM event',
  description: 'One thing that happened to a privileged role, as put on the pim-events queue (base64 JSON). See docs/events.md.',
});

export type PimEvent = z.infer<typeof pimEventSchema>;
export type RoleEvent = z.infer<typeof requestEventSchema> | z.infer<typeof assignmentEventSchema>;
export type AssignmentEvent = z.infer<typeof assignmentEventSchema>;
export type EventScope = z.infer<typeof scopeSchema>;
export type GroupScope = z.infer<typeof groupScopeSchema>;
export type EventPrincipal = z.infer<typeof principalSchema>;
export type Assignment = z.infer<typeof assignmentSchema>;

export function isRoleEvent(event: PimEvent): event is RoleEvent {
  return event.type !== 'pimEnabled';
}

/** JSON Schema (draft 2020-12) of the event, as written to docs/events.schema.json. */
export function eventJsonSchema(): unknown {
  return z.toJSONSchema(pimEventSchema, { target: 'draft-2020-12', io: 'input' });
}
