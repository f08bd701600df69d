/**
 * The deployment package holds production code only. Builds it on a copy of the project the way
 * azure.yaml's prepackage hook does (`npm run build`, then `npm run deploy:package`; the copy
 * reuses this checkout's node_modules in place of the hook's `npm ci` from the same lockfile),
 * lists what azd would zip (.deploy/ minus .funcignore) and fails on anything that is not
 * host.json, package.json, compiled functions/shared code or a production dependency.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../shared/packageRoot.js';
import { DEPLOY_DIR, MAX_PACKAGE_BYTES, packagedFiles, type PackagedFile } from '../../scripts/deployPackage.js';

const run = promisify(execFile);
const root = packageRoot();
/** What `npm run build` compiles (tsconfig.build.json; the benchmark uses test/support) and the hook needs. */
const SOURCES = [
  'package.json',
  'package-lock.json',
  'host.json',
  '.funcignore',
  'tsconfig.json',
  'tsconfig.build.json',
  'functions',
  'shared',
  'dev',
  'bin',
  'bench',
  'scripts',
  'test',
];

let scratch: string;
let files: PackagedFile[];
const cleanup: string[] = [];

async function npm(args: string[], cwd: string): Promise<string> {
  const cli = process.env['npm_execpath'];
  const [command, argv] = cli && /\.[cm]?js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
  return (await run(command, argv, { cwd, maxBuffer: 64 << 20 })).stdout;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'pim-deploy-'));
  for (const entry of SOURCES) await cp(path.join(root, entry), path.join(scratch, entry), { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  // A function removed from functions/ since the last build: the build must not leave it in `main`'s glob.
  await mkdir(path.join(scratch, 'dist/functions'), { recursive: true });
  await writeFile(path.join(scratch, 'dist/functions/removedFunction.js'), "console.log('stale');\n");
  await npm(['run', 'build'], scratch);
  await npm(['run', 'deploy:package'], scratch);
  files = await packagedFiles(path.join(scratch, DEPLOY_DIR));
}, 600_000);

afterAll(async () => {
  for (const dir of [scratch, ...cleanup]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the deployment package', () => {
  it('holds only host.json, package.json, compiled functions and shared code, and node_modules', async () => {
    expect(files.length).toBeGreaterThan(0);
    const outside = files.filter((f) => !/^(host\.json|package\.json|dist\/(functions|shared)\/.+\.js|node_modules\/.+)$/.test(f.file));
    expect(outside.map((f) => f.file)).toEqual([]);
    const functions = files.filter((f) => f.file.startsWith('dist/functions/')).map((f) => path.basename(f.file, '.js'));
    const sources = (await readdir(path.join(root, 'functions'))).filter((f) => f.endsWith('.ts')).map((f) => path.basename(f, '.ts'));
    expect(functions.sort()).toEqual(sources.sort());
    expect(functions).not.toContain('removedFunction');
    expect(
      files.some((f) => f.file === 'dist/shared/render/templates/notifications.js'),
      'the templates are compiled TS and ship',
    ).toBe(true);
  });

  it('holds no development, test, benchmark or script file', () => {
    const own = files.filter((f) => !f.file.startsWith('node_modules/'));
    expect(own.filter((f) => /(^|\/)(dev|bin|bench|test|scripts)\//.test(f.file) || /\.(ts|map)$/.test(f.file)).map((f) => f.file)).toEqual(
      [],
    );
  });

  it('holds production dependencies only', async () => {
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const installed = new Set<string>();
    for (const { file } of files) {
      const m = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(file);
      if (m?.[1]) installed.add(m[1].slice(0, -1));
    }
    expect(installed.size).toBeGreaterThan(10);
    const dev = [...installed].filter((dir) => lock.packages[dir]?.dev === true || !lock.packages[dir]);
    expect(dev, 'packages the lockfile marks dev (or does not know)').toEqual([]);
    for (const name of Object.keys(manifest.devDependencies)) {
      expect(installed.has(`node_modules/${name}`), `devDependency ${name} is in the package`).toBe(false);
    }
    const shipped = JSON.parse(await readFile(path.join(scratch, DEPLOY_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(shipped['main']).toBe('dist/functions/*.js');
    expect(shipped['devDependencies']).toBeUndefined();
    expect(shipped['scripts']).toBeUndefined();
  });

  it(`weighs at most ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB uncompressed`, () => {
    const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(`deployment package: ${files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
    expect(bytes).toBeLessThanOrEqual(MAX_PACKAGE_BYTES);
  });

  it('loads every function entry, the composition root and the use cases with production dependencies alone', async () => {
    const dir = path.join(scratch, DEPLOY_DIR);
    const entries = files
      .filter((f) => /^dist\/(functions\/[^/]+|shared\/composition\/[^/]+|shared\/usecases\/[^/]+)\.js$/.test(f.file))
      .map((f) => `./${f.file}`);
    const script = `for (const m of ${JSON.stringify(entries)}) await import(m); console.log('loaded', ${entries.length});`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, maxBuffer: 16 << 20 });
    expect(stdout).toContain(`loaded ${entries.length}`);
  });

  it('holds the telemetry packages, and telemetry starts from them alone', async () => {
    for (const name of [
      '@azure/monitor-opentelemetry-exporter',
      '@opentelemetry/sdk-trace-node',
      '@azure/opentelemetry-instrumentation-azure-sdk',
      '@azure/core-tracing',
    ]) {
      expect(
        files.some((f) => f.file === `node_modules/${name}/package.json`),
        `${name} ships`,
      ).toBe(true);
    }
    const dir = path.join(scratch, DEPLOY_DIR);
    // Started as entry.ts starts it when APPLICATIONINSIGHTS_CONNECTION_STRING is set; nothing is exported before exit.
    const script = [
      "const t = await import('./dist/shared/telemetry/telemetry.js');",
      "await t.startTelemetry({ hook: { preInvocation() {} } }, 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/');",
      "console.log('telemetry', t.telemetryStarted()); process.exit(0);",
    ].join(' ');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: { ...process.env, APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' },
    });
    expect(stdout).toContain('telemetry true');
  });

  it('comes from a project where `npm ci --omit=dev` works (prepare skips the build without TypeScript)', async () => {
    // Its own folder: under the scratch copy, node_modules above it would resolve TypeScript.
    const checkout = await mkdtemp(path.join(os.tmpdir(), 'pim-omit-dev-'));
    cleanup.push(checkout);
    await mkdir(path.join(checkout, 'scripts'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'scripts/prepare.mjs', 'scripts/cleanDist.mjs'])
      await cp(path.join(root, file), path.join(checkout, file));
    const stdout = await npm(['ci', '--omit=dev', '--no-audit', '--no-fund'], checkout);
    expect(stdout).toContain('skipping the build');
    await expect(readdir(path.join(checkout, 'node_modules/typescript'))).rejects.toThrow();
  }, 300_000);
});
