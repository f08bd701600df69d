/**
 * Every row of docs/recipients.md on the sample tenant (samples/README.md), through
 * the real use case: SnapshotDirectory, the rules module, templates, and the activity table
 * and delivery ledger on Azurite. The clock is pinned: holders depend on "now".
 */
import { TableClient } from '@azure/data-tables';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { RecordingTransport } from '../../dev/doubles/recordingTransport.js';
import { MemoryRateLimit } from '../../dev/doubles/memoryRateLimit.js';
import { MemoryEventsQueue } from '../../dev/doubles/memoryEventsQueue.js';
import { UncheckedConfirmer } from '../../shared/confirm/uncheckedConfirmer.js';
import { parseEventsText } from '../../dev/eventFile.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { TableActivityStore } from '../../shared/activity/tableActivityStore.js';
import { TableEventRegistry } from '../../shared/delivery/tableEventRegistry.js';
import { TableDeliveryLedger } from '../../shared/delivery/tableDeliveryLedger.js';
import { notifyEvent } from '../../shared/usecases/notify.js';
import { storageConnectionString, uniqueTableName } from '../support/storage.js';
import { systemClock } from '../../shared/time/clock.js';

const NOW = new Date('2026-11-23T06:00:00Z');
const c = (local: string) => `${local}@contoso.com`;
const PRA = ['megan.bowen', 'patti.fernandez', 'lee.gu', 'lynne.robbins', 'pradeep.gupta'].map(c);
const SA = ['alex.wilber', 'omar.haddad', 'diego.siciliani', 'j.sherman', 'grady.archie', 'emily.braun'].map(c);
const GA = ['megan.bowen', 'isaiah.langer', 'nestor.wilke', 'tomas.garcia']
  .map(c)
  .concat(['breakglass01@contoso.onmicrosoft.com', 'breakglass02@contoso.onmicrosoft.com']);
const ADMINS = [...new Set([...PRA, ...SA, ...GA])];
const PROD_SUB_ADMINS = ['miriam.graham', 'raul.razo', 'allan.deyoung', 'gerhart.moller', 'lee.gu'].map(c);
const RG_PROD_DATA_ADMINS = [
  'allan.deyoung',
  'gerhart.moller',
  'lee.gu',
  'lidia.holloway',
  'miriam.graham',
  'pradeep.gupta',
  'raul.razo',
].map(c);
/** Active holders of PRA or GA: the default approvers of a directory role. */
const ACTIVE_PRA_GA = ['megan.bowen', 'isaiah.langer', 'patti.fernandez']
  .map(c)
  .concat(['breakglass01@contoso.onmicrosoft.com', 'breakglass02@contoso.onmicrosoft.com']);
const but = (list: string[], ...out: string[]) => list.filter((a) => !out.map(c).includes(a));
/**
 * Who holds what changes during W47, and each event is decided as of its occurredAt: Isaiah
 * Langer's Global Administrator activation starts 2026-11-20 08:00 (evt-0018), Tomás García's
 * eligibility 2026-11-22 10:00. Before those instants they are not admins.
 */
const ADMINS_BEFORE_NOV_22 = but(ADMINS, 'tomas.garcia');
const ACTIVE_PRA_GA_BEFORE_NOV_20 = but(ACTIVE_PRA_GA, 'isaiah.langer');

/** The outbox of this test: what was sent, to whom (a local EmailSender adapter). */
let events: Map<string, PimEvent>;
let directory: SnapshotDirectory;

beforeAll(async () => {
  events = new Map(
    parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => [e.event.id, e.event]),
  );
  directory = new SnapshotDirectory((await loadSnapshot(fromPackageRoot('samples/contoso-directory.json'))).snapshot, {
    clock: { now: () => NOW },
  });
});

