/**
 * Keys off and least-privilege roles in infra/: no shared-key access, no secrets read or
 * written, exactly the expected role assignments to the app's one user-assigned identity, each
 * on the one resource that needs it. The templates are read as text (test/infra/templates.ts);
 * each failure says what to change and where.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bicepFilesUnder, readBicep, resolve, resources } from './bicep.js';
import { APP_MODULE, ROOT, bicep } from './templates.js';

const THIS_TEST = 'test/infra/security.test.ts';

/** Role definition id → [name, resource type it must be assigned on, why]. */
const EXPECTED_ROLES: Record<string, { name: string; scopeType: string }> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': { name: 'Storage Blob Data Owner', scopeType: 'Microsoft.Storage/storageAccounts' },
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': { name: 'Storage Queue Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': { name: 'Storage Table Data Contributor', scopeType: 'Microsoft.Storage/storageAccounts' },
  '3913510d-42f4-4e42-8a64-420c390055eb': { name: 'Monitoring Metrics Publisher', scopeType: 'Microsoft.Insights/components' },
  '09976791-48a7-449e-bb21-39d1a415f350': {
    name: 'Communication and Email Service Owner',
    scopeType: 'Microsoft.Communication/communicationServices',
  },
};

/** Granted to the Event Grid topic's identity (eventgrid.bicep), not to the app. */
const EVENT_GRID_ROLES: Record<string, string> = { 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a': 'Storage Queue Data Message Sender' };

/** Broad roles that must never be granted to the app. */
const FORBIDDEN_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
  '81a9662b-bebf-436f-a333-f67b29880f12': 'Storage Account Key Operator Service Role',
};

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

