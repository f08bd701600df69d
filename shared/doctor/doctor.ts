/**
 * `pim-notify doctor`: with the deployment's settings, each read the app will make, once and
 * read-only, through the adapters the composition root builds for the app (so it asks exactly
 * what the app asks), each judged on one line (check.ts). Order: settings, timers, storage,
 * Graph, ARM, ACS, Event Grid. The settings failing stops it there (nothing else can be built);
 * a missing token stops the reads that need it.
 */
import type { TokenCredential } from '@azure/core-auth';
import { azureCredential } from '../composition/credential.js';
import { createArmClient, createServices, storageConfigured, type ServiceOptions, type Services } from '../composition/services.js';
import { loadSettings, SettingsError, type Settings } from '../settings/settings.js';
import { NO_STORAGE } from '../storage/tables.js';
import { systemClock } from '../time/clock.js';
import { acsChecks } from './acsChecks.js';
import { CallRecorder } from './calls.js';
import { failed, messageOf, passed, type Check } from './check.js';
import { confirmerCheck } from './confirmerCheck.js';
import { deploymentChecks } from './deployment.js';
import { armChecks, graphChecks, tokenCheck } from './graphChecks.js';
import type { ProbeContext } from './probe.js';
import { storageChecks } from './storageChecks.js';
import { timerChecks, type NextRun } from './timerChecks.js';

export interface DoctorOptions {
  /** The settings as the app would read them (environment, or local.settings.json's Values). */
  env: Record<string, string | undefined>;
  /** What tests inject: local endpoints (fetch), their credential, a clock, a transport. */
  services?: ServiceOptions;
  /** Send one email to this address through the app's transport. */
  sendTest?: string;
  /** The host's schedule parser. */
  nextRun: NextRun;
}

export async function runDoctor(options: DoctorOptions): Promise<Check[]> {
  let settings: Settings;
  try {
    settings = loadSettings(options.env);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    const problems = e.message.split('\n- ').slice(1);
    return [
      failed(
        'settings',
        'settings',
        problems.join('; ') || e.message,
        'fix them in the app settings (portal: Function App → Settings → Environment variables) or local.settings.json',
      ),
    ];
  }
  const clock = options.services?.clock ?? systemClock;
  const checks: Check[] = [
    passed(
      'settings',
      'settings',
      `valid; DIRECTORY_SOURCE=${settings.DIRECTORY_SOURCE}, EMAIL_TRANSPORT=${settings.EMAIL_TRANSPORT}, ${settings.AZURE_SUBSCRIPTION_IDS.length} subscription(s)`,
    ),
    ...timerChecks(settings, options.nextRun, clock),
  ];
  if (!storageConfigured(settings)) return [...checks, failed('storage', 'connection', NO_STORAGE, 'azd provision sets them')];
  const recorder = new CallRecorder();
  const serviceOptions: ServiceOptions = { ...options.services, fetch: recorder.fetch(options.services?.fetch) };
  let services: Services;
  try {
    services = await createServices(settings, serviceOptions);
  } catch (e) {
    return [...checks, failed('settings', 'app services', `the app cannot start with these settings: ${messageOf(e)}`)];
  }
  checks.push(...(await storageChecks(services)));
  const credential: TokenCredential = options.services?.credential ?? azureCredential(settings.AZURE_CLIENT_ID);
  const who = settings.AZURE_CLIENT_ID
    ? `the managed identity ${settings.AZURE_CLIENT_ID}`
    : 'DefaultAzureCredential (az login, or the environment)';
  const ctx: ProbeContext = { recorder, graphBaseUrl: settings.GRAPH_BASE_URL };
  const armNeeded = settings.DIRECTORY_SOURCE === 'graph' || settings.EMAIL_TRANSPORT === 'acs';
  const armToken = armNeeded ? await tokenCheck('arm', credential, settings.ARM_BASE_URL, who) : undefined;
  if (settings.DIRECTORY_SOURCE === 'graph') {
    const graphToken = await tokenCheck('graph', credential, settings.GRAPH_BASE_URL, who);
    checks.push(graphToken);
    if (graphToken.status === 'pass') checks.push(...(await graphChecks(services, ctx)), ...(await confirmerCheck(services, ctx)));
    if (armToken) checks.push(armToken);
    if (armToken?.status === 'pass') checks.push(...(await armChecks(services, ctx)));
  } else {
    checks.push(...(await graphChecks(services, ctx)));
    if (armToken) checks.push(armToken);
  }
  checks.push(...(await acsChecks(services, options.sendTest)));
  if (armToken?.status === 'pass') checks.push(...(await deploymentChecks(settings, await createArmClient(settings, serviceOptions))));
  return checks;
}