async function run(eventId: string | PimEvent, env: Record<string, string> = {}) {
  const sender = new RecordingTransport();
  const cs = storageConnectionString();
  const deps = {
    directory,
    transport: sender,
    activity: new TableActivityStore(TableClient.fromConnectionString(cs, uniqueTableName('Act'), { allowInsecureConnection: true })),
    ledger: new TableDeliveryLedger(TableClient.fromConnectionString(cs, uniqueTableName('Led'), { allowInsecureConnection: true })),
    registry: new TableEventRegistry(TableClient.fromConnectionString(cs, uniqueTableName('Reg'), { allowInsecureConnection: true })),
    settings: loadSettings(env),
    rateLimit: new MemoryRateLimit(systemClock),
    events: new MemoryEventsQueue(),
    confirmer: new UncheckedConfirmer('the snapshot directory holds no PIM requests to compare with', false),
    clock: systemClock,
    log: () => {},
  };
  const event = typeof eventId === 'string' ? events.get(eventId)! : eventId;
  const outcome = await notifyEvent(event, deps);
  const byAddress = Object.fromEntries(sender.sent.map((e) => [e.to.address.toLowerCase(), e.notification]));
  return { outcome, sender, byAddress, deps, event };
}

const all = (addresses: string[], notification: string) => Object.fromEntries(addresses.map((a) => [a, notification]));

describe('directory roles on the sample tenant', () => {
  it('pimEnabled: PRA, SA and GA, active and eligible, through nested groups and the cycle, each once; not the one who enabled it', async () => {
    const { byAddress, sender } = await run('evt-0002');
    expect(byAddress).toEqual(all(but(ADMINS_BEFORE_NOV_22, 'megan.bowen'), 'pimEnabled'));
    expect(sender.sent).toHaveLength(ADMINS_BEFORE_NOV_22.length - 1);
  });

  it('activation pending approval with explicit approvers (a user and a group): only the approvers', async () => {
    const { byAddress, sender } = await run('evt-0003');
    expect(byAddress).toEqual(all(['irvin.sayers', 'henrietta.mueller', 'lidia.holloway'].map(c), 'approvalRequest'));
    // The email says why, naming the group rather than its id.
    const henrietta = sender.sent.find((s) => s.to.address === c('henrietta.mueller'))!;
    expect(henrietta.text).toMatch(/approver through group Messaging Approvers/);
  });

  it('activation pending approval with no approvers: the active PRA and GA holders approve', async () => {
    expect((await run('evt-0007')).byAddress).toEqual(all(ACTIVE_PRA_GA_BEFORE_NOV_20, 'approvalRequest'));
  });

  it('an approval tells the requester and the other approvers, not the approver who acted', async () => {
    expect((await run('evt-0004')).byAddress).toEqual({
      [c('christie.cline')]: 'requestDecision',
      ...all(['henrietta.mueller', 'lidia.holloway'].map(c), 'requestDecisionAlert'),
    });
  });

  it('a denial by a PRA tells the requester and the other default approvers', async () => {
    expect((await run('evt-0008')).byAddress).toEqual({
      [c('nestor.wilke')]: 'requestDecision',
      ...all(but(ACTIVE_PRA_GA_BEFORE_NOV_20, 'megan.bowen'), 'requestDecisionAlert'),
    });
  });

  it('activation completed: admins get the alert, the requester the notice', async () => {
    expect((await run('evt-0005')).byAddress).toEqual({
      ...all(ADMINS_BEFORE_NOV_22, 'activationAlert'),
      [c('christie.cline')]: 'activationNotice',
    });
  });

  it('activation completed with the activation alert off (level None): only the requester', async () => {
    expect((await run('evt-0011')).byAddress).toEqual({ [c('enrico.cattaneo')]: 'activationNotice' });
  });

  it('an admin who activates gets the email written for them, not the admin alert about themselves', async () => {
    const { byAddress } = await run('evt-0018');
    expect(byAddress).toEqual({
      ...all(but(ADMINS_BEFORE_NOV_22, 'isaiah.langer'), 'activationAlert'),
      [c('isaiah.langer')]: 'activationNotice',
    });
  });

  it('Critical level on the eligible-assignment alert drops it; the assignee still hears', async () => {
    expect((await run('evt-0009')).byAddress).toEqual({ [c('henrietta.mueller')]: 'assignmentNotice' });
  });

  it('default recipients off keeps only the additional recipient', async () => {
    expect((await run('evt-0014')).byAddress).toEqual({ 'secops@contoso.com': 'assignmentAlert', [c('hannah.kim')]: 'assignmentNotice' });
  });

  it('made permanent: admins and the assignee', async () => {
    expect((await run('evt-0017')).byAddress).toEqual({
      ...all(ADMINS_BEFORE_NOV_22, 'assignmentAlert'),
      [c('lukas.schmidt')]: 'assignmentNotice',
    });
  });

  it('assigned outside PIM: the admins get the alert; a principal unknown to the directory gets nothing', async () => {
    const { byAddress, sender } = await run('evt-0023');
    expect(byAddress).toEqual(all(ADMINS_BEFORE_NOV_22, 'outsidePimAlert'));
    expect(sender.sent.every((s) => !/[\r\n]/.test(s.subject))).toBe(true);
  });

  it('expired: the assignee and the admins (RENEW); extended by an admin: the assignee and the other admins who can extend', async () => {
    expect((await run('evt-0012')).byAddress).toEqual({
      ...all(ADMINS_BEFORE_NOV_22, 'expiredAlert'),
      [c('cameron.white')]: 'expiredNotice',
    });
    expect((await run('evt-0024')).byAddress).toEqual({
      [c('alex.wilber')]: 'extendedNotice',
      ...all(but([...new Set([...PRA, ...GA])], 'megan.bowen', 'tomas.garcia'), 'extendedAlert'),
    });
  });
});

