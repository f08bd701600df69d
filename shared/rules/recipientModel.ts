/**
 * The two documented sets of "admins" PIM emails (RECIPIENT_MODEL), each exactly as written:
 *
 * - `seed-2019`: the 2019 documentation. Entra admin emails go to Privileged Role, Security
 *   and Global Administrators marked "(Activated/Eligible)": active and eligible holders.
 * - `microsoft-current`: Microsoft's documentation since 2023. Entra admin emails go to
 *   "(Activated)" holders only; Azure resource admin emails go to "permanent Owners, eligible
 *   Owners, and User Access Administrators" (active and eligible).
 *
 * Azure resource admins are the same in both (2019: "Owners and User Access Administrators",
 * which counted eligible members too). A scope kind not named here (e.g. one added later)
 * counts active and eligible holders until a model says otherwise. Default approvers are not
 * part of either model: for Entra roles they are always the *active* Privileged Role and
 * Global Administrators (the role settings documentation, unchanged since 2019).
 */
import type { HolderState } from '../directory/roleDirectory.js';

export const RECIPIENT_MODELS = ['seed-2019', 'microsoft-current'] as const;
export type RecipientModel = (typeof RECIPIENT_MODELS)[number];

/** Which holder states count as admins, per model and scope kind. */
const ADMIN_STATES: Record<RecipientModel, Record<string, readonly HolderState[]>> = {
  'seed-2019': { directory: ['active', 'eligible'], azureResource: ['active', 'eligible'] },
  'microsoft-current': { directory: ['active'], azureResource: ['active', 'eligible'] },
};

export function adminStates(model: RecipientModel, scopeKind: string): readonly HolderState[] {
  return ADMIN_STATES[model][scopeKind] ?? ['active', 'eligible'];
}

export function countsAsAdmin(model: RecipientModel, scopeKind: string, state: HolderState): boolean {
  return adminStates(model, scopeKind).includes(state);
}

/** For docs/recipients.md: what each model means, by scope kind. */
export function describeModel(model: RecipientModel): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ADMIN_STATES[model]).map(([kind, states]) => [
      kind,
      states.length === 2 ? 'active and eligible' : `${states.join(', ')} only`,
    ]),
  );
}
