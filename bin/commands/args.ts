/** Option parsing shared by the commands (node:util parseArgs with a clear usage error). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A wrong or missing option: the CLI prints it with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
}

export function required(value: string | boolean | undefined | (string | boolean)[], flag: string, usage: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} is required\nusage: ${usage}`);
  return value;
}