describe('Azure resource roles on the sample tenant', () => {
  it('the seed example: Owners and UAAs of the subscription (active, eligible, via group) and the assignee', async () => {
    const { byAddress, sender } = await run('evt-0013');
    // Miriam Graham made the assignment: she is not told about her own action.
    expect(byAddress).toEqual({
      ...all(but(PROD_SUB_ADMINS, 'miriam.graham'), 'assignmentAlert'),
      [c('alain.charon')]: 'assignmentNotice',
    });
    expect(sender.sent.find((s) => s.notification === 'assignmentAlert')?.subject).toBe(
      'PIM: Alain Charon was permanently assigned the Backup Reader role',
    );
  });

  it('pending approval: the explicit approvers are asked; the other admins of enclosing scopes are told; never the requester', async () => {
    expect((await run('evt-0015')).byAddress).toEqual({
      ...all(but(RG_PROD_DATA_ADMINS, 'raul.razo', 'miriam.graham'), 'pendingApprovalAlert'),
      ...all(['miriam.graham', 'nina.hoffmann'].map(c), 'approvalRequest'),
    });
  });

  it('extension pending approval: the admins who can extend, never the requester', async () => {
    expect((await run('evt-0021')).byAddress).toEqual(all(but(RG_PROD_DATA_ADMINS, 'lidia.holloway'), 'extensionApprovalRequest'));
  });

  it('expiring soon and eligible to extend: admins and the assignee', async () => {
    const soon = (await run('evt-0019')).byAddress;
    expect(soon[c('lidia.holloway')]).toBe('expiryReminder');
    expect(
      Object.entries(soon)
        .filter(([, n]) => n === 'expiryAlert')
        .map(([a]) => a)
        .sort(),
    ).toEqual(RG_PROD_DATA_ADMINS.filter((a) => a !== c('lidia.holloway')).sort());
    const window = (await run('evt-0020')).byAddress;
    expect(window[c('lidia.holloway')]).toBe('extendWindowNotice');
  });

  it('renewed: the admins and the requester; canceled: the approvers and admins are told, not the requester', async () => {
    const renewed = (await run('evt-0025')).byAddress;
    expect(renewed).toEqual({
      ...all(['allan.deyoung', 'christie.cline', 'diego.siciliani', 'isaiah.langer'].map(c), 'renewalAlert'),
      [c('olivia.martin')]: 'renewedNotice',
    });
    const canceled = (await run('evt-0016')).byAddress;
    expect(Object.keys(canceled).sort()).toEqual([...RG_PROD_DATA_ADMINS.filter((a) => a !== c('raul.razo')), c('nina.hoffmann')].sort());
  });
});

