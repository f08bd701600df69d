/**
 * `pim-notify`: thin commands over the same code the Azure Functions run
 * (docs/cli.md). Each command lives in bin/commands/ and returns its exit status.
 */
import { SettingsError } from '../shared/settings/settings.js';
import { UsageError } from './commands/args.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: { summary: 'run the function app locally (Azurite, sample directory, outbox/) until stopped', load: async () => (await import('./commands/start.js')).start },
  send: { summary: 'send FILE: put the events of FILE on the pim-events queue', load: async () => (await import('./commands/send.js')).send },
  functions: { summary: 'list the functions the app registers, as the host sees them', load: async () => (await import('./commands/functions.js')).functions },
  simulate: { summary: '--directory SNAPSHOT --events FILE [--out DIR]: the emails each event would cause', load: async () => (await import('./commands/simulate.js')).simulate },
  digest: { summary: '--directory SNAPSHOT --activity FILE --week YYYY-Www [--out DIR]: the weekly digest emails', load: async () => (await import('./commands/digest.js')).digest },
  preview: { summary: '--out DIR [--no-png]: every email rendered with sample data to .html and .png, with an index.html', load: async () => (await import('./commands/preview.js')).preview },
  'export-directory': { summary: '--out FILE [--subscription GUID]...: a directory snapshot of a real tenant (Graph + ARM)', load: async () => (await import('./commands/exportDirectory.js')).exportDirectory },
  redrive: { summary: 're-queue messages from pim-events-poison once fixed [--dry-run] [--all]', load: async () => (await import('./commands/redrive.js')).redrive },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    if (name && name !== 'help' && name !== '--help' && name !== '-h') console.error(`pim-notify: unknown command "${name}"`);
    console.error('usage: pim-notify <command> [options]\n');
    for (const [n, c] of Object.entries(COMMANDS)) console.error(`  ${n.padEnd(16)} ${c.summary}`);
    return name ? 1 : 0;
  }
  try {
    return await (await command.load())(args);
  } catch (e) {
    if (e instanceof SettingsError || e instanceof UsageError) {
      console.error(`pim-notify ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

