/**
 * Issue 25: `pim-notify simulate` on a tenant with custom PIM for Groups notification rules
 * (hospitalTenant.ts, Radiology PACS Admins: default recipients off with extra recipients,
 * critical emails only) keeps honouring them for the new emails (extension denied, extended,
 * renewed, expired, pending approval), and explains each decision by its rule.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { simulate } from '../../../bin/commands/simulate.js';
import { DOMAIN, G, NOW, TENANT_ID, U, hospitalTenant } from '../../support/hospitalTenant.js';
import { capture, jsonLines } from './support.js';

const radiology = { kind: 'group', id: G.radiology, accessId: 'member' };
const eligible = { state: 'eligible', permanent: false, endDateTime: '2026-12-10T00:00:00Z' };
const active = { state: 'active', permanent: false, endDateTime: '2027-06-30T00:00:00Z' };
const at = NOW.toISOString();
const base = { tenantId: TENANT_ID, occurredAt: at, scope: radiology, principal: { id: U.rob, type: 'user' } };

const EVENTS = [
  { ...base, id: 'r-expired', type: 'roleExpired', occurredAt: '2026-12-10T00:00:00Z', assignment: eligible },
  {
    ...base,
    id: 'r-denied',
    type: 'assignmentRequestDenied',
    actor: { id: U.peter },
    assignment: eligible,
    request: { action: 'selfExtend' },
  },
  { ...base, id: 'r-renewed', type: 'roleRenewed', actor: { id: U.paula }, assignment: eligible, request: { action: 'selfRenew' } },
  { ...base, id: 'r-extended', type: 'roleExtended', actor: { id: U.paula }, assignment: active, request: { action: 'adminExtend' } },
  { ...base, id: 'r-asks', type: 'assignmentPendingApproval', assignment: eligible, request: { action: 'selfExtend' } },
  { ...base, id: 'r-activates', type: 'activationPendingApproval' },
];

type Line = { eventId: string; notification: string; to: string; reasons: Array<{ rule: string | null; via: string }> };
let lines: Line[];
let stderr: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sim-groups-'));
  await writeFile(path.join(dir, 'directory.json'), JSON.stringify(hospitalTenant()));
  await writeFile(path.join(dir, 'events.jsonl'), EVENTS.map((e) => JSON.stringify(e)).join('\n'));
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  try {
    const r = await capture(() => simulate(['--directory', path.join(dir, 'directory.json'), '--events', path.join(dir, 'events.jsonl')]));
    expect(r.status).toBe(0);
    lines = jsonLines(r.stdout) as unknown as Line[];
    stderr = r.stderr;
  } finally {
    vi.useRealTimers();
  }
});

const of = (eventId: string) =>
  lines
    .filter((l) => l.eventId === eventId)
    .map((l) => `${l.to} ${l.notification}`)
    .sort();
const reasonsOf = (eventId: string, to: string) => lines.find((l) => l.eventId === eventId && l.to === to)?.reasons ?? [];

describe('simulate with custom group rules', () => {
  it('default recipients off with extra recipients: the expiry, the denial and the renewal go to the extra addresses only', () => {
    for (const id of ['r-expired', 'r-denied', 'r-renewed']) {
      const kinds: Record<string, [string, string]> = {
        'r-expired': ['groupExpiredAlert', 'groupExpiredNotice'],
        'r-denied': ['groupExtensionDeniedAlert', 'groupExtensionDeniedNotice'],
        'r-renewed': ['groupRenewalAlert', 'groupRenewedNotice'],
      };
      const [alert, notice] = kinds[id]!;
      expect(of(id)).toEqual([`pacs-audit@${DOMAIN} ${alert}`, `pacs-requests@${DOMAIN} ${notice}`].sort());
    }
    expect(reasonsOf('r-expired', `pacs-audit@${DOMAIN}`)).toEqual([
      expect.objectContaining({
        rule: 'Notification_Admin_Admin_Eligibility',
        via: 'additional recipient of Notification_Admin_Admin_Eligibility',
      }),
    ]);
  });

  it("critical only: an owner's extension of an active membership tells the owners nothing, the member still hears", () => {
    expect(of('r-extended')).toEqual([`rob@${DOMAIN} groupExtendedNotice`]);
  });

  it('critical only keeps the extension approval request, to the owners and the extra address, never the activation approvers', () => {
    expect(of('r-asks')).toEqual(
      [`paula@${DOMAIN}`, `peter@${DOMAIN}`, `pacs-approvals@${DOMAIN}`].map((a) => `${a} groupExtensionApprovalRequest`).sort(),
    );
    expect(reasonsOf('r-asks', `paula@${DOMAIN}`)).toEqual([
      expect.objectContaining({ rule: 'Notification_Approver_Admin_Eligibility', via: 'Permanent owner of the group (active)' }),
    ]);
  });

  it("critical only drops the owners' pending-approval alert and keeps the approvers' request", () => {
    expect(of('r-activates')).toEqual([`peter@${DOMAIN} groupApprovalRequest`, `rita@${DOMAIN} groupApprovalRequest`]);
    expect(stderr).not.toMatch(/r-activates.*reaches no approver/);
  });
});
