// npm runs `prepare` after `npm ci` / `npm install` in a checkout: build there, so `npx pim-notify`
// works at once. A production-only install (`npm ci --omit=dev`) has no TypeScript and needs no
// build (what ships is built before staging, see docs/deploy.md), so it skips instead of failing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

try {
  createRequire(import.meta.url).resolve('typescript/package.json');
} catch {
  console.log('prepare: no devDependencies installed (npm ci --omit=dev): skipping the build');
  process.exit(0);
}
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
  : spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
process.exit(result.status ?? 1);
