/**
 * How long a PIM approval request waits for a decision: 24 hours, fixed by PIM (an approver
 * who has not acted by then cannot any more, and the request expires). Written once here for
 * the reminder schedule, the expiry of directory requests and the email text.
 */
export const APPROVAL_WINDOW_HOURS = 24;
export const APPROVAL_WINDOW_MS = APPROVAL_WINDOW_HOURS * 3_600_000;

/** When a request created at `createdDateTime` expires undecided. */
export function approvalExpiry(createdDateTime: string): Date {
  return new Date(Date.parse(createdDateTime) + APPROVAL_WINDOW_MS);
}
