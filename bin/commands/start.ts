/**
 * pim-notify start [--once]: runs the function app on this machine with the host's
 * semantics (dev/host). With nothing configured it runs on the embedded defaults:
 * Azurite from node_modules (data in .azurite/), the sample directory, emails as .eml
 * files in outbox/, and the bundled sample events enqueued so there is something to see.
 * --once stops when the queues are idle (CI, demos).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEventsText } from '../../dev/eventFile.js';
import { loadFunctionApp, startLocalHost } from '../../dev/host/index.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { SETTINGS, hostEnvironment, loadSettings } from '../../shared/settings/settings.js';
import { EVENTS_QUEUE, encodeMessage, queueClient } from '../../shared/storage/queues.js';
import { parse } from './args.js';
import { HELP } from './help.js';
import { appEntryFiles } from './appEntries.js';
import { startLocalAzurite } from './localStorage.js';
import { storageConfigured } from '../../shared/composition/services.js';

const SAMPLE_EVENTS = 'samples/events.jsonl';

export async function start(args: string[]): Promise<number> {
  const { values } = parse(args, { once: { type: 'boolean' }, fire: { type: 'string', multiple: true } }, HELP.start);
  let settings = loadSettings();
  const embedded = !storageConfigured(settings);
  const azurite = embedded ? await startLocalAzurite() : undefined;
  if (azurite) {
    // The functions read storage from the same app setting the host binds the queue with.
    process.env['AzureWebJobsStorage'] = azurite.connectionString;
    settings = loadSettings();
    console.log(`Azurite (storage emulator) on 127.0.0.1:${azurite.ports.queue} (queues), :${azurite.ports.table} (tables); data in .azurite/`);
  }
  const functions = await loadFunctionApp(await appEntryFiles());
  const host = await startLocalHost({
    functions,
    storageConnectionString: settings.AzureWebJobsStorage!,
    env: hostEnvironment(),
    log: (line) => console.log(line),
  });
  console.log(`Running ${functions.map((f) => f.name).join(', ')}. Directory: ${settings.DIRECTORY_SOURCE === 'snapshot' ? settings.DIRECTORY_SNAPSHOT_PATH : 'Microsoft Graph'}; email: ${settings.EMAIL_TRANSPORT === 'outbox' ? `.eml files in ${settings.OUTBOX_DIR}/` : 'Azure Communication Services'}.`);

  if (embedded && settings.DIRECTORY_SNAPSHOT_PATH === SETTINGS.DIRECTORY_SNAPSHOT_PATH.default) {
    const { events } = parseEventsText(await readFile(fromPackageRoot(SAMPLE_EVENTS), 'utf8'));
    const queue = queueClient({ connectionString: settings.AzureWebJobsStorage }, EVENTS_QUEUE);
    await queue.createIfNotExists();
    for (const { event } of events) await queue.sendMessage(encodeMessage(event));
    console.log(`Enqueued the ${events.length} sample events of ${SAMPLE_EVENTS} (already-sent emails are not sent again).`);
  }

  await host.waitForIdle({ timeoutMs: 120_000 });
  // Fire timers now (e.g. --fire weeklyDigest) instead of waiting for their schedule.
  for (const name of values.fire ?? []) {
    console.log(`Firing ${name} now.`);
    await host.runTimer(name);
  }
  if (settings.EMAIL_TRANSPORT === 'outbox') {
    const dir = fromPackageRoot(settings.OUTBOX_DIR);
    const count = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml')).length;
    console.log(`Idle. ${count} email(s) in ${path.relative(process.cwd(), dir) || dir}/ — open them with any mail client.`);
  }

  const stop = async () => {
    await host.stop();
    await azurite?.stop();
  };
  if (values.once) {
    await stop();
    return 0;
  }
  console.log('Waiting for events (pim-notify send FILE from another terminal). Ctrl+C stops.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  return 0;
}
