/**
 * Forged but valid events against the production directory (GraphDirectory on the local
 * Graph/ARM endpoints serving the sample tenant): whatever names an event carries, emails
 * name things only as the directory does, show what it does not know as unknown with its
 * id, and an event about a role the directory does not know is refused with its reason.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventsText } from '../../dev/eventFile.js';
import { InvalidEventError } from '../../shared/events/parse.js';
import type { PimEvent } from '../../shared/events/schema.js';
import { fromPackageRoot } from '../../shared/packageRoot.js';
import { loadSettings } from '../../shared/settings/settings.js';
import { planNotifications } from '../../shared/planning/planNotifications.js';
import type { TenantData } from '../support/fakeGraph.js';
import { startHarness, type Harness } from '../support/graphHarness.js';
import { sampleWorld } from '../support/clock.js';

let h: Harness;
let samples: Map<string, PimEvent>;
const settings = loadSettings({});

beforeAll(async () => {
  const raw = JSON.parse(await readFile(fromPackageRoot('samples/contoso-directory.json'), 'utf8')) as TenantData;
  h = await startHarness(raw, { server: sampleWorld, env: { AZURE_SUBSCRIPTION_IDS: '0397ec91-6a5d-4e86-97eb-8b993698c132' } });
  samples = new Map(
    parseEventsText(await readFile(fromPackageRoot('samples/events.jsonl'), 'utf8')).events.map((e) => [e.event.id, e.event]),
  );
});
afterAll(() => h?.stop());

async function mailText(event: PimEvent): Promise<string[]> {
  const plan = await planNotifications(event, h.directory, settings);
  expect(plan.emails.length, 'the forged event still reaches the people the directory names').toBeGreaterThan(0);
  return plan.emails.map((e) => `${e.email.subject}\n${e.email.text}\n${e.email.html}`);
}

const UNKNOWN_ID = '0f0f0f0f-0000-4000-8000-000000000001';

describe('names come from the directory, never from the event', () => {
  it('refuses an event whose role the directory does not know, whatever it calls it', async () => {
    const forged = {
      ...samples.get('evt-0003')!,
      id: 'forged-role',
      role: { id: UNKNOWN_ID, displayName: 'Global Administrator' },
    } as PimEvent;
    const error = await planNotifications(forged, h.directory, settings).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).issues.map((i) => i.path)).toEqual(['role.id']);
    expect((error as InvalidEventError).message).toMatch(/^event forged-role is invalid: role\.id: is not a role the directory knows/);
  });

  it('shows an unknown actor as unknown with its id, not under the name it was given', async () => {
    const forged = {
      ...samples.get('evt-0002')!,
      id: 'forged-actor',
      actor: { id: UNKNOWN_ID, displayName: 'Microsoft Support (call +1 555 0100)' },
    } as PimEvent;
    for (const text of await mailText(forged)) {
      expect(text).not.toContain('Microsoft Support');
      expect(text).not.toContain('555 0100');
      expect(text).toContain(`unknown (${UNKNOWN_ID})`);
    }
  });

  it('names a role, a group and an Azure scope as the directory does, whatever the event says', async () => {
    const base = samples.get('evt-0015')!; // an approval request on a resource group
    const forgedScope = {
      ...base,
      id: 'forged-scope',
      scope: { ...base.scope, displayName: 'PROD Key Vault - payroll secrets' },
      role: { ...base.role!, displayName: 'Reader' },
    } as PimEvent;
    for (const text of await mailText(forgedScope)) {
      expect(text).not.toContain('payroll secrets');
      // The resource group's name as the directory knows it (the sample tenant names it rg-prod-data).
      expect(text).toContain('Scope: rg-prod-data');
      expect(text).toContain('Owner');
      expect(text).not.toMatch(/\bReader\b/);
    }
    const assigned = samples.get('evt-0013')!;
    const forgedGroup = {
      ...samples.get('evt-0013')!,
      id: 'forged-group',
      scope: { kind: 'directory', id: '/' },
      role: { id: '62e90394-69f5-4237-9190-012177145e10' },
      principal: { id: '73196243-93bd-4f1f-81ff-6f95265f5b69', type: 'group', displayName: 'Contoso Helpdesk Interns' },
      assignment: assigned.type === 'roleAssigned' ? assigned.assignment : undefined,
    } as PimEvent;
    for (const text of await mailText(forgedGroup)) {
      expect(text).not.toContain('Helpdesk Interns');
      expect(text).toContain('Tier 0 Emergency Access');
    }
  });
});
