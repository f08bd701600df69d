/** Settings read under the names they had before, so a deployment keeps working across a rename (settings.ts). */
import { bool } from './spec.js';

/**
 * RECIPIENT_MODEL, or the setting it replaced: ADMINS_ACTIVE_ONLY=true was documented as
 * "Microsoft's behaviour since 2023" (microsoft-current) and false as the 2019 seed's, so it
 * maps one to one. Both set and disagreeing is a mistake worth stopping for.
 */
export function recipientModelText(env: Record<string, string | undefined>, problems: string[]): string | undefined {
  const model = env['RECIPIENT_MODEL']?.trim();
  const legacy = env['ADMINS_ACTIVE_ONLY']?.trim();
  if (!legacy) return model;
  const parsed = bool.safeParse(legacy.toLowerCase());
  if (!parsed.success) {
    problems.push('ADMINS_ACTIVE_ONLY: must be true or false (it is replaced by RECIPIENT_MODEL)');
    return model;
  }
  const mapped = parsed.data ? 'microsoft-current' : 'seed-2019';
  if (model && model !== mapped)
    problems.push(`ADMINS_ACTIVE_ONLY=${legacy} contradicts RECIPIENT_MODEL=${model}; remove ADMINS_ACTIVE_ONLY`);
  return model || mapped;
}

/** A renamed setting: the new name, or else the former one; both set and different is a mistake worth stopping for. */
export function renamedText(
  name: string,
  formerName: string,
  env: Record<string, string | undefined>,
  problems: string[],
): string | undefined {
  const current = env[name]?.trim();
  const former = env[formerName]?.trim();
  if (current && former && current !== former)
    problems.push(`${formerName}=${former} contradicts ${name}=${current}; remove ${formerName} (it is the former name of ${name})`);
  return current || former;
}
