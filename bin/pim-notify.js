#!/usr/bin/env node
// The `pim-notify` command: a shim over the compiled CLI (npm ci runs `prepare`, which builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/bin/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('pim-notify: the app is not built yet. Run `npm run build` (npm ci does it for you).');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
