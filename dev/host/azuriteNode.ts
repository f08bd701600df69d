/**
 * The Node that runs Azurite. The Azurite releases that know the storage API versions today's
 * SDKs send need a newer Node than a developer machine may have (Azurite's `engines`), while the
 * app and its tests also run on that machine's Node. So when the running Node is older, Azurite
 * alone runs on a Node binary of the required major from the npm registry (`node-<os>-<cpu>`),
 * installed once into node_modules/.cache. That binary is not a dependency of the project: as
 * one, npm would link it as `node_modules/.bin/node`, and every npm script would silently run on
 * it instead of the machine's Node. Only the local runner and the tests start Azurite; nothing
 * here ships.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface AzuriteRuntime {
  /** The Node executable to start Azurite with. */
  node: string;
  /** Set when Azurite has to run on an older Node than it asks for: what to install. */
  note?: string;
}

interface AzuritePackage {
  version: string;
  engines?: { node?: string };
}

const require = createRequire(import.meta.url);

export function azuritePackageDir(): string {
  return path.dirname(require.resolve('azurite/package.json'));
}

/** The lowest Node major an `engines.node` range like `>=22.0.0` (or `^20.9 || >=22`) admits; undefined: any. */
export function minimumNodeMajor(range: string | undefined): number | undefined {
  const majors = (range ?? '').split('||').flatMap((alternative) => {
    const match = /(\d+)/.exec(alternative);
    return match ? [Number(match[1])] : [];
  });
  return majors.length > 0 ? Math.min(...majors) : undefined;
}

/** The npm package holding Node's binary for this OS and CPU (as the registry names them). */
export function nodePackageName(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

/** Memoized per process: the tests' workers each ask once, not once per Azurite they start. */
let resolved: AzuriteRuntime | undefined;

export function azuriteRuntime(): AzuriteRuntime {
  resolved ??= resolveRuntime();
  return resolved;
}

function resolveRuntime(): AzuriteRuntime {
  const pkg = JSON.parse(readFileSync(path.join(azuritePackageDir(), 'package.json'), 'utf8')) as AzuritePackage;
  const needed = minimumNodeMajor(pkg.engines?.node);
  const running = Number(process.versions.node.split('.')[0]);
  if (needed === undefined || running >= needed) return { node: process.execPath };
  const installed = installedNode(needed);
  if (installed.node) return { node: installed.node };
  return {
    node: process.execPath,
    note:
      `Azurite ${pkg.version} needs Node ${pkg.engines?.node}, this is Node ${process.version}, and no Node ${needed} could be installed ` +
      `from the npm registry (${installed.reason}). Trying Azurite on this Node; if it fails, install Node ${needed} or newer (https://nodejs.org) and run again.`,
  };
}

/** Node `major` from the npm registry, cached under node_modules/.cache/pim-notify. */
function installedNode(major: number): { node?: string; reason?: string } {
  const name = nodePackageName();
  const cache = path.join(azuritePackageDir(), '..', '.cache', 'pim-notify');
  const dir = path.join(cache, `${name}-${major}`);
  const found = nodeBinary(dir, name, major);
  if (found) return { node: found };
  mkdirSync(cache, { recursive: true });
  // Installed beside the cache entry and renamed into place, so test workers that race here
  // never run a half-extracted binary: the first rename wins, the others use its result.
  const staging = mkdtempSync(path.join(cache, `.${name}-`));
  try {
    console.error(
      `Azurite needs Node ${major}+ (this is ${process.version}): installing ${name}@${major} from the npm registry into ${dir} (once)`,
    );
    const result = npm([
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'error',
      `${name}@${major}`,
    ]);
    if (result.status !== 0)
      return {
        reason: `npm install ${name}@${major} failed: ${(result.stderr || result.error?.message || '').trim().split('\n').slice(-3).join(' ')}`,
      };
    if (!nodeBinary(staging, name, major)) return { reason: `${name}@${major} holds no Node ${major} binary` };
    try {
      renameSync(staging, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
    }
    const node = nodeBinary(dir, name, major);
    return node ? { node } : { reason: `${dir} holds no Node ${major} binary` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The binary the package declares (`bin.node`), if it is there and really is Node `major`. */
function nodeBinary(prefix: string, name: string, major: number): string | undefined {
  const pkgDir = path.join(prefix, 'node_modules', name);
  try {
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { bin?: Record<string, string> | string };
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.node;
    if (!bin) return undefined;
    const node = path.join(pkgDir, bin);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
    return version.startsWith(`v${major}.`) ? node : undefined;
  } catch {
    return undefined;
  }
}

/** npm as the one that runs us (`npm test`, `npx`), else the one on the PATH. */
function npm(args: string[]): ReturnType<typeof spawnSync> & { stderr: string } {
  const cli = process.env.npm_execpath;
  const options = { encoding: 'utf8' as const, stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[] };
  if (cli && /npm-cli\.js$|npx-cli\.js$/.test(cli))
    return spawnSync(process.execPath, [cli.replace(/npx-cli\.js$/, 'npm-cli.js'), ...args], options);
  const windows = process.platform === 'win32';
  return spawnSync(windows ? 'npm.cmd' : 'npm', args, { ...options, shell: windows });
}
