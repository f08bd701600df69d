/** Which browser the preview and the tests launch: CHROMIUM_PATH wins; else the bundled one on Linux x64. */
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium } from '../../../dev/preview/chromium.js';

const saved = process.env['CHROMIUM_PATH'];
afterEach(() => {
  if (saved === undefined) delete process.env['CHROMIUM_PATH'];
  else process.env['CHROMIUM_PATH'] = saved;
});

describe('findChromium', () => {
  it('honours CHROMIUM_PATH, and names it when it does not exist', async () => {
    process.env['CHROMIUM_PATH'] = process.execPath; // any existing executable
    expect(await findChromium()).toMatchObject({ executablePath: process.execPath, source: 'CHROMIUM_PATH' });
    process.env['CHROMIUM_PATH'] = '/nonexistent/chromium';
    await expect(findChromium()).rejects.toThrow(/CHROMIUM_PATH=\/nonexistent\/chromium does not exist/);
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('uses the Chromium the npm package ships, with no system browser needed', async () => {
    delete process.env['CHROMIUM_PATH'];
    const binary = await findChromium();
    expect(binary.source).toBe('bundled');
    expect(binary.executablePath).toMatch(/pim-notify-chromium-[\d.]+\/chromium$/);
    expect(binary.args).not.toContain('--single-process');
  });
});
