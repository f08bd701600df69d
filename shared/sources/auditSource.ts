/** Where the audit collector reads PIM audit records (Microsoft Graph in production: graphAuditSource.ts). */
import type { DirectoryAudit } from './auditRecord.js';

export interface AuditSource {
  /** Records with `from <= activityDateTime <= to`, one array per Graph page, in Graph's order. */
  pages(from: string, to: string): AsyncIterable<DirectoryAudit[]>;
}