describe('settings and delivery', () => {
  it('refuses an event of another tenant as invalid: no email, no count', async () => {
    const other = { ...events.get('evt-0005')!, tenantId: '11111111-2222-4333-8444-555555555555' };
    const { outcome, sender } = await run(other);
    expect(outcome.kind).toBe('invalid');
    if (outcome.kind === 'invalid')
      expect(outcome.error.message).toMatch(/^event evt-0005 is invalid: tenantId: is not the tenant this deployment serves/);
    expect(sender.sent).toHaveLength(0);
  });

  it('RECIPIENT_MODEL=microsoft-current narrows directory admins to active holders', async () => {
    const active = ['megan.bowen', 'isaiah.langer', 'patti.fernandez', 'alex.wilber', 'omar.haddad']
      .map(c)
      .concat(['breakglass01@contoso.onmicrosoft.com', 'breakglass02@contoso.onmicrosoft.com']);
    // evt-0023 (2026-11-20 16:30): after Isaiah's, Patti's and Omar's activations began.
    expect(Object.keys((await run('evt-0023', { RECIPIENT_MODEL: 'microsoft-current' })).byAddress).sort()).toEqual(active.sort());
  });

  it('the cap keeps the first recipients in a stable order', async () => {
    const { byAddress, outcome } = await run('evt-0002', { MAX_RECIPIENTS_PER_EVENT: '3' });
    expect(Object.keys(byAddress)).toEqual(but(ADMINS_BEFORE_NOV_22, 'megan.bowen').sort().slice(0, 3));
    expect(outcome).toMatchObject({ kind: 'done', sent: 3 });
  });

  it('the same event twice sends each email once and records the activity once', async () => {
    const first = await run('evt-0005');
    const again = await notifyEvent(first.event, first.deps);
    expect(first.outcome).toMatchObject({ kind: 'done', activity: 'recorded', alreadySent: 0 });
    expect(again).toMatchObject({ kind: 'done', sent: 0, alreadySent: first.sender.sent.length, activity: 'duplicate' });
    expect(first.sender.sent).toHaveLength(Object.keys(first.byAddress).length);
  });
});

describe('PIM for Groups on the sample tenant', () => {
  const OWNERS = ['diego.siciliani', 'omar.haddad'].map(c);

  it('an eligible member assigned: the permanent owners (not the activated eligible owner, not Diego who assigned) and the member', async () => {
    const { byAddress, sender } = await run('evt-0030');
    expect(byAddress).toEqual({ [c('omar.haddad')]: 'groupAssignmentAlert', [c('lukas.schmidt')]: 'groupAssignmentNotice' });
    expect(sender.sent.find((s) => s.notification === 'groupAssignmentAlert')?.subject).toBe(
      'PIM: Lukas Schmidt was made an eligible member of the group SOC Tier 2 until Sat 5 Dec 2026',
    );
  });

  it('activation pending approval: the named approver is asked, the owners only told; with no approvers, nobody is asked', async () => {
    expect((await run('evt-0031')).byAddress).toEqual({
      [c('irvin.sayers')]: 'groupApprovalRequest',
      ...all(OWNERS, 'groupPendingApprovalAlert'),
    });
    expect((await run('evt-0035')).byAddress).toEqual({ [c('megan.bowen')]: 'groupPendingApprovalAlert' });
  });

  it('an extension request: the owners are asked; its denial tells the requester and the other owner, not Omar who denied it', async () => {
    expect((await run('evt-0038')).byAddress).toEqual(all(OWNERS, 'groupExtensionApprovalRequest'));
    expect((await run('evt-0048')).byAddress).toEqual({
      [c('lukas.schmidt')]: 'groupExtensionDeniedNotice',
      [c('diego.siciliani')]: 'groupExtensionDeniedAlert',
    });
  });

  it("an eligible owner assigned: the owner policy's None keeps the assignee's notice back", async () => {
    // Omar assigned it: nobody is told about their own action.
    expect((await run('evt-0034')).byAddress).toEqual({ [c('diego.siciliani')]: 'groupAssignmentAlert' });
  });
});
