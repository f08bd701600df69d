/**
 * pim-notify export-directory --out FILE [--subscription GUID]...
 * Builds a directory snapshot (docs/directory-snapshot.md) from a real tenant through
 * the same Graph and ARM code the app uses, so `simulate` can answer "who would get what"
 * for that tenant offline. Signs in with DefaultAzureCredential (az login, a managed
 * identity...), which needs the read permissions listed in docs/deploy.md.
 */
import { writeFile } from 'node:fs/promises';
import { exportDirectorySnapshot } from '../../dev/export/exportSnapshot.js';
import type { GraphDirectory } from '../../shared/directory/graphDirectory.js';
import { createGraphDirectory } from '../../shared/composition/services.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { parse, required } from './args.js';
import { HELP } from './help.js';

const USAGE = HELP['export-directory'];

export async function exportDirectory(args: string[], overrides: { directory?: GraphDirectory } = {}): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' }, subscription: { type: 'string', multiple: true } }, USAGE);
  const out = required(values.out, '--out', USAGE);
  const settings = loadSettings();
  const subscriptionIds = values.subscription?.length ? values.subscription : settings.AZURE_SUBSCRIPTION_IDS;
  const directory = overrides.directory ?? (await createGraphDirectory(settings));
  const snapshot = await exportDirectorySnapshot(directory, { subscriptionIds });
  await writeFile(out, JSON.stringify(snapshot, null, 2) + '\n');
  const counts = snapshot as { users?: unknown[]; groups?: unknown[]; azureResources?: unknown[] };
  console.log(
    `wrote ${out}: ${counts.users?.length ?? 0} users, ${counts.groups?.length ?? 0} groups, ${counts.azureResources?.length ?? 0} Azure scopes`,
  );
  return 0;
}
