/**
 * What the deployment put around the app, read through ARM with the app's ARM client (reads
 * only): the Communication Services resource behind ACS_ENDPOINT, the email domain of
 * EMAIL_SENDER_ADDRESS linked to it and verified, and the Event Grid subscription that brings
 * its delivery reports to the app's queue. An identity that may not read one of them gets a
 * warning (check it in the portal), not a failure: the app itself never reads them.
 *
 * Shapes, from Azure/azure-rest-api-specs:
 * - specification/communication/resource-manager/Microsoft.Communication/stable/2023-04-01/
 *   CommunicationServices.json: `properties.hostName` ("FQDN of the CommunicationService
 *   instance") and `properties.linkedDomains` ("Resource ID of an EmailService/Domain resource
 *   linked to this resource"); list by subscription: examples/communicationServices/listBySubscription.json.
 *   Domains: examples/domains/listByEmailService.json (`fromSenderDomain`, `domainManagement`,
 *   `verificationStates.{Domain,SPF,DKIM,DKIM2}.status`); sender usernames:
 *   examples/senderUsernames/listByDomain.json (`properties.username`).
 * - specification/eventgrid/resource-manager/Microsoft.EventGrid/stable/2022-06-15: system topics
 *   by subscription (examples/SystemTopics_ListBySubscription.json: `properties.source` is the
 *   resource the topic is on), their event subscriptions (SystemTopicEventSubscriptions_ListBySystemTopic:
 *   GET …/systemTopics/{name}/eventSubscriptions), a StorageQueue destination's
 *   `properties.{resourceId,queueName}` (EventSubscriptions_CreateOrUpdateForCustomTopic_StorageQueueDestination.json),
 *   under `destination` or, delivered with the topic's identity as infra/modules/eventgrid.bicep does,
 *   `deliveryWithResourceIdentity.destination`.
 */
import type { ArmApi } from '../directory/arm/armClient.js';
import type { Settings } from '../settings/settings.js';
import { DELIVERY_REPORTS_QUEUE } from '../queues/queueNames.js';
import { failed, messageOf, passed, warned, type Check } from './check.js';
import { endpointOf } from './acsChecks.js';
import { PROVISION_FIX } from './fixes.js';

export const COMMUNICATION_API = '2023-04-01';
export const EVENT_GRID_API = '2022-06-15';
const SUBSCRIPTIONS_API = '2022-12-01';
/** The one event type the deliveryReports function reads (Event Grid's filter names it). */
export const DELIVERY_REPORT_EVENT = 'Microsoft.Communication.EmailDeliveryReportReceived';
/** Subscriptions searched for the Communication Services resource, at most. */
const MAX_SUBSCRIPTIONS = 50;

type Arm = Pick<ArmApi, 'get' | 'list'>;

interface ArmResource<P> {
  id: string;
  name?: string;
  properties?: P | null;
}

interface Destination {
  endpointType?: string;
  properties?: { resourceId?: string; queueName?: string } | null;
}

interface EventSubscriptionProperties {
  provisioningState?: string;
  filter?: { includedEventTypes?: string[] | null } | null;
  destination?: Destination | null;
  deliveryWithResourceIdentity?: { destination?: Destination | null } | null;
}

const statusOf = (e: unknown) => (e as { statusCode?: number } | undefined)?.statusCode;
const same = (a: string | undefined | null, b: string | undefined | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
const nameOf = (id: string) => id.split('/').pop() ?? id;

/** The storage account the app's queues live in, as far as the settings say. */
export function storageAccountName(settings: Settings): string | undefined {
  if (settings.AzureWebJobsStorage__accountName) return settings.AzureWebJobsStorage__accountName;
  const fromString = /(?:^|;)AccountName=([^;]+)/i.exec(settings.AzureWebJobsStorage ?? '')?.[1];
  if (fromString) return fromString;
  if (/UseDevelopmentStorage=true/i.test(settings.AzureWebJobsStorage ?? '')) return 'devstoreaccount1';
  const uri = settings.AzureWebJobsStorage__queueServiceUri;
  return uri ? new URL(uri).hostname.split('.')[0] : undefined;
}

export async function deploymentChecks(settings: Settings, arm: Arm): Promise<Check[]> {
  if (settings.EMAIL_TRANSPORT !== 'acs') return [];
  const host = hostOf(endpointOf(settings));
  const found = await findCommunicationService(settings, arm, host);
  if (found.kind === 'notFound')
    return [
      warned(
        'acs',
        'Communication Services resource',
        `no resource with host ${host} among the ${found.searched} subscription(s) this identity can read: the sender domain and the delivery reports' Event Grid subscription are not checked`,
        'check them in the portal: Communication Services → Email → Domains, and Events → Event Subscriptions (to the queue pim-delivery-reports)',
      ),
    ];
  return [await senderCheck(settings, arm, found.resource), await eventGridCheck(settings, arm, found.resource.id)];
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.toLowerCase();
  } catch {
    return endpoint.toLowerCase();
  }
}

