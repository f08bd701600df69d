/**
 * azd `postprovision` hook (azure.yaml): right after `azd provision`, grants the app's managed
 * identity what it needs to read the directory and the subscriptions, and gives the person
 * deploying the queue role docs/deploy.md's test step uses, as far as that person may grant
 * them; prints the rest as ready-to-run commands with who must run them. Safe to re-run:
 * what exists is left alone. It never fails the deployment for a grant it could not make.
 * Reads azd's environment (the outputs of infra/main.bicep) and signs in as azd or az did.
 */
import { pathToFileURL } from 'node:url';
import { AzureCliCredential, AzureDeveloperCliCredential, ChainedTokenCredential } from '@azure/identity';
import { grantAll, type GrantDeps, type GrantReport, type HookEnv } from './postprovision/grants.js';

export function hookEnv(environ: NodeJS.ProcessEnv): HookEnv {
  const need = (name: string): string => {
    const value = environ[name]?.trim();
    if (!value)
      throw new Error(`${name} is not set: run this hook through azd (azd provision), which sets it from infra/main.bicep's outputs`);
    return value;
  };
  const principalId = need('AZURE_MANAGED_IDENTITY_PRINCIPAL_ID');
  const subscriptions = (environ['AZURE_SUBSCRIPTION_IDS'] || need('AZURE_SUBSCRIPTION_ID')).split(/[;,\s]+/).filter(Boolean);
  const account = environ['AZURE_STORAGE_ACCOUNT_NAME'];
  const group = environ['AZURE_RESOURCE_GROUP'];
  const queueName = environ['AZURE_QUEUE_NAME'];
  const subscription = environ['AZURE_SUBSCRIPTION_ID'];
  return {
    principalId,
    subscriptionIds: [...new Set(subscriptions)],
    ...(account && group && queueName && subscription
      ? {
          queueScope: `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Storage/storageAccounts/${account}/queueServices/default/queues/${queueName}`,
          queueName,
        }
      : {}),
    graphBaseUrl: environ['GRAPH_BASE_URL'] || 'https://graph.microsoft.com',
    armBaseUrl: environ['ARM_BASE_URL'] || 'https://management.azure.com',
    ...(environ['AZURE_PRINCIPAL_ID'] ? { operatorId: environ['AZURE_PRINCIPAL_ID'] } : {}),
  };
}

export function formatReport(report: GrantReport): string {
  const lines: string[] = [];
  for (const g of report.granted) lines.push(`granted: ${g}`);
  for (const a of report.already) lines.push(`already in place: ${a}`);
  if (report.manual.length === 0) {
    lines.push('', 'Every grant is in place: the app can read the directory and the subscriptions.');
    return lines.join('\n') + '\n';
  }
  lines.push('', 'Not granted: you may not grant these. Ask the person named to run the commands (Azure CLI, signed in with az login):');
  const byWho = new Map<string, GrantReport['manual']>();
  for (const m of report.manual) byWho.set(m.who, [...(byWho.get(m.who) ?? []), m]);
  for (const [who, items] of byWho) {
    lines.push('', `# To be run by ${who}:`);
    for (const m of items) lines.push(`# ${m.what}`, m.command);
  }
  lines.push('', 'Until then the app reports each missing permission once in its logs and goes on with what it can read.');
  return lines.join('\n') + '\n';
}

export async function runHook(environ: NodeJS.ProcessEnv, deps: GrantDeps, write: (text: string) => void): Promise<GrantReport> {
  const report = await grantAll(hookEnv(environ), deps);
  write(formatReport(report));
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // The person who ran `azd up` (azd auth login), else the Azure CLI's account.
  const credential = new ChainedTokenCredential(new AzureDeveloperCliCredential(), new AzureCliCredential());
  runHook(process.env, { credential }, (text) => process.stdout.write(text)).catch((e: unknown) => {
    // A grant left out is printed, not fatal; only an unusable environment stops azd.
    console.error(`postprovision: ${(e as Error).message} (run it again with: azd hooks run postprovision)`);
    process.exitCode = /is not set/.test((e as Error).message) ? 1 : 0;
  });
}
