/**
 * The local Graph (fakeGraph.ts) plus `GET /v1.0/auditLogs/directoryAudits`, which it does not
 * serve: built on top of it rather than in it (that file belongs to the Graph client's owner).
 * Same wire format: bearer token, absolute @odata.nextLink with $skiptoken, injectable 429 +
 * Retry-After (inherited), newest record first as Graph returns directoryAudits, and the
 * $filter the audit collector sends (loggedByService eq, activityDateTime ge / le), held to
 * the documented contract first (graphContract.ts: a filter on `category`, say, is a 400).
 * Records can be added between reads, to play records that Entra logs late.
 */
import type { DirectoryAudit } from '../../shared/sources/auditRecord.js';
import { FakeGraph, type TenantData } from './fakeGraph.js';
import type { WorldOptions, Reply } from './fakeServer.js';

export class FakeAuditGraph extends FakeGraph {
  readonly audits: DirectoryAudit[] = [];

  constructor(data: TenantData, options: WorldOptions) {
    super(data, options);
  }

  protected override handle(method: string, url: URL, body: unknown, headers: Record<string, string> = {}): Reply {
    if (method === 'GET' && url.pathname === '/v1.0/auditLogs/directoryAudits')
      return this.contractRefusal(url, headers) ?? this.directoryAudits(url);
    return super.handle(method, url, body, headers);
  }

  private directoryAudits(url: URL): Reply {
    const filter = url.searchParams.get('$filter') ?? '';
    const clauses = filter.split(/\s+and\s+/i).filter(Boolean);
    const tests: ((r: DirectoryAudit) => boolean)[] = [];
    for (const clause of clauses) {
      let m: RegExpExecArray | null;
      if ((m = /^loggedByService eq '([^']*)'$/.exec(clause))) {
        const service = m[1]!;
        tests.push((r) => r.loggedByService === service);
      } else if ((m = /^activityDateTime (ge|le) (\S+)$/.exec(clause))) {
        const op = m[1]!;
        const bound = Date.parse(m[2]!);
        if (!Number.isFinite(bound)) return { status: 400, body: this.errorBody('BadRequest', `Invalid date-time in $filter: ${m[2]}`) };
        tests.push((r) => (op === 'ge' ? Date.parse(r.activityDateTime!) >= bound : Date.parse(r.activityDateTime!) <= bound));
      } else {
        return { status: 400, body: this.errorBody('BadRequest', `Unsupported $filter clause in the local Graph: ${clause}`) };
      }
    }
    const items = this.audits
      .filter((r) => tests.every((t) => t(r)))
      .sort((a, b) => Date.parse(b.activityDateTime!) - Date.parse(a.activityDateTime!));
    return this.page(url, items, '@odata.nextLink');
  }
}

export const EMPTY_TENANT = (tenantId: string): TenantData => ({
  tenant: { id: tenantId, displayName: 'Contoso' },
  users: [],
  groups: [],
  roleDefinitions: [],
  roleAssignments: [],
  roleEligibilities: [],
  roleManagementPolicies: [],
});
