/** Option parsing shared by the commands (node:util parseArgs), with --help and usage errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandHelp } from './help.js';

/**
 * A wrong or missing option: the CLI prints it with the usage. `status` 2 for what the
 * parser refuses (an unknown flag, a flag without its value, a stray argument), 1 for an
 * option that is missing or has a bad value (docs/cli.md).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly status: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** `--help` or `-h` anywhere before `--`: the CLI prints the command's help, exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly help: CommandHelp) {
    super(help.usage);
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, help: CommandHelp) {
  const end = args.indexOf('--');
  if ((end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h')) throw new HelpRequested(help);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${help.usage}`, 2);
  }
  const extra = parsed.positionals.slice(help.positionals ?? 0);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'\nusage: ${help.usage}`, 2);
  return parsed;
}

export function required(value: string | boolean | undefined | (string | boolean)[], flag: string, help: CommandHelp): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required\nusage: ${help.usage}`);
  return value;
}
