/**
 * Issue 25 beyond PIM for Groups' own matrix: an expiry tells the admins of every kind of
 * access; the admin who acted is never told about their own action, in every kind of access,
 * whatever the case of the ids and even when they are an admin through a group; and a
 * time-bound active owner counts as a permanent owner while the assignment lasts
 * (docs/groups.md says why).
 */
import { describe, expect, it } from 'vitest';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { parseSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { BACKUP_READER, SUB, directoryOf, event, gid, pairs, sorted, uid, whoGetsWhat } from '../support/recipientTenant.js';
import { G, NOW, TENANT_ID, U, addressOf, hospitalTenant } from '../support/hospitalTenant.js';

const user = (n: number) => ({ id: uid(n), type: 'user' });
const expiring = { state: 'active', permanent: false, endDateTime: '2026-12-01T06:00:00Z' };
const extended = { state: 'eligible', permanent: false, endDateTime: '2027-06-01T00:00:00Z' };

// Users 2 and 3 are Global Administrators through the group Tier 0 (nested in Tier 0 admins);
// user 4 is a Privileged Role Administrator. On the subscription: user 5 Owner, users 6 and 7
// Owners through a group, user 8 an eligible User Access Administrator.
const tenant = () =>
  directoryOf({
    users: 9,
    groups: [
      { n: 1, name: 'Tier 0 admins', members: [gid(2)] },
      { n: 2, name: 'Tier 0', members: [uid(2), uid(3)] },
      { n: 3, name: 'Subscription owners', members: [uid(6), uid(7)] },
    ],
    directory: { [ROLE.globalAdministrator]: [{ id: gid(1) }], [ROLE.privilegedRoleAdministrator]: [{ id: uid(4) }] },
    azure: [
      {
        id: SUB,
        holdings: [
          { id: uid(5), roleDefinitionId: ROLE.owner },
          { id: gid(3), roleDefinitionId: ROLE.owner },
          { id: uid(8), roleDefinitionId: ROLE.userAccessAdministrator, state: 'eligible' },
          { id: uid(1), roleDefinitionId: 'acdd72a7-3385-48ef-bd42-f606fba81ae7' },
        ],
      },
    ],
  });
const azure = { scope: { kind: 'azureResource', id: SUB }, role: { id: BACKUP_READER } };

describe('an assignment expires', () => {
  it('an Azure Reader: the Owners (direct, through a group) and User Access Administrators of the subscription, and the user', async () => {
    const { pairs: got } = await whoGetsWhat(tenant(), event({ type: 'roleExpired', ...azure, principal: user(1), assignment: expiring }));
    expect(got).toEqual(sorted(pairs('expiredNotice', 1), pairs('expiredAlert', 5, 6, 7, 8)));
  });

  it('a directory role: the Privileged Role, Security and Global Administrators, and the user', async () => {
    const { pairs: got } = await whoGetsWhat(tenant(), event({ type: 'roleExpired', principal: user(1), assignment: expiring }));
    expect(got).toEqual(sorted(pairs('expiredNotice', 1), pairs('expiredAlert', 2, 3, 4)));
  });
});

describe('the admin who acted is not "the other admin"', () => {
  it('a Global Administrator through nested groups who extended, named in upper case', async () => {
    const e = event({ type: 'roleExtended', principal: user(1), actor: { id: uid(2).toUpperCase() }, assignment: extended });
    const got = await whoGetsWhat(tenant(), e);
    expect(got.pairs).toEqual(sorted(pairs('extendedNotice', 1), pairs('extendedAlert', 3, 4)));
  });

  it('an Owner through a group who approved a renewal, named in upper case', async () => {
    const e = event({
      type: 'roleRenewed',
      ...azure,
      principal: user(1),
      actor: { id: uid(7).toUpperCase() },
      assignment: extended,
      request: { action: 'selfRenew' },
    });
    const got = await whoGetsWhat(tenant(), e);
    expect(got.pairs).toEqual(sorted(pairs('renewedNotice', 1), pairs('renewalAlert', 5, 6, 8)));
    expect(got.plan.emails.find((m) => m.recipient.notification === 'renewalAlert')!.email.subject).toBe(
      "PIM: User 1's Backup Reader role was renewed",
    );
    // request.action selfRenew: the requester reads that their request was approved, and by whom.
    expect(got.plan.emails.find((m) => m.recipient.notification === 'renewedNotice')!.email.text).toMatch(
      /Your request to renew your eligible assignment to the Backup Reader role .*was approved by User 7/,
    );
  });

  it('a group owner who denied, named in upper case in the event and in the directory', async () => {
    const dir = new SnapshotDirectory(parseSnapshot(hospitalTenant()).snapshot, { clock: { now: () => NOW } });
    const got = await whoGetsWhat(
      dir,
      event({
        tenantId: TENANT_ID,
        type: 'assignmentRequestDenied',
        scope: { kind: 'group', id: G.icu.toUpperCase(), accessId: 'owner' },
        role: undefined,
        principal: { id: U.mia },
        actor: { id: U.olivia.toUpperCase() },
        assignment: extended,
      }),
    );
    expect(got.pairs).toEqual(
      [
        `${addressOf('mia')} groupExtensionDeniedNotice`,
        ...['omar', 'oscar'].map((p) => `${addressOf(p as 'omar')} groupExtensionDeniedAlert`),
      ].sort(),
    );
  });
});

describe('a time-bound active owner', () => {
  const dir = () => new SnapshotDirectory(parseSnapshot(hospitalTenant()).snapshot, { clock: { now: () => NOW } });
  const expired = (occurredAt: string) =>
    event({
      tenantId: TENANT_ID,
      occurredAt,
      type: 'roleExpired',
      scope: { kind: 'group', id: G.icu, accessId: 'member' },
      role: undefined,
      principal: { id: U.max },
      assignment: { state: 'active', permanent: false, endDateTime: occurredAt },
    });

  it('is one of the group\'s administrators ("permanent owners") until the assignment ends, and not after', async () => {
    const during = await whoGetsWhat(dir(), expired('2026-12-31T00:00:00Z'));
    expect(during.pairs).toContain(`${addressOf('omar')} groupExpiredAlert`);
    expect(await dir().groupOwners(G.icu)).toContainEqual(expect.objectContaining({ id: U.omar, state: 'active' }));
    const after = await whoGetsWhat(dir(), expired('2027-04-01T00:00:00Z'));
    expect(after.pairs.join(' ')).not.toContain(addressOf('omar'));
    expect(after.pairs).toContain(`${addressOf('olivia')} groupExpiredAlert`);
  });
});
