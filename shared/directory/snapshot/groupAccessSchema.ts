/** The snapshot's `privilegedAccessGroups` (PIM for Groups): who holds member or owner access to a group, and the group's policy per access. */
import { z } from 'zod';

const guid = z.guid();
const optionalDate = z.iso
  .datetime({ offset: true })
  .nullish()
  .transform((v) => v ?? null);
export const accessIdSchema = z.enum(['member', 'owner']);
/** Graph writes privilegedAccessGroupAssignmentType in lower case (`assigned`, `activated`). */
const assignmentType = z
  .string()
  .nullish()
  .transform((v) => (v ? v.toLowerCase() : null))
  .pipe(z.enum(['assigned', 'activated']).nullable())
  .transform((v) => (v === 'activated' ? ('Activated' as const) : v === 'assigned' ? ('Assigned' as const) : null));

const groupAccessSchema = z.object({
  principalId: guid,
  accessId: accessIdSchema,
  state: z.enum(['active', 'eligible']),
  /** Active access only: `assigned` (standing) or `activated` (an eligible member or owner who activated). */
  assignmentType: assignmentType.optional().transform((v) => v ?? null),
  startDateTime: optionalDate,
  endDateTime: optionalDate,
});

export const privilegedAccessGroupSchema = z.object({
  groupId: guid,
  assignments: z.array(groupAccessSchema).default([]),
  roleManagementPolicies: z
    .array(z.object({ accessId: accessIdSchema, rules: z.array(z.looseObject({ id: z.string().min(1) })).default([]) }))
    .default([]),
});

export type SnapshotPrivilegedAccessGroup = z.infer<typeof privilegedAccessGroupSchema>;