type CommunicationService = ArmResource<{ hostName?: string; linkedDomains?: string[] | null }>;

async function findCommunicationService(
  settings: Settings,
  arm: Arm,
  host: string,
): Promise<{ kind: 'found'; resource: CommunicationService } | { kind: 'notFound'; searched: number }> {
  const visible = await arm
    .list<{ subscriptionId: string }>(`/subscriptions?api-version=${SUBSCRIPTIONS_API}`)
    .then((subs) => subs.map((s) => s.subscriptionId))
    .catch(() => [] as string[]);
  const ids = [...new Set([...settings.AZURE_SUBSCRIPTION_IDS, ...visible].map((s) => s.toLowerCase()))].slice(0, MAX_SUBSCRIPTIONS);
  for (const id of ids) {
    const services = await arm
      .list<CommunicationService>(
        `/subscriptions/${id}/providers/Microsoft.Communication/communicationServices?api-version=${COMMUNICATION_API}`,
      )
      .catch(() => [] as CommunicationService[]);
    const match = services.find((s) => same(s.properties?.hostName?.split(':')[0], host));
    if (match) return { kind: 'found', resource: match };
  }
  return { kind: 'notFound', searched: ids.length };
}

type Domain = ArmResource<{
  fromSenderDomain?: string;
  domainManagement?: string;
  verificationStates?: Record<string, { status?: string } | null> | null;
}>;

async function senderCheck(settings: Settings, arm: Arm, acs: CommunicationService): Promise<Check> {
  const name = 'sender domain';
  const [user = '', domain = ''] = settings.EMAIL_SENDER_ADDRESS.toLowerCase().split('@');
  const linked = acs.properties?.linkedDomains ?? [];
  const link = `link it: portal → Communication Services ${nameOf(acs.id)} → Email → Domains → Connect domain (infra/modules/communication.bicep links the Azure-managed one: azd provision), or set EMAIL_SENDER_ADDRESS to an address on a linked domain`;
  if (linked.length === 0) return failed('acs', name, `no email domain is linked to ${nameOf(acs.id)}: ACS sends from none`, link);
  const domains: Domain[] = [];
  for (const id of linked) {
    try {
      domains.push(await arm.get<Domain>(`${id}?api-version=${COMMUNICATION_API}`));
    } catch (e) {
      return warned(
        'acs',
        name,
        `the linked domain ${nameOf(id)} cannot be read (${statusOf(e) ?? messageOf(e)}): check ${domain} in the portal`,
      );
    }
  }
  const match = domains.find((d) => same(d.properties?.fromSenderDomain ?? d.name, domain));
  if (!match)
    return failed(
      'acs',
      name,
      `${domain} (EMAIL_SENDER_ADDRESS) is not linked to ${nameOf(acs.id)} (linked: ${domains.map((d) => d.properties?.fromSenderDomain ?? d.name).join(', ')}): ACS refuses to send from it`,
      link,
    );
  const p = match.properties ?? {};
  // Azure verifies its own managed domains; a customer's is usable once `Domain` is Verified,
  // and lands in junk without SPF and DKIM.
  const customer = p.domainManagement !== 'AzureManaged';
  const unverified = Object.entries(customer ? (p.verificationStates ?? {}) : {})
    .filter(([k, v]) => k !== 'Domain' && v?.status !== 'Verified')
    .map(([k, v]) => `${k} ${v?.status ?? 'unknown'}`);
  const domainState = p.verificationStates?.['Domain']?.status ?? 'unknown';
  if (customer && domainState !== 'Verified')
    return failed(
      'acs',
      name,
      `${domain} is linked but not verified (Domain ${domainState})`,
      'verify it: portal → Email Communication Service → Domains → ' + domain,
    );
  const usernames = await arm
    .list<ArmResource<{ username?: string }>>(`${match.id}/senderUsernames?api-version=${COMMUNICATION_API}`)
    .then((list) => list.map((u) => (u.properties?.username ?? u.name ?? '').toLowerCase()))
    .catch(() => undefined);
  if (usernames && !usernames.includes(user))
    return warned(
      'acs',
      name,
      `${domain} is linked, but has no sender username "${user}" (it has: ${usernames.join(', ') || 'none'})`,
      `add it: portal → Email Communication Service → Domains → ${domain} → MailFrom addresses, or set EMAIL_SENDER_ADDRESS to one it has`,
    );
  const detail = `${settings.EMAIL_SENDER_ADDRESS}: ${domain} (${p.domainManagement ?? 'domain'}) is linked to ${nameOf(acs.id)}`;
  return unverified.length > 0
    ? warned(
        'acs',
        name,
        `${detail}; not verified: ${unverified.join(', ')} (mail may land in junk)`,
        `portal → Email Communication Service → Domains → ${domain}`,
      )
    : passed('acs', name, detail);
}

