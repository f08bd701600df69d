/**
 * The audit activity table (shared/sources/activities.ts) against Microsoft's full list of PIM
 * audit activities (test/fixtures/microsoft/pimAuditActivities.json, written from the audit
 * activity reference): every listed activity is mapped or deliberately ignored, never
 * "unknown", and the spellings Microsoft's own pages use find the same row. Data-driven: a
 * row added to the table or an activity added to the list is checked without touching this file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { lookupActivity } from '../../shared/sources/activities.js';
import { mapAuditRecord } from '../../shared/sources/auditRecord.js';
import { TENANT, record } from '../support/auditRecords.js';

interface ActivityList {
  activities: { category: string; activity: string }[];
  spellingVariants: { pairs: { variant: string; reference: string }[] };
}

const list = JSON.parse(readFileSync(fromPackageRoot('test/fixtures/microsoft/pimAuditActivities.json'), 'utf8')) as ActivityList;
const names = [...new Set(list.activities.map((a) => a.activity))];

describe("Microsoft's PIM audit activities", () => {
  it('the list is the whole PIM section (four categories)', () => {
    expect(new Set(list.activities.map((a) => a.category))).toEqual(
      new Set(['ApplicationManagement', 'GroupManagement', 'ResourceManagement', 'RoleManagement']),
    );
    expect(names.length).toBeGreaterThanOrEqual(72);
  });

  it.each(names)('"%s" is mapped or explicitly ignored', (activity) => {
    expect(lookupActivity(activity), activity).toBeDefined();
    // And the collector does not count it as unknown, whatever the category it is logged under.
    for (const { category } of list.activities.filter((a) => a.activity === activity)) {
      expect(mapAuditRecord(record(activity, '2026-11-25T09:00:00Z', { category }), TENANT).kind, `${category}: ${activity}`).not.toBe(
        'unknown',
      );
    }
  });

  it.each(list.spellingVariants.pairs)('"$variant" normalises to "$reference"', ({ variant, reference }) => {
    expect(lookupActivity(variant)).toBeDefined();
    expect(lookupActivity(variant)).toBe(lookupActivity(reference));
    expect(lookupActivity(` ${variant.toUpperCase()}  `)).toBe(lookupActivity(reference));
  });

  it('renewals: no "completed (renew)" (Microsoft lists none); the request and the (extend/renew) decision are mapped', () => {
    for (const who of ['member', 'eligible member']) {
      expect(names).not.toContain(`Add ${who} to role in PIM completed (renew)`);
      expect(lookupActivity(`Add ${who} to role in PIM completed (renew)`)).toBeUndefined();
      expect(lookupActivity(`Add ${who} to role in PIM requested (renew)`)?.event).toBe('assignmentPendingApproval');
    }
    const approval = 'Update member in PIM approved by admin (extend/renew)';
    expect(names).toContain(approval);
    const renewed = mapAuditRecord(
      record(approval, '2026-11-25T09:00:00Z', { additionalDetails: [{ key: 'RequestType', value: 'AdminRenew' }] }),
      TENANT,
    );
    const extended = mapAuditRecord(
      record(approval, '2026-11-25T09:00:00Z', { additionalDetails: [{ key: 'RequestType', value: 'AdminExtend' }] }),
      TENANT,
    );
    const selfRenewed = mapAuditRecord(
      record(approval, '2026-11-25T09:00:00Z', { additionalDetails: [{ key: 'Request action', value: 'selfRenew' }] }),
      TENANT,
    );
    expect(renewed).toMatchObject({ kind: 'event', event: { type: 'roleRenewed' } });
    expect(selfRenewed).toMatchObject({ kind: 'event', event: { type: 'roleRenewed' } });
    expect(extended).toMatchObject({ kind: 'event', event: { type: 'roleExtended' } });
  });
});
