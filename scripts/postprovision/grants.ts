/**
 * What the postprovision hook grants, against the real Graph and ARM APIs: the app's Graph
 * application permissions (needs Privileged Role Administrator), Reader on each subscription
 * the app reads (needs Owner, User Access Administrator or RBAC Administrator there), and the
 * deploying person's "Storage Queue Data Message Sender" on the event queue, for the test step
 * of docs/deploy.md. Whatever the caller may not grant becomes a ready-to-run command.
 */
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/core-auth';
import { GRAPH_PERMISSIONS, MICROSOFT_GRAPH_APP_ID } from '../../shared/permissions/graph.js';

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Built-in role ids (the same in every tenant). */
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const QUEUE_MESSAGE_SENDER = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a';
const ARM_API = '2022-04-01';

export interface HookEnv {
  principalId: string;
  subscriptionIds: string[];
  /** The queue producers and the test step write to: its ARM scope. */
  queueScope?: string;
  queueName?: string;
  graphBaseUrl: string;
  armBaseUrl: string;
  /** Who runs the hook (object id), when known without a token (azd's AZURE_PRINCIPAL_ID). */
  operatorId?: string;
}

export interface GrantReport {
  granted: string[];
  already: string[];
  /** Commands for what the caller may not grant, each with who can run it. */
  manual: Array<{ who: string; what: string; command: string }>;
}

export interface GrantDeps {
  credential: TokenCredential;
  fetch?: FetchLike;
}

export async function grantAll(env: HookEnv, deps: GrantDeps): Promise<GrantReport> {
  const report: GrantReport = { granted: [], already: [], manual: [] };
  const call = caller(deps);
  await grantGraphPermissions(env, call, report);
  for (const subscriptionId of env.subscriptionIds) await grantReader(env, subscriptionId, call, report);
  if (env.queueScope) await grantQueueSender(env, await operatorOf(env, deps), call, report);
  return report;
}

type Caller = (
  base: string,
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: { error?: { code?: string; message?: string } } & Record<string, unknown> }>;

function caller(deps: GrantDeps): Caller {
  const fetchImpl = deps.fetch ?? ((input, init) => fetch(input, init));
  return async (base, method, path, body) => {
    const token = await deps.credential.getToken(`${base}/.default`);
    if (!token) throw new Error(`no token for ${base}: sign in with azd auth login or az login`);
    const response = await fetchImpl(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as never) : ({} as never) };
  };
}

async function grantGraphPermissions(env: HookEnv, call: Caller, report: GrantReport): Promise<void> {
  const graph = env.graphBaseUrl.replace(/\/+$/, '');
  const who = 'a Privileged Role Administrator (or Global Administrator) in Microsoft Entra ID';
  const sp = await call(
    graph,
    'GET',
    `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${MICROSOFT_GRAPH_APP_ID}'`)}&$select=id,appRoles`,
  );
  const graphSp = (
    sp.body['value'] as Array<{ id: string; appRoles: Array<{ id: string; value: string; allowedMemberTypes: string[] }> }> | undefined
  )?.[0];
  if (sp.status !== 200 || !graphSp) {
    // Without the Graph service principal's app roles there are no ids: the lookup goes into the commands.
    for (const { permission } of GRAPH_PERMISSIONS)
      report.manual.push({ who, what: `Graph application permission ${permission}`, command: graphCommandByName(env, graph, permission) });
    return;
  }
  const existing = await call(graph, 'GET', `/v1.0/servicePrincipals/${env.principalId}/appRoleAssignments?$select=appRoleId,resourceId`);
  const assigned = new Set(
    ((existing.body['value'] as Array<{ appRoleId: string; resourceId: string }> | undefined) ?? [])
      .filter((a) => a.resourceId === graphSp.id)
      .map((a) => a.appRoleId.toLowerCase()),
  );
  let denied = false;
  for (const { permission } of GRAPH_PERMISSIONS) {
    const role = graphSp.appRoles.find((r) => r.value === permission && r.allowedMemberTypes.includes('Application'));
    if (!role) throw new Error(`Microsoft Graph has no application permission ${permission}`);
    const what = `Graph application permission ${permission}`;
    if (assigned.has(role.id.toLowerCase())) {
      report.already.push(what);
      continue;
    }
    const body = { principalId: env.principalId, resourceId: graphSp.id, appRoleId: role.id };
    // After one refusal the others would be refused too: straight to the commands.
    const result = denied ? undefined : await call(graph, 'POST', `/v1.0/servicePrincipals/${env.principalId}/appRoleAssignments`, body);
    if (result && (result.status === 201 || result.status === 200)) {
      report.granted.push(what);
      continue;
    }
    if (result && result.status !== 403)
      throw new Error(
        `granting ${what} failed with ${result.status} ${result.body.error?.code ?? ''} ${result.body.error?.message ?? ''}`.trim(),
      );
    denied = true;
    report.manual.push({
      who,
      what,
      command: `az rest --method POST --uri "${graph}/v1.0/servicePrincipals/${env.principalId}/appRoleAssignments" --headers "Content-Type=application/json" --body '${JSON.stringify(body)}'`,
    });
  }
}

function graphCommandByName(env: HookEnv, graph: string, permission: string): string {
  const roleId = `$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query "appRoles[?value=='${permission}' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)`;
  const resourceId = `$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query id -o tsv)`;
  return `az rest --method POST --uri "${graph}/v1.0/servicePrincipals/${env.principalId}/appRoleAssignments" --headers "Content-Type=application/json" --body "{\\"principalId\\":\\"${env.principalId}\\",\\"resourceId\\":\\"${resourceId}\\",\\"appRoleId\\":\\"${roleId}\\"}"`;
}

