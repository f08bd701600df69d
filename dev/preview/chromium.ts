/**
 * Headless Chromium (Debian's `chromium`, driven by playwright-core: never a downloaded
 * browser) for turning rendered emails into PNGs and for tests that check what a person
 * sees. The flags keep Chromium off the network, which this machine's sandbox refuses.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export function chromiumPath(): string | undefined {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error('Chromium is not installed: `apt-get install -y chromium` (or set CHROMIUM_PATH).');
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
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
