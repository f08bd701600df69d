/**
 * pim-notify preview --out DIR [--no-png]: every email the app can send, rendered with the
 * sample tenant and events, as .html and (through headless Chromium) .png, with an
 * index.html that shows them all: look at the emails instead of reading templates.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDirectory } from '../../shared/composition/services.js';
import { launchChromium, screenshotHtml } from '../../dev/preview/chromium.js';
import { sampleEmails, type SampleEmail } from '../../dev/preview/sampleEmails.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { parse, required } from './args.js';
import { HELP } from './help.js';

const USAGE = HELP.preview;

export async function preview(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' }, 'no-png': { type: 'boolean' } }, USAGE);
  const out = required(values.out, '--out', USAGE);
  const settings = loadSettings({ ...process.env, DIRECTORY_SOURCE: 'snapshot' });
  const { emails, missing } = await sampleEmails(await createDirectory(settings), settings);
  await mkdir(out, { recursive: true });
  for (const e of emails) {
    await writeFile(path.join(out, `${e.notification}.html`), e.email.html);
    await writeFile(path.join(out, `${e.notification}.txt`), `Subject: ${e.email.subject}\n\n${e.email.text}`);
  }
  let png = !values['no-png'];
  if (png) {
    try {
      const browser = await launchChromium();
      try {
        for (const e of emails) await screenshotHtml(browser, e.email.html, path.join(out, `${e.notification}.png`));
      } finally {
        await browser.close();
      }
    } catch (e) {
      console.error(`pim-notify preview: no PNGs: ${(e as Error).message}`);
      png = false;
    }
  }
  await writeFile(path.join(out, 'index.html'), indexHtml(emails, png));
  for (const m of missing) console.error(`pim-notify preview: no sample event produces ${m}`);
  console.log(`${emails.length} emails in ${out}/ — open ${path.join(out, 'index.html')}`);
  return 0;
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function indexHtml(emails: SampleEmail[], png: boolean): string {
  const items = emails
    .map((e) => {
      const view = png
        ? `<a href="${e.notification}.html"><img src="${e.notification}.png" alt="${escape(e.email.subject)}" style="max-width:100%;border:1px solid #ddd"></a>`
        : `<iframe src="${e.notification}.html" style="width:100%;height:700px;border:1px solid #ddd"></iframe>`;
      return `<section style="margin:0 0 48px"><h2 style="font:600 18px system-ui">${escape(e.notification)}</h2><p style="font:14px system-ui;color:#444">Subject: <b>${escape(e.email.subject)}</b> · from ${escape(e.source)} · <a href="${e.notification}.txt">plain text</a></p>${view}</section>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>pim-notify: every email</title></head><body style="max-width:760px;margin:24px auto;padding:0 16px"><h1 style="font:700 24px system-ui">Every email pim-notify sends (${emails.length})</h1>${items}</body></html>\n`;
}