async function eventGridCheck(settings: Settings, arm: Arm, acsId: string): Promise<Check> {
  const name = 'delivery reports';
  const subscription = /^\/subscriptions\/([^/]+)/i.exec(acsId)?.[1] ?? '';
  const fix = `${PROVISION_FIX.replace('infra/main.bicep', 'infra/modules/eventgrid.bicep')}; if the provider is not registered: az provider register --namespace Microsoft.EventGrid`;
  let topics: ArmResource<{ source?: string }>[];
  try {
    topics = await arm.list(`/subscriptions/${subscription}/providers/Microsoft.EventGrid/systemTopics?api-version=${EVENT_GRID_API}`);
  } catch (e) {
    return warned(
      'eventGrid',
      name,
      `Event Grid cannot be read here (${statusOf(e) ?? messageOf(e)}): check the ACS resource's Events → Event Subscriptions in the portal`,
    );
  }
  const topic = topics.find((t) => same(t.properties?.source, acsId));
  const missing = `no Event Grid subscription brings ${DELIVERY_REPORT_EVENT} from ${nameOf(acsId)} to the queue ${DELIVERY_REPORTS_QUEUE}: emails go out, but no delivery report comes back (a Failed email is not sent again)`;
  if (!topic) return failed('eventGrid', name, `${missing}; there is no system topic on the resource`, fix);
  let subscriptions: ArmResource<EventSubscriptionProperties>[];
  try {
    subscriptions = await arm.list(`${topic.id}/eventSubscriptions?api-version=${EVENT_GRID_API}`);
  } catch (e) {
    return warned(
      'eventGrid',
      name,
      `the subscriptions of ${nameOf(topic.id)} cannot be read (${statusOf(e) ?? messageOf(e)}): check them in the portal`,
    );
  }
  const account = storageAccountName(settings);
  const toQueue = subscriptions.filter((s) => {
    const p = s.properties ?? {};
    const destination = p.destination ?? p.deliveryWithResourceIdentity?.destination;
    const types = p.filter?.includedEventTypes ?? [];
    return (
      same(destination?.endpointType, 'StorageQueue') &&
      destination?.properties?.queueName === DELIVERY_REPORTS_QUEUE &&
      (types.length === 0 || types.some((t) => same(t, DELIVERY_REPORT_EVENT)))
    );
  });
  const sub = toQueue[0];
  if (!sub) return failed('eventGrid', name, missing, fix);
  const p = sub.properties ?? {};
  const destinationAccount = nameOf((p.destination ?? p.deliveryWithResourceIdentity?.destination)?.properties?.resourceId ?? '');
  if (account && !same(destinationAccount, account))
    return failed(
      'eventGrid',
      name,
      `${nameOf(sub.id)} delivers to the storage account ${destinationAccount}, the app reads ${account}`,
      fix,
    );
  if (p.provisioningState && p.provisioningState !== 'Succeeded')
    return failed('eventGrid', name, `${nameOf(sub.id)} is ${p.provisioningState}`, fix);
  return passed(
    'eventGrid',
    name,
    `${nameOf(topic.id)}/${nameOf(sub.id)} delivers ${DELIVERY_REPORT_EVENT} to ${destinationAccount}/${DELIVERY_REPORTS_QUEUE}`,
  );
}
