/** The sample tenant served by the local Graph/ARM reads the same through GraphDirectory as through SnapshotDirectory. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import { ROLE } from '../../../shared/directory/roleDirectory.js';
import type { TenantData } from '../../support/fakeGraph.js';
import { startHarness, type Harness } from '../../support/graphHarness.js';
import { sampleClock, sampleWorld } from '../../support/clock.js';

let h: Harness;
let offline: SnapshotDirectory;
beforeAll(async () => {
  const raw = JSON.parse(await readFile(new URL('../../../samples/contoso-directory.json', import.meta.url), 'utf8')) as TenantData;
  offline = new SnapshotDirectory(parseSnapshot(raw).snapshot, { clock: sampleClock });
  h = await startHarness(raw, { server: { ...sampleWorld, pageSize: 3 } });
});
afterAll(() => h.stop());

test.each([ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.securityAdministrator])(
  'holders of %s match the offline directory',
  async (role) => {
    const key = (x: { id: string; state: string; address: string | null }) => `${x.id}:${x.state}:${x.address}`;
    expect((await h.directory.directoryRoleHolders(role)).map(key).sort()).toEqual(
      (await offline.directoryRoleHolders(role)).map(key).sort(),
    );
  },
);

test('top roles match the offline directory', async () => {
  expect(await h.directory.topDirectoryRoles(5)).toEqual(await offline.topDirectoryRoles(5));
});
