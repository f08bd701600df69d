/**
 * pim-notify doctor [--json] [--send-test ADDRESS] [--settings FILE]: the first hour on a real
 * tenant. With the deployment's settings (the environment, over FILE or local.settings.json),
 * makes each read
 * the app will make, once, read-only, and prints one line per check (shared/doctor/). Exit 1
 * when something blocks mailing, else 0.
 */
import { readFile } from 'node:fs/promises';
import { nextOccurrence, parseSchedule } from '../../dev/host/schedule.js';
import type { ServiceOptions } from '../../shared/composition/services.js';
import { blocksMailing, formatCheck, summary } from '../../shared/doctor/check.js';
import { runDoctor } from '../../shared/doctor/doctor.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { parse } from './args.js';
import { HELP } from './help.js';

export interface DoctorOverrides {
  /** The settings instead of the environment and local.settings.json (tests). */
  env?: Record<string, string | undefined>;
  /** Local endpoints, their credential, a clock, a transport (tests). */
  services?: ServiceOptions;
}

export async function doctor(args: string[], overrides: DoctorOverrides = {}): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' }, 'send-test': { type: 'string' }, settings: { type: 'string' } }, HELP.doctor);
  // Tests' settings stand in for the environment and the default file, not for a file given by name.
  const fromFile =
    values.settings !== undefined
      ? await readSettingsFile(values.settings, true)
      : overrides.env
        ? {}
        : await readSettingsFile(fromPackageRoot('local.settings.json'), false);
  if (typeof fromFile === 'string') {
    console.error(`pim-notify doctor: ${fromFile}`);
    return 1;
  }
  const checks = await runDoctor({
    env: overrides.env ? { ...fromFile, ...overrides.env } : { ...fromFile, ...process.env },
    ...(overrides.services ? { services: overrides.services } : {}),
    ...(values['send-test'] ? { sendTest: values['send-test'] } : {}),
    // The host's own reading of a schedule (NCRONTAB, else a TimeSpan).
    nextRun: (expression, after) => nextOccurrence(parseSchedule(expression), after),
  });
  if (values.json) console.log(JSON.stringify({ ok: !blocksMailing(checks), checks }, null, 2));
  else {
    for (const check of checks) console.log(formatCheck(check));
    console.log(summary(checks));
  }
  return blocksMailing(checks) ? 1 : 0;
}

/**
 * The settings of a file: local.settings.json (`{"Values": {…}}`, as Core Tools gives them to the
 * app) or what `az functionapp config appsettings list -o json` prints (`[{"name", "value"}]`).
 * No file: none, unless it was asked for by name; an unusable file: why, as a string.
 */
export async function readSettingsFile(file: string, required: boolean): Promise<Record<string, string> | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return required ? `cannot read ${file}: ${(e as Error).message}` : {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${file} is not JSON`;
  }
  const pairs: Array<[unknown, unknown]> = Array.isArray(parsed)
    ? parsed.map((s: { name?: unknown; value?: unknown }) => [s?.name, s?.value])
    : Object.entries((parsed as { Values?: Record<string, unknown> } | null)?.Values ?? {});
  if (pairs.length === 0 && required)
    return `${file} holds no settings: give local.settings.json or the output of az functionapp config appsettings list -o json`;
  return Object.fromEntries(pairs.filter((p): p is [string, string] => typeof p[0] === 'string' && typeof p[1] === 'string'));
}
