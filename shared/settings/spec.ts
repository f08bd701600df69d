/** How one setting is described and parsed (settings.ts), and the schemas several settings share. */
import { z } from 'zod';

export interface SettingSpec<T> {
  /** What a person reads in the README table. */
  description: string;
  /**
   * The default, written as the setting's text (what an unset setting is read as, and what
   * README shows; '' shows as "(none)"); undefined = no default (optional or required).
   */
  default?: string;
  schema: z.ZodType<T>;
  /** Where the setting is also used by the Functions host itself (binding expressions). */
  host?: boolean;
  /** The name it had before: still read when the setting is unset (both set and different stop the app). */
  formerName?: string;
}

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
export const positiveInt = (max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);
export const addressList = z
  .string()
  .transform((v) =>
    v
      .split(/[;,]/)
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.email({ message: 'must be a list of email addresses separated by ; or ,' })));
/** `;`- or `,`-separated GUIDs (subscriptions, groups). */
export const guidList = (message: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(/[;,]/)
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.guid({ message })));
export const url = z.url({ message: 'must be an absolute URL' }).transform((v) => v.replace(/\/+$/, ''));

export function spec<T>(s: SettingSpec<T>): SettingSpec<T> {
  return s;
}
