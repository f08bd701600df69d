/**
 * `npm run deploy:package` (azure.yaml's prepackage hook runs it after `npm ci && npm run build`):
 * stages the folder azd zips for the Function App, `.deploy/` (azure.yaml `dist`), holding only
 * what the host runs: host.json, package.json, the compiled functions and shared code, and the
 * production dependencies (`npm ci --omit=dev` from the same lockfile). azd then zips it minus
 * what `.funcignore` excludes. Development code (dev/, bin/, bench/, scripts/, test/) never
 * enters it; the import boundaries (.dependency-cruiser.cjs) keep shipped code from needing it.
 *
 * test/scripts/deployPackage.test.ts runs this on a copy of the project and checks what would ship.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ignore from 'ignore';
import { packageRoot } from '../shared/packageRoot.js';

/** The staged folder, relative to the project; azure.yaml's service `dist` names it too. */
export const DEPLOY_DIR = '.deploy';
/** What the package may weigh uncompressed (docs/deploy.md states the measured size). */
export const MAX_PACKAGE_BYTES = 40 * 1024 * 1024;
/** Copied as they are from the project. */
const FILES = ['host.json', 'package-lock.json', '.funcignore'];
/**
 * The compiled code the host loads: package.json `main` is dist/functions/*.js, which imports
 * dist/shared. Exported so README's Layout table says "ships" of exactly these (scripts/docs/layoutDoc.ts).
 */
export const FOLDERS = ['dist/functions', 'dist/shared'];

const run = promisify(execFile);

export interface PackagedFile {
  /** Relative to the package root, with `/`. */
  file: string;
  bytes: number;
}

/** Builds `<root>/.deploy` from scratch from an already built `<root>/dist`. */
export async function stageDeployPackage(root: string = packageRoot()): Promise<string> {
  const out = path.join(root, DEPLOY_DIR);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const folder of FOLDERS) {
    const from = path.join(root, folder);
    if (!(await stat(from).catch(() => undefined))?.isDirectory()) throw new Error(`${folder} is missing: run npm run build first`);
    await cp(from, path.join(out, folder), { recursive: true });
  }
  for (const file of FILES) await cp(path.join(root, file), path.join(out, file));
  await writeFile(path.join(out, 'package.json'), productionManifest(await readFile(path.join(root, 'package.json'), 'utf8')));
  // --ignore-scripts: production dependencies need no install scripts, and none of ours may run here.
  await npm(['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], out);
  return out;
}

/**
 * package.json without what only a checkout uses: scripts (the host runs none), the CLI's bin
 * and the devDependencies. Dependencies stay exactly as locked, so `npm ci` accepts the lockfile.
 */
export function productionManifest(text: string): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  for (const key of ['scripts', 'bin', 'devDependencies']) delete manifest[key];
  return JSON.stringify(manifest, null, 2) + '\n';
}

/** The files azd puts in the zip: every file under `dir` that its `.funcignore` (gitignore rules) keeps. */
export async function packagedFiles(dir: string): Promise<PackagedFile[]> {
  const rules = ignore().add(await readFile(path.join(dir, '.funcignore'), 'utf8').catch(() => ''));
  const files: PackagedFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!rules.ignores(`${child}/`)) await walk(child);
      } else if (!rules.ignores(child)) {
        files.push({ file: child, bytes: (await stat(path.join(dir, child))).size });
      }
    }
  };
  await walk('');
  return files.sort((a, b) => (a.file < b.file ? -1 : 1));
}

async function npm(args: string[], cwd: string): Promise<void> {
  // Under `npm run`, npm_execpath is npm's own CLI script: no shell, the same npm on every OS.
  const cli = process.env['npm_execpath'];
  if (cli && /\.[cm]?js$/.test(cli)) await run(process.execPath, [cli, ...args], { cwd, maxBuffer: 64 << 20 });
  else await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, maxBuffer: 64 << 20, shell: process.platform === 'win32' });
}

async function main(): Promise<void> {
  const out = await stageDeployPackage();
  const files = await packagedFiles(out);
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const mib = (bytes / 1024 / 1024).toFixed(1);
  console.log(`${path.relative(process.cwd(), out) || out}: ${files.length} files, ${mib} MiB uncompressed`);
  if (bytes > MAX_PACKAGE_BYTES) throw new Error(`the package is ${mib} MiB, over the ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB budget`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`deploy:package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
