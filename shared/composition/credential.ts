/**
 * The one credential choice of the app: the user-assigned managed identity named by its client
 * id when one is set (Azure: `AZURE_CLIENT_ID`, `AzureWebJobsStorage__clientId`), else
 * DefaultAzureCredential (a system-assigned identity in Azure; `az login` or environment
 * variables on a developer's machine). Every Azure client of the app gets its credential here.
 */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export function azureCredential(clientId: string | undefined): TokenCredential {
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}
