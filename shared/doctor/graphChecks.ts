/**
 * The Graph and ARM reads, made by the app's own readers (never a copy of their URLs, so the
 * doctor asks exactly what the app asks, whatever shape the readers send): the directory's
 * tenant, role definitions, holders and settings of a directory role; one role-assignable
 * group's PIM for Groups access; the audit source's first page; one run of the request source
 * over every kind of access; and, per subscription in AZURE_SUBSCRIPTION_IDS, the admins,
 * name and role settings the directory reads with the Reader role.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Services } from '../composition/services.js';
import { GraphDirectory } from '../directory/graphDirectory.js';
import { GroupReader } from '../directory/graph/groupReader.js';
import { ROLE } from '../directory/roleDirectory.js';
import { failed, messageOf, passed, warned, type Check } from './check.js';
import { probeRead, type ProbeContext } from './probe.js';

/** How far back the audit and request reads look: the app reads the same lists every few minutes. */
const LOOKBACK_MS = 60 * 60_000;
const DIRECTORY = { kind: 'directory', id: '/' } as const;

export async function tokenCheck(area: 'graph' | 'arm', credential: TokenCredential, baseUrl: string, who: string): Promise<Check> {
  const scope = `${baseUrl.replace(/\/+$/, '')}/.default`;
  try {
    const token = await credential.getToken(scope);
    if (!token) throw new Error('the credential gave no token');
    return passed(area, 'token', `a token for ${scope} as ${who}`);
  } catch (e) {
    return failed(
      area,
      'token',
      `no token for ${scope} as ${who}: ${messageOf(e).split('\n')[0]}`,
      'in Azure, AZURE_CLIENT_ID is the managed identity’s client id; on a workstation (no managed identity here) `az login` and run with AZURE_CLIENT_ID= (empty): the reads then run as you, who need the identity’s rights',
    );
  }
}

export async function graphChecks(services: Services, ctx: ProbeContext): Promise<Check[]> {
  const directory = services.directory;
  if (!(directory instanceof GraphDirectory))
    return [
      warned(
        'graph',
        'directory source',
        `DIRECTORY_SOURCE=${services.settings.DIRECTORY_SOURCE}: recipients come from ${services.settings.DIRECTORY_SNAPSHOT_PATH}, and the audit and requests collectors stay idle (no PIM activity becomes an event)`,
        'set DIRECTORY_SOURCE=graph (infra/main.bicep sets it)',
      ),
    ];
  const now = services.clock.now().getTime();
  const checks: Check[] = [];
  const graph = (name: string, read: () => Promise<string>) => probeRead(ctx, 'graph', name, read).then((c) => void checks.push(c));
  await graph('organization', async () => {
    const t = await directory.tenant();
    return `tenant ${t.displayName} (${t.id})`;
  });
  await graph('directory role definitions', async () => {
    const name = await directory.roleDisplayName(DIRECTORY, ROLE.globalAdministrator);
    return name
      ? `role ${ROLE.globalAdministrator} is ${name}`
      : `read; no definition of ${ROLE.globalAdministrator} (Global Administrator)`;
  });
  await graph('directory role holders', async () => {
    const holders = await directory.directoryRoleHolders(ROLE.globalAdministrator);
    return `${holders.length} active or eligible Global Administrator(s), ${holders.filter((h) => h.address).length} with an address`;
  });
  await graph('directory role settings', async () => {
    const policy = await directory.rolePolicy(DIRECTORY, ROLE.globalAdministrator);
    return `${policy.rules.length} rule(s) of Global Administrator's PIM settings`;
  });
  await graph('PIM for Groups', async () => {
    const groups = await new GroupReader(directory.graph).roleAssignableGroups();
    const first = groups[0];
    if (!first) return 'no role-assignable group in the tenant: nothing of PIM for Groups to read';
    const [members, owners] = await Promise.all([
      directory.groupAccessHolders(first.id, 'member'),
      directory.groupAccessHolders(first.id, 'owner'),
    ]);
    return `${groups.length} role-assignable group(s); ${first.displayName ?? first.id}: ${members.length} member(s), ${owners.length} owner(s) through PIM`;
  });
  const from = new Date(now - LOOKBACK_MS).toISOString();
  await graph('audit log', async () => {
    const audit = await services.sources.auditSource();
    for await (const page of audit.pages(from, new Date(now).toISOString()))
      return `first page read: ${page.length} PIM record(s) of the last hour`;
    return 'read: no PIM record in the last hour';
  });
  await graph('PIM request lists', async () => {
    const source = await services.sources.requestSource();
    let read = 0;
    let pages = 0;
    for await (const page of source.pages(from)) {
      read += page.length;
      pages++;
    }
    return `${pages} page(s) of requests (directory roles, Azure roles per subscription, groups): ${read} made in the last hour`;
  });
  return checks;
}

/** Reader on each configured subscription, through the directory's own Azure reads. */
export async function armChecks(services: Services, ctx: ProbeContext): Promise<Check[]> {
  const directory = services.directory;
  if (!(directory instanceof GraphDirectory)) return [];
  const subscriptions = services.settings.AZURE_SUBSCRIPTION_IDS;
  if (subscriptions.length === 0)
    return [
      warned(
        'arm',
        'subscriptions',
        'AZURE_SUBSCRIPTION_IDS is empty: no Azure resource role is read, so Azure resource events reach no admin',
        'set AZURE_SUBSCRIPTION_IDS (azd env set PIM_SUBSCRIPTION_IDS "<sub>;<sub>", then azd provision)',
      ),
    ];
  const checks: Check[] = [];
  for (const id of subscriptions) {
    const scope = `/subscriptions/${id}`;
    checks.push(
      await probeRead(ctx, 'arm', `Reader on ${scope}`, async () => {
        const [name, admins, policy] = await Promise.all([
          directory.azureScopeDisplayName(scope),
          directory.azureScopeAdmins(scope),
          directory.rolePolicy({ kind: 'azureResource', id: scope }, ROLE.owner),
        ]);
        return `${name ?? id}: ${admins.length} Owner(s) or User Access Administrator(s), ${policy.rules.length} rule(s) of Owner's PIM settings`;
      }),
    );
  }
  return checks;
}
