/**
 * What a person sees: the digest rendered by headless Chromium (the one the npm package ships, through
 * playwright-core), read back as visible text and layout, not as an HTML string.
 * Also `pim-notify preview`: every email as .html and .png with an index.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { preview } from '../../../bin/commands/preview.js';
import { loadSnapshot } from '../../../shared/directory/snapshot/snapshotFile.js';
import { SnapshotDirectory } from '../../../shared/directory/snapshotDirectory.js';
import { parseEventsText } from '../../../dev/eventFile.js';
import { fromPackageRoot } from '../../../shared/packageRoot.js';
import { launchChromium } from '../../../dev/preview/chromium.js';
import { NOTIFICATION_KINDS } from '../../../shared/rules/notifications.js';
import { loadSettings } from '../../../shared/settings/settings.js';
import { MemoryActivityStore } from '../../../dev/doubles/memoryActivityStore.js';
import { parseIsoWeek } from '../../../shared/time/isoWeek.js';
import { planDigest } from '../../../shared/usecases/weeklyDigest.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function digestHtml(): Promise<string> {
  const { snapshot } = await loadSnapshot(fromPackageRoot('samples/contoso-directory.json'));
  const directory = new SnapshotDirectory(snapshot, { clock: { now: () => new Date('2026-11-23T08:00:00Z') } });
  const activity = new MemoryActivityStore();
  for (const { event } of parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events) await activity.record(event);
  const plan = await planDigest(parseIsoWeek('2026-W47'), { directory, activity, settings: loadSettings({}) });
  return plan.emails[0]!.email.html;
}

describe('the digest as a person sees it', () => {
  it('shows the four tiles with their numbers and the five top roles', async () => {
    const page = await browser.newPage({ viewport: { width: 700, height: 1000 } });
    await page.setContent(await digestHtml());
    const tiles: Record<string, string> = {};
    for (const label of ['Users activated', 'Users made permanent', 'Role assignments in PIM', 'Role assignments outside of PIM']) {
      // The smallest table cell that shows the label is the tile; its visible text holds the number.
      const tile = page.locator('td', { hasText: label }).last();
      await expect(tile.isVisible()).resolves.toBe(true);
      tiles[label] = (await tile.innerText()).replace(/\s+/g, ' ');
    }
    expect(tiles['Users activated']).toMatch(/(^|\D)6(\D|$)/);
    expect(tiles['Users made permanent']).toMatch(/(^|\D)1(\D|$)/);
    expect(tiles['Role assignments in PIM']).toMatch(/(^|\D)2(\D|$)/);
    expect(tiles['Role assignments outside of PIM']).toMatch(/(^|\D)1(\D|$)/);

    const text = await page.locator('body').innerText();
    const roles = ['Global Administrator', 'Exchange Administrator', 'Helpdesk Administrator', 'Privileged Role Administrator', 'Security Reader'];
    const positions = roles.map((r) => text.indexOf(r));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions); // in rank order
    expect(text).not.toMatch(/\bUser Administrator\b/); // sixth place is not shown
    await expect(page.getByRole('link', { name: /take action/i }).first().isVisible()).resolves.toBe(true);
    // Fits an email client's width: nothing wider than the 600px card (plus margins).
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(700);
    await page.close();
  });
});

describe('pim-notify preview', () => {
  it('renders every email to .html and .png with an index', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'preview-'));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await preview(['--out', out])).toBe(0);
    const files = await readdir(out);
    for (const kind of NOTIFICATION_KINDS) {
      expect(files, kind).toContain(`${kind}.html`);
      expect(files, kind).toContain(`${kind}.png`);
    }
    const png = await readFile(path.join(out, 'weeklyDigest.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const index = await readFile(path.join(out, 'index.html'), 'utf8');
    for (const kind of NOTIFICATION_KINDS) expect(index).toContain(`src="${kind}.png"`);
    expect(errors).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  }, 120_000);
});
