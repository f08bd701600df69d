/**
 * Headless Chromium, driven by playwright-core, for turning rendered emails into PNGs and for
 * tests that check what a person sees. Which browser: CHROMIUM_PATH when set; on Linux x64 the
 * one @sparticuz/chromium ships inside the npm package (so `npm ci && npm test` needs no apt
 * package and no download); elsewhere an installed Chromium or Chrome. The flags keep Chromium
 * off the network, which a sandboxed machine refuses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';

const OFFLINE_FLAGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const SYSTEM_FLAGS = ['--no-sandbox', '--disable-gpu', ...OFFLINE_FLAGS];

export interface ChromiumBinary {
  executablePath: string;
  args: string[];
  env?: Record<string, string>;
  /** Where it came from, for messages. */
  source: 'CHROMIUM_PATH' | 'bundled' | 'system';
}

export function systemChromiumPath(): string | undefined {
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let bundled: Promise<ChromiumBinary> | undefined;

/** The browser the preview and the tests launch (see the module comment for the order). */
export async function findChromium(): Promise<ChromiumBinary> {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return { executablePath: fromEnv, args: SYSTEM_FLAGS, source: 'CHROMIUM_PATH' };
  }
  if (process.platform === 'linux' && process.arch === 'x64') return (bundled ??= unpackBundled().catch((e: unknown) => ((bundled = undefined), Promise.reject(e))));
  const system = systemChromiumPath();
  if (!system) throw new Error('No Chromium found: install Chromium or Chrome, or set CHROMIUM_PATH to its executable.');
  return { executablePath: system, args: SYSTEM_FLAGS, source: 'system' };
}

/**
 * Unpacks @sparticuz/chromium once per version into its own folder under the temp dir. The
 * package unpacks into os.tmpdir() and trusts any file already there, so it unpacks into a
 * fresh folder that is renamed into place whole: two processes starting at once (parallel
 * test workers, two checkouts) never launch a half-written binary.
 */
async function unpackBundled(): Promise<ChromiumBinary> {
  // The package exports only its entry (build/index.js): its package.json is two folders up.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const { version } = JSON.parse(await readFile(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const home = path.join(tmpdir(), `pim-notify-chromium-${version}`);
  if (!existsSync(path.join(home, 'chromium'))) {
    const staging = await mkdtemp(path.join(tmpdir(), 'pim-notify-chromium-unpack-'));
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = staging;
    try {
      const { default: chromium } = await import('@sparticuz/chromium');
      await chromium.executablePath();
      // Its fonts.conf names /tmp/fonts; this one names where they are now.
      const fonts = path.join(home, 'fonts');
      await writeFile(path.join(staging, 'fonts.conf'), `<?xml version="1.0"?>\n<fontconfig><dir>${fonts}</dir><dir>/usr/share/fonts</dir><cachedir>${fonts}-cache</cachedir></fontconfig>\n`);
    } finally {
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
    }
    await rename(staging, home).catch(async (e: unknown) => {
      // Another process won the race: use its copy.
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(path.join(home, 'chromium'))) throw e;
    });
  }
  const { default: chromium } = await import('@sparticuz/chromium');
  return {
    executablePath: path.join(home, 'chromium'),
    // --single-process ends the browser with its first closed page: one page after another here.
    args: [...chromium.args.filter((a) => a !== '--single-process'), ...OFFLINE_FLAGS],
    // Its own fonts, so text renders the same on a machine without any installed.
    env: { FONTCONFIG_FILE: path.join(home, 'fonts.conf') },
    source: 'bundled',
  };
}

export async function launchChromium(): Promise<Browser> {
  const binary = await findChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: binary.executablePath,
    headless: true,
    args: binary.args,
    ...(binary.env ? { env: { ...(process.env as Record<string, string>), ...binary.env } } : {}),
  });
}

/** Renders HTML to a full-page PNG at an email client's typical width. */
export async function screenshotHtml(browser: Browser, html: string, path: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
  try {
    // Emails carry no scripts or remote resources we need; block any network just in case.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    await page.screenshot({ path, fullPage: true });
  } finally {
    await page.close();
  }
}
