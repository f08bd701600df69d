/**
 * Reads PIM audit records from Microsoft Graph, page by page, through the shared Graph client
 * (shared/directory/graph/graphClient.ts): its RetryHandler waits out 429/Retry-After, and
 * @odata.nextLink is followed as the absolute URL Graph gives, never rebuilt.
 */
import type { GraphApi } from '../directory/graph/graphClient.js';
import type { DirectoryAudit } from './auditRecord.js';
import type { AuditSource } from './auditSource.js';

/** The value the collector filters loggedByService on. */
export const PIM_SERVICE = 'PIM';

export function directoryAuditsPath(from: string, to: string): string {
  // Graph compares date-times unquoted; ge/le are the operators directoryAudits supports on it.
  return `/auditLogs/directoryAudits?$filter=loggedByService eq '${PIM_SERVICE}' and activityDateTime ge ${from} and activityDateTime le ${to}`;
}

export class GraphAuditSource implements AuditSource {
  constructor(private readonly graph: Pick<GraphApi, 'get'>) {}

  async *pages(from: string, to: string): AsyncIterable<DirectoryAudit[]> {
    let next: string | undefined = directoryAuditsPath(from, to);
    while (next) {
      const page: { value?: DirectoryAudit[]; '@odata.nextLink'?: string } = await this.graph.get(next);
      yield page.value ?? [];
      next = page['@odata.nextLink'];
    }
  }
}
