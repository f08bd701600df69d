/** pim-notify functions: the registrations, one JSON object per line, as the host sees them. */
import { describeFunctions, loadFunctionApp } from '../../dev/host/index.js';
import { appEntryFiles } from './appEntries.js';
import { parse } from './args.js';
import { HELP } from './help.js';

export async function functions(args: string[] = []): Promise<number> {
  parse(args, {}, HELP.functions);
  for (const f of describeFunctions(await loadFunctionApp(await appEntryFiles()))) {
    process.stdout.write(JSON.stringify(f) + '\n');
  }
  return 0;
}
