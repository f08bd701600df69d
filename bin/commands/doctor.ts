/**
 * pim-notify doctor [--json] [--send-test ADDRESS]: the first hour on a real tenant. With the
 * deployment's settings (the environment, over local.settings.json's Values), makes each read
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
  const { values } = parse(args, { json: { type: 'boolean' }, 'send-test': { type: 'string' } }, HELP.doctor);
  const checks = await runDoctor({
    env: overrides.env ?? { ...(await localSettings()), ...process.env },
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

/** local.settings.json's Values, as Core Tools gives them to the app; none when there is no such file. */
async function localSettings(): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(fromPackageRoot('local.settings.json'), 'utf8');
  } catch {
    return {};
  }
  const values = (JSON.parse(text) as { Values?: Record<string, unknown> }).Values ?? {};
  return Object.fromEntries(Object.entries(values).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
}
