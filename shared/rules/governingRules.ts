/**
 * The notification rules that govern the recipient matrix's entries (matrix.ts, groupMatrix.ts), by who the
 * email is for and who caused the event; `level: 'assignment'` follows the event's assignment.
 */
export const activationApprover = { recipient: 'Approver', caller: 'EndUser', level: 'Assignment' } as const;
export const activationAdmin = { recipient: 'Admin', caller: 'EndUser', level: 'Assignment' } as const;
export const activationRequestor = { recipient: 'Requestor', caller: 'EndUser', level: 'Assignment' } as const;
export const assignmentAdmin = { recipient: 'Admin', caller: 'Admin', level: 'assignment' } as const;
export const assignmentRequestor = { recipient: 'Requestor', caller: 'Admin', level: 'assignment' } as const;
export const assignmentApprover = { recipient: 'Approver', caller: 'Admin', level: 'assignment' } as const;