describe('security: keys off, least-privilege roles', () => {
  const files = () => bicepFilesUnder(path.join(ROOT, 'infra')).map((f) => readBicep(f));

  it('turns shared-key access off and requires TLS 1.2 on the storage account', () => {
    const account = resources(bicep('infra/modules/storage.bicep')).find(
      (r) => r.type === 'Microsoft.Storage/storageAccounts' && !r.existing,
    );
    expect(account, 'storage.bicep must declare the storage account').toBeDefined();
    expect(account!.body, 'storage.bicep: set allowSharedKeyAccess: false (managed identity only)').toMatch(
      /allowSharedKeyAccess:\s*false\b/,
    );
    expect(account!.body, "storage.bicep: set minimumTlsVersion: 'TLS1_2'").toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(account!.body, 'storage.bicep: set allowBlobPublicAccess: false').toMatch(/allowBlobPublicAccess:\s*false\b/);
  });

  it('reads no keys and writes no secrets anywhere in infra', () => {
    for (const f of files()) {
      const rel = path.relative(ROOT, f.path);
      expect(f.code, `${rel}: listKeys()/listConnectionStrings() read secrets; use the managed identity instead`).not.toMatch(
        /\blist(Keys|ConnectionStrings|AccountSas)\s*\(/i,
      );
      expect(f.code, `${rel}: no account keys or access keys in templates`).not.toMatch(/AccountKey=|accesskey=/i);
      expect(f.code, `${rel}: allowSharedKeyAccess must never be true`).not.toMatch(/allowSharedKeyAccess:\s*true/);
    }
    const monitoring = bicep('infra/modules/monitoring.bicep').code;
    expect(monitoring, 'monitoring.bicep: Application Insights needs DisableLocalAuth: true').toMatch(/DisableLocalAuth:\s*true/);
  });

  it('grants exactly the expected roles, each on the one resource that needs it, to the app identity', () => {
    const granted = new Map<string, string>();
    // eventgrid.bicep grants the Event Grid topic's identity, not the app's: test/infra/eventgrid.test.ts checks it.
    for (const f of files().filter((file) => !file.path.endsWith('eventgrid.bicep'))) {
      const rel = path.relative(ROOT, f.path);
      const decls = resources(f);
      for (const r of decls.filter((d) => d.type === 'Microsoft.Authorization/roleAssignments')) {
        const m = /roleDefinitionId:\s*subscriptionResourceId\(\s*'Microsoft\.Authorization\/roleDefinitions'\s*,\s*([^)]+?)\s*\)/.exec(
          r.body,
        );
        expect(
          m,
          `${rel}: role assignment ${r.symbol} must use subscriptionResourceId('Microsoft.Authorization/roleDefinitions', <guid var>)`,
        ).toBeTruthy();
        const resolved = resolve(f, m![1]!);
        expect(resolved.kind, `${rel}: role assignment ${r.symbol}: the role id must be a literal GUID or a var holding one`).toBe(
          'literal',
        );
        const roleId = (resolved as { value: string }).value.toLowerCase();
        const expected = EXPECTED_ROLES[roleId];
        expect(
          expected,
          `${rel}: role assignment ${r.symbol} grants ${FORBIDDEN_ROLES[roleId] ?? roleId}, which is not in the least-privilege set; remove it (or justify it and add it to EXPECTED_ROLES in ${THIS_TEST})`,
        ).toBeDefined();
        const scope = /\bscope:\s*([A-Za-z_]\w*)/.exec(r.body)?.[1];
        const scopeDecl = decls.find((d) => d.symbol === scope);
        expect(
          scopeDecl?.type,
          `${rel}: ${expected!.name} (${r.symbol}) must be assigned with scope: <the ${expected!.scopeType}>, not the resource group or subscription`,
        ).toBe(expected!.scopeType);
        expect(r.body, `${rel}: ${r.symbol}: set principalType: 'ServicePrincipal' (the managed identity)`).toMatch(
          /principalType:\s*'ServicePrincipal'/,
        );
        expect(r.body, `${rel}: ${r.symbol}: grant to the app identity (principalId: principalId)`).toMatch(/principalId:\s*principalId\b/);
        expect(granted.has(roleId), `${rel}: ${expected!.name} is assigned twice`).toBe(false);
        granted.set(roleId, rel);
      }
    }
    const missing = Object.entries(EXPECTED_ROLES)
      .filter(([id]) => !granted.has(id))
      .map(([id, r]) => `${r.name} (${id}) on the ${r.scopeType}`);
    expect(missing, `infra/modules/rbac.bicep must assign: ${missing.join('; ')}`).toEqual([]);
  });

  it('mentions no other role GUID in any template, and none of the broad roles', () => {
    for (const f of files()) {
      const rel = path.relative(ROOT, f.path);
      for (const m of f.code.matchAll(GUID)) {
        const id = m[0].toLowerCase();
        expect(FORBIDDEN_ROLES[id], `${rel} mentions ${FORBIDDEN_ROLES[id]} (${id}): the app must not get it`).toBeUndefined();
        expect(
          id in EXPECTED_ROLES || id in EVENT_GRID_ROLES,
          `${rel} mentions GUID ${id}, which is not one of the expected roles: remove it or add it to EXPECTED_ROLES in ${THIS_TEST}`,
        ).toBe(true);
      }
      expect(
        f.code,
        `${rel}: no custom role definitions in the template (ARM read rights are granted per subscription, docs/deploy.md)`,
      ).not.toMatch(/'Microsoft\.Authorization\/roleDefinitions@/);
    }
  });

  it('creates one user-assigned identity and gives the Function App only that one', () => {
    const identities = bicepFilesUnder(path.join(ROOT, 'infra'))
      .map((f) => readBicep(f))
      .flatMap((f) => resources(f).filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && !r.existing));
    expect(identities.length, 'infra must create exactly one user-assigned managed identity').toBe(1);
    const site = resources(bicep(APP_MODULE)).find((r) => r.type === 'Microsoft.Web/sites');
    expect(site?.body, `${APP_MODULE}: identity type must be 'UserAssigned' (no system-assigned identity with its own grants)`).toMatch(
      /identity:\s*\{\s*type:\s*'UserAssigned'/,
    );
  });
});
