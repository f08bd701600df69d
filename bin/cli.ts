/**
 * `pim-notify`: thin commands over the same code the Azure Functions run (docs/cli.md).
 * Each command lives in bin/commands/ and returns its exit status; what each accepts is
 * written once in bin/commands/help.ts. `--help`/`-h` answer on stdout with exit 0; a wrong
 * flag or command exits 2 with the usage on stderr.
 */
import { readFile } from 'node:fs/promises';
import { fromPackageRoot } from '../shared/packageRoot.js';
import { SettingsError } from '../shared/settings/settings.js';
import { HelpRequested, UsageError } from './commands/args.js';
import { HELP, commandHelp, mainHelp, type CommandName } from './commands/help.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.js')).start,
  send: async () => (await import('./commands/send.js')).send,
  functions: async () => (await import('./commands/functions.js')).functions,
  simulate: async () => (await import('./commands/simulate.js')).simulate,
  digest: async () => (await import('./commands/digest.js')).digest,
  preview: async () => (await import('./commands/preview.js')).preview,
  'export-directory': async () => (await import('./commands/exportDirectory.js')).exportDirectory,
  redrive: async () => (await import('./commands/redrive.js')).redrive,
  doctor: async () => (await import('./commands/doctor.js')).doctor,
  trail: async () => (await import('./commands/trail.js')).trail,
};

function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h') return print(mainHelp());
  if (name === 'help') {
    const topic = args[0];
    if (topic === undefined) return print(mainHelp());
    if (isCommand(topic)) return print(commandHelp(HELP[topic]));
    return usageError(`unknown command "${topic}"`);
  }
  if (name === '--version' || name === '-v') return print(await version());
  if (!isCommand(name))
    return usageError(
      name === undefined ? 'a command is required' : name.startsWith('-') ? `unknown option '${name}'` : `unknown command "${name}"`,
    );
  try {
    return await (
      await COMMANDS[name]()
    )(args);
  } catch (e) {
    if (e instanceof HelpRequested) return print(commandHelp(e.help));
    if (e instanceof UsageError) {
      console.error(`pim-notify ${name}: ${e.message}`);
      return e.status;
    }
    if (e instanceof SettingsError) {
      console.error(`pim-notify ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function print(text: string): number {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  return 0;
}

function usageError(message: string): number {
  console.error(`pim-notify: ${message}\n`);
  console.error(mainHelp());
  return 2;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(fromPackageRoot('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
