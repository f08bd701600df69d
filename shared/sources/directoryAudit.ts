/** A Microsoft Graph directoryAudit record as the audit collector reads it (auditRecord.ts maps it to an event). */
export interface AuditIdentity {
  id?: string | null;
  displayName?: string | null;
  /** Read by nobody here: addresses stay out of events built from the log and out of logs. */
  userPrincipalName?: string | null;
  servicePrincipalId?: string | null;
}

export interface AuditTarget {
  id?: string | null;
  displayName?: string | null;
  type?: string | null;
  userPrincipalName?: string | null;
}

/** The directoryAudit properties this module reads (Graph v1.0). */
export interface DirectoryAudit {
  id: string;
  category?: string | null;
  activityDisplayName?: string | null;
  activityDateTime?: string | null;
  loggedByService?: string | null;
  result?: string | null;
  correlationId?: string | null;
  initiatedBy?: { user?: AuditIdentity | null; app?: AuditIdentity | null } | null;
  targetResources?: AuditTarget[] | null;
  additionalDetails?: { key?: string | null; value?: string | null }[] | null;
}
