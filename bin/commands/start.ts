/**
 * pim-notify start [--once]: runs the function app on this machine with the host's
 * semantics (dev/host). With nothing configured it runs on the embedded defaults:
 * Azurite from node_modules (data in .azurite/), the sample directory, emails as .eml
 * files in outbox/, and the bundled sample events enqueued so there is something to see.
 * --once stops when all work is done, however long that takes (CI, demos, a backlog), with
 * progress on the way; without it the app runs until Ctrl+C, whatever the queues hold.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseEventsText } from '../../dev/eventFile.js';
import { loadFunctionApp, startLocalHost } from '../../dev/host/index.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { SETTINGS, hostEnvironment, loadSettings, type Settings } from '../../shared/settings/settings.js';
import { EVENTS_QUEUE, encodeMessage, queueClient } from '../../shared/queues/queues.js';
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
    const which = azurite.reused ? 'the Azurite (storage emulator) an earlier start left running,' : 'Azurite (storage emulator)';
    console.log(`Using ${which} on 127.0.0.1:${azurite.ports.queue} (queues), :${azurite.ports.table} (tables); data in .azurite/`);
  }
  const functions = await loadFunctionApp(await appEntryFiles());
  let emailsSent = 0;
  const host = await startLocalHost({
    functions,
    storageConnectionString: settings.AzureWebJobsStorage!,
    env: hostEnvironment(),
    log: (line) => {
      emailsSent += Number(/(?:^|\] )event \S+: (\d+) sent/.exec(line)?.[1] ?? 0);
      console.log(line);
    },
  });
  console.log(
    `Running ${functions.map((f) => f.name).join(', ')}. Directory: ${settings.DIRECTORY_SOURCE === 'snapshot' ? settings.DIRECTORY_SNAPSHOT_PATH : 'Microsoft Graph'}; email: ${settings.EMAIL_TRANSPORT === 'outbox' ? `.eml files in ${settings.OUTBOX_DIR}/` : 'Azure Communication Services'}.`,
  );

  if (embedded && settings.DIRECTORY_SNAPSHOT_PATH === SETTINGS.DIRECTORY_SNAPSHOT_PATH.default) {
    const { events } = parseEventsText(await readFile(fromPackageRoot(SAMPLE_EVENTS), 'utf8'));
    const queue = queueClient({ connectionString: settings.AzureWebJobsStorage }, EVENTS_QUEUE);
    await queue.createIfNotExists();
    for (const { event } of events) await queue.sendMessage(encodeMessage(event));
    console.log(`Enqueued the ${events.length} sample events of ${SAMPLE_EVENTS} (already-sent emails are not sent again).`);
  }

  const stop = async () => {
    await host.stop();
    await azurite?.stop();
  };
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Work never ends the long-running app: the first idle moment is only reported (and
  // fires --fire timers); --once waits for it however long the backlog takes.
  const firstIdle = (async () => {
    await host.waitForIdle({
      timeoutMs: Infinity,
      onProgress: ({ queued, inFlight, stats }) =>
        console.log(
          `Working: ${queued} message(s) queued (in flight or awaiting a retry included), ${inFlight} in flight, ${stats.invocations} processed, ${emailsSent} email(s) sent.`,
        ),
    });
    // Fire timers now (e.g. --fire weeklyDigest) instead of waiting for their schedule.
    for (const name of values.fire ?? []) {
      console.log(`Firing ${name} now.`);
      await host.runTimer(name);
    }
    await reportIdle(settings, emailsSent);
  })();
  if (values.once) {
    await Promise.race([firstIdle, stopped]);
    await stop();
    return 0;
  }
  console.log('Waiting for events (pim-notify send FILE from another terminal). Ctrl+C stops.');
  firstIdle.catch((e: unknown) => console.error(`pim-notify start: ${e instanceof Error ? e.message : String(e)}`));
  await stopped;
  await stop();
  return 0;
}

async function reportIdle(settings: Settings, emailsSent: number): Promise<void> {
  if (settings.EMAIL_TRANSPORT !== 'outbox') {
    console.log(`Idle. ${emailsSent} email(s) sent.`);
    return;
  }
  const dir = fromPackageRoot(settings.OUTBOX_DIR);
  const count = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.eml')).length;
  console.log(
    `Idle. ${emailsSent} email(s) sent by this run; ${count} in ${path.relative(process.cwd(), dir) || dir}/ — open them with any mail client.`,
  );
}
