/**
 * Decisions about an event are taken at the event's time where the data allows it: the snapshot
 * directory keeps each schedule's window, so who held a role is asked as of occurredAt, whatever
 * the app's clock says. The app's clock is pinned far past the schedules here.
 */
import { describe, expect, it } from 'vitest';
import { ROLE } from '../../shared/directory/roleDirectory.js';
import { parseSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { parseEvent } from '../../shared/events/parse.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { pinnedClock } from '../../shared/time/clock.js';
import { parseIsoWeek } from '../../shared/time/isoWeek.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import { planDigest } from '../../shared/usecases/weeklyDigest.js';
import { MemoryActivityStore } from '../../dev/doubles/memoryActivityStore.js';

const TENANT = '7d3f6a2e-4b1c-4e8f-9a6d-2c5b8e1f0a37';
const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';
const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The app's clock: long after every schedule below has ended. */
const APP_NOW = '2031-06-01T00:00:00Z';

// User 1: eligible Privileged Role Administrator from March 1 to March 20 (then the eligibility ended).
// User 2: Global Administrator, permanent. User 3: the Exchange Administrator who activates.
const directory = new SnapshotDirectory(
  parseSnapshot({
    tenant: { id: TENANT, displayName: 'Contoso', pimEnabled: true },
    users: [1, 2, 3].map((n) => ({
      id: uid(n),
      displayName: `User ${n}`,
      mail: `u${n}@contoso.com`,
      userPrincipalName: `u${n}@contoso.com`,
      otherMails: [],
    })),
    groups: [],
    roleDefinitions: [
      { id: ROLE.globalAdministrator, displayName: 'Global Administrator' },
      { id: ROLE.privilegedRoleAdministrator, displayName: 'Privileged Role Administrator' },
      { id: EXCHANGE_ADMIN, displayName: 'Exchange Administrator' },
    ],
    roleAssignments: [
      { principalId: uid(2), roleDefinitionId: ROLE.globalAdministrator, directoryScopeId: '/', assignmentType: 'Assigned' },
    ],
    roleEligibilities: [
      {
        principalId: uid(1),
        roleDefinitionId: ROLE.privilegedRoleAdministrator,
        directoryScopeId: '/',
        startDateTime: '2026-03-01T00:00:00Z',
        endDateTime: '2026-03-20T00:00:00Z',
      },
      { principalId: uid(3), roleDefinitionId: EXCHANGE_ADMIN, directoryScopeId: '/' },
    ],
    roleManagementPolicies: [],
    azureResources: [],
  }).snapshot,
  { clock: pinnedClock(APP_NOW) },
);

function activation(occurredAt: string) {
  const parsed = parseEvent({
    id: `evt-${occurredAt}`,
    type: 'activationCompleted',
    tenantId: TENANT,
    occurredAt,
    scope: { kind: 'directory', id: '/' },
    role: { id: EXCHANGE_ADMIN },
    principal: { id: uid(3), type: 'user' },
    assignment: {
      state: 'active',
      permanent: false,
      startDateTime: occurredAt,
      endDateTime: new Date(Date.parse(occurredAt) + 8 * 3_600_000).toISOString(),
    },
  });
  if (parsed.kind === 'invalid') throw parsed.error;
  return parsed.event;
}

async function recipientsOf(occurredAt: string): Promise<string[]> {
  const plan = await planNotifications(activation(occurredAt), directory, loadSettings({ RECIPIENT_MODEL: 'seed-2019' }));
  return [...new Set(plan.decision.recipients.map((r) => r.address))].sort();
}

describe('decisions at the event time', () => {
  it('counts an eligibility that ended after the event, but long before the app clock, as held at the event', async () => {
    // At the app's clock user 1 holds nothing any more…
    expect((await directory.directoryRoleHolders(ROLE.privilegedRoleAdministrator)).map((h) => h.id)).toEqual([]);
    // …but an event of March 10 is decided as of March 10: user 1 was an eligible PRA then.
    expect(await recipientsOf('2026-03-10T09:00:00Z')).toEqual(['u1@contoso.com', 'u2@contoso.com', 'u3@contoso.com']);
  });

  it('leaves out a holder whose window had not started or had ended at the event', async () => {
    expect(await recipientsOf('2026-02-27T09:00:00Z')).toEqual(['u2@contoso.com', 'u3@contoso.com']);
    expect(await recipientsOf('2026-03-20T00:00:00Z')).toEqual(['u2@contoso.com', 'u3@contoso.com']);
  });

  it('gives the same answer whatever the app clock says', async () => {
    const other = directory.asOf(new Date('1999-01-01T00:00:00Z'));
    expect(await other.directoryRoleHolders(ROLE.privilegedRoleAdministrator)).toEqual([]);
    const again = await planNotifications(activation('2026-03-10T09:00:00Z'), other, loadSettings({ RECIPIENT_MODEL: 'seed-2019' }));
    expect([...new Set(again.decision.recipients.map((r) => r.address))].sort()).toEqual([
      'u1@contoso.com',
      'u2@contoso.com',
      'u3@contoso.com',
    ]);
  });

  it('sends a week’s digest to the admins as the week ended, not as they are now', async () => {
    const settings = loadSettings({ RECIPIENT_MODEL: 'seed-2019' });
    const digest = (week: string) => planDigest(parseIsoWeek(week), { directory, activity: new MemoryActivityStore(), settings });
    // 2026-W11 ends Monday March 16: user 1 still eligible; 2026-W12 ends March 23: no longer.
    expect((await digest('2026-W11')).emails.map((e) => e.email.to.address).sort()).toEqual(['u1@contoso.com', 'u2@contoso.com']);
    expect((await digest('2026-W12')).emails.map((e) => e.email.to.address).sort()).toEqual(['u2@contoso.com']);
  });
});
