/**
 * The inputs simulate and digest share: a snapshot (warnings to stderr; unusable → null, the
 * command exits 1) and an event file (bad entries to stderr by line; unreadable → null).
 */
import { loadSnapshot } from '../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../shared/directory/snapshotDirectory.js';
import { readEventFile, type EventFileResult } from '../../dev/eventFile.js';

export async function openSnapshot(command: string, file: string): Promise<SnapshotDirectory | null> {
  try {
    const { snapshot, warnings } = await loadSnapshot(file);
    for (const w of warnings) console.error(`warning: ${w}`);
    return new SnapshotDirectory(snapshot);
  } catch (e) {
    console.error(`pim-notify ${command}: cannot use the snapshot ${file}: ${(e as Error).message}`);
    return null;
  }
}

export async function openEvents(command: string, file: string): Promise<EventFileResult | null> {
  let result: EventFileResult;
  try {
    result = await readEventFile(file);
  } catch (e) {
    console.error(`pim-notify ${command}: cannot read ${file}: ${(e as Error).message}`);
    return null;
  }
  for (const bad of result.invalid) console.error(`${file}:${bad.line}: ${bad.error.message}`);
  for (const dup of result.duplicates) console.error(`${file}:${dup.line}: event ${dup.eventId} seen before; used once`);
  return result;
}