async function grantReader(env: HookEnv, subscriptionId: string, call: Caller, report: GrantReport): Promise<void> {
  const scope = `/subscriptions/${subscriptionId}`;
  await assignRole(env, call, report, {
    scope,
    roleId: READER,
    principalId: env.principalId,
    principalType: 'ServicePrincipal',
    what: `Reader on ${scope} for the app's identity`,
    who: `an Owner, User Access Administrator or Role Based Access Control Administrator of ${scope}`,
    command: `az role assignment create --assignee-object-id ${env.principalId} --assignee-principal-type ServicePrincipal --role Reader --scope ${scope}`,
  });
}

async function grantQueueSender(env: HookEnv, known: Operator | undefined, call: Caller, report: GrantReport): Promise<void> {
  const scope = env.queueScope!;
  // Unknown caller: the command asks az for the signed-in user.
  const operator = known ?? { id: '$(az ad signed-in-user show --query id -o tsv)', type: 'User' as const };
  if (!known) {
    report.manual.push({
      who: 'you, or an Owner of the resource group',
      what: `Storage Queue Data Message Sender on the ${env.queueName ?? 'event'} queue for you, to send the test event`,
      command: `az role assignment create --assignee-object-id "${operator.id}" --assignee-principal-type User --role "Storage Queue Data Message Sender" --scope ${scope}`,
    });
    return;
  }
  await assignRole(env, call, report, {
    scope,
    roleId: QUEUE_MESSAGE_SENDER,
    principalId: operator.id,
    principalType: operator.type,
    what: `Storage Queue Data Message Sender on the ${env.queueName ?? 'event'} queue for you (${operator.id}), to send the test event`,
    who: `an Owner, User Access Administrator or Role Based Access Control Administrator of the resource group`,
    command: `az role assignment create --assignee-object-id ${operator.id} --assignee-principal-type ${operator.type} --role "Storage Queue Data Message Sender" --scope ${scope}`,
  });
}

interface Assignment {
  scope: string;
  roleId: string;
  principalId: string;
  principalType: 'ServicePrincipal' | 'User';
  what: string;
  who: string;
  command: string;
}

async function assignRole(env: HookEnv, call: Caller, report: GrantReport, a: Assignment): Promise<void> {
  const arm = env.armBaseUrl.replace(/\/+$/, '');
  const subscription = /^\/subscriptions\/[^/]+/i.exec(a.scope)?.[0] ?? a.scope;
  const name = guidOf(`${a.scope.toLowerCase()}|${a.principalId.toLowerCase()}|${a.roleId}`);
  const result = await call(arm, 'PUT', `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${ARM_API}`, {
    properties: {
      roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${a.roleId}`,
      principalId: a.principalId,
      principalType: a.principalType,
    },
  });
  if (result.status === 200 || result.status === 201) report.granted.push(a.what);
  else if (result.status === 409 && result.body.error?.code === 'RoleAssignmentExists') report.already.push(a.what);
  else if (result.status === 403 || result.status === 401) report.manual.push({ who: a.who, what: a.what, command: a.command });
  else
    throw new Error(
      `granting ${a.what} failed with ${result.status} ${result.body.error?.code ?? ''} ${result.body.error?.message ?? ''}`.trim(),
    );
}

interface Operator {
  id: string;
  type: 'User' | 'ServicePrincipal';
}

/** Who runs the hook: azd's AZURE_PRINCIPAL_ID, else the ARM token's claims (oid; idtyp "app" for a CI identity). */
async function operatorOf(env: HookEnv, deps: GrantDeps): Promise<Operator | undefined> {
  if (env.operatorId) return { id: env.operatorId, type: 'User' };
  const token = await deps.credential.getToken(`${env.armBaseUrl.replace(/\/+$/, '')}/.default`);
  const payload = token?.token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: string; idtyp?: string };
    return claims.oid ? { id: claims.oid, type: claims.idtyp === 'app' ? 'ServicePrincipal' : 'User' } : undefined;
  } catch {
    return undefined;
  }
}

/** A stable GUID for a role assignment name, so a re-run finds its own assignment (409) instead of adding one. */
export function guidOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
