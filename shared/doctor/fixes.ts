/**
 * The commands the doctor's lines end with, one place for each: the same grants the
 * postprovision hook makes (scripts/postprovision/grants.ts) and docs/deploy.md shows, with the
 * identity's principal id read from azd's environment, so a line can be copied and run.
 */
import { MICROSOFT_GRAPH_APP_ID } from '../permissions/graph.js';

/** The app's managed identity, as azd's environment names it after `azd up`. */
export const IDENTITY = '$(azd env get-value AZURE_MANAGED_IDENTITY_PRINCIPAL_ID)';

/** Grant one Microsoft Graph application permission (a Privileged Role Administrator runs it). */
export function graphPermissionFix(graphBaseUrl: string, permission: string): string {
  const graph = graphBaseUrl.replace(/\/+$/, '');
  const roleId = `$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query "appRoles[?value=='${permission}' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)`;
  const resourceId = `$(az ad sp show --id ${MICROSOFT_GRAPH_APP_ID} --query id -o tsv)`;
  return (
    `as a Privileged Role Administrator run \`azd hooks run postprovision\` (it grants every missing permission), or grant ${permission} alone: ` +
    `az rest --method POST --uri "${graph}/v1.0/servicePrincipals/${IDENTITY}/appRoleAssignments" --headers "Content-Type=application/json" ` +
    `--body "{\\"principalId\\":\\"${IDENTITY}\\",\\"resourceId\\":\\"${resourceId}\\",\\"appRoleId\\":\\"${roleId}\\"}" ` +
    `(PowerShell: New-MgServicePrincipalAppRoleAssignment, docs/deploy.md step 2)`
  );
}

/** Reader on an Azure scope (an Owner or User Access Administrator of it runs it). */
export function armReaderFix(scope: string): string {
  return `az role assignment create --assignee-object-id ${IDENTITY} --assignee-principal-type ServicePrincipal --role Reader --scope ${scope}`;
}

/** What the template creates: provisioning again puts it back. */
export const PROVISION_FIX = 'azd provision (infra/main.bicep creates it)';

/** A query shape Microsoft refused: nothing in the tenant to change. */
export const QUERY_REFUSED_FIX =
  'Microsoft refused a query this version of pim-notify sends: update pim-notify, or report this line (the app falls back where it can)';
