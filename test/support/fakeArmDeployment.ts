/**
 * What a deployment puts around the app, on the local ARM (beside the directory's and the
 * requests' routes, which it inherits): the subscriptions the caller sees, a Communication
 * Services resource with its linked email domains and their sender usernames, and Event Grid
 * system topics with their event subscriptions, as `pim-notify doctor` reads them. Bearer token,
 * api-version, absolute nextLink paging and injectable faults (403, 429) as the other routes.
 *
 * The rules it enforces, each from Microsoft's contract (Azure/azure-rest-api-specs):
 * - `api-version` is required, and only the versions the app sends are served ("The api-version
 *   query parameter (?api-version=) is required for all requests", ARM's error
 *   MissingApiVersionParameter; an unknown one answers InvalidApiVersionParameter):
 *   Communication 2023-04-01 (specification/communication/resource-manager/Microsoft.Communication/stable/2023-04-01),
 *   Event Grid 2022-06-15 (specification/eventgrid/resource-manager/Microsoft.EventGrid/stable/2022-06-15),
 *   subscriptions 2022-12-01 (specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/subscriptions.json).
 * - The shapes are the examples': communicationServices/listBySubscription.json (`properties.hostName`,
 *   an FQDN, no port), CommunicationServices.json `linkedDomains` ("Resource ID of an EmailService/Domain
 *   resource linked to this resource"), domains/listByEmailService.json (`fromSenderDomain`,
 *   `domainManagement`, `verificationStates.{Domain,SPF,DKIM,DKIM2}.status`), senderUsernames/listByDomain.json,
 *   SystemTopics_ListBySubscription.json (`properties.source`, `topicType`), and a StorageQueue
 *   destination as EventSubscriptions_CreateOrUpdateForCustomTopic_StorageQueueDestination.json answers it,
 *   under `deliveryWithResourceIdentity` when the topic delivers with its own identity (infra/modules/eventgrid.bicep).
 * - None of these lists takes `$filter` (the specs declare no such parameter on them): one sent is 400.
 */
import { FakeRequestsArm, type PimRequests } from './fakeRequests.js';
import type { TenantData } from './fakeGraph.js';
import type { Reply, WorldOptions } from './fakeServer.js';

export const API_VERSIONS = { communication: '2023-04-01', eventGrid: '2022-06-15', subscriptions: '2022-12-01' } as const;

export interface FakeDomain {
  name: string;
  management: 'AzureManaged' | 'CustomerManaged' | 'CustomerManagedInExchangeOnline';
  /** Status per record (Domain, SPF, DKIM, DKIM2); all `Verified` when left out. */
  verification?: Record<string, string>;
  usernames: string[];
  /** Linked to the Communication Services resource (default true). */
  linked?: boolean;
}

export interface FakeEventSubscription {
  name: string;
  queueName: string;
  /** The storage account it delivers to. */
  account: string;
  eventTypes: string[];
  provisioningState?: string;
}

export interface FakeDeployment {
  subscriptionId: string;
  resourceGroup: string;
  /** The Communication Services resource: its name and its host (ACS_ENDPOINT's). */
  acs: { name: string; hostName: string };
  emailService: string;
  domains: FakeDomain[];
  /** The system topic on the ACS resource; none when left out (Event Grid never set up). */
  systemTopic?: { name: string; subscriptions: FakeEventSubscription[] };
}

export class FakeDeploymentArm extends FakeRequestsArm {
  constructor(
    data: TenantData,
    pim: PimRequests,
    readonly deployment: FakeDeployment,
    options: WorldOptions,
  ) {
    super(data, pim, options);
  }

  get acsId(): string {
    const d = this.deployment;
    return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Communication/CommunicationServices/${d.acs.name}`;
  }

  domainId(name: string): string {
    const d = this.deployment;
    return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Communication/EmailServices/${d.emailService}/Domains/${name}`;
  }

  topicId(name: string): string {
    const d = this.deployment;
    return `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.EventGrid/systemTopics/${name}`;
  }

  protected override handle(method: string, url: URL): Reply {
    const path = decodeURIComponent(url.pathname).replace(/\/+$/, '').toLowerCase();
    const route = this.route(path);
    if (!route) return super.handle(method, url);
    const refused = this.refused(method, url);
    if (refused) return refused;
    if (url.searchParams.get('api-version') !== API_VERSIONS[route.api])
      return {
        status: 400,
        body: this.errorBody('InvalidApiVersionParameter', `The api-version '${url.searchParams.get('api-version')}' is invalid.`),
      };
    if (url.searchParams.has('$filter'))
      return { status: 400, body: this.errorBody('InvalidFilter', '$filter is not supported on this collection.') };
    const reply = route.answer();
    return Array.isArray(reply) ? this.page(url, reply, 'nextLink') : reply;
  }

  private route(path: string): { api: keyof typeof API_VERSIONS; answer: () => Reply | unknown[] } | undefined {
    const d = this.deployment;
    const sub = `/subscriptions/${d.subscriptionId}`.toLowerCase();
    if (path === '/subscriptions')
      return {
        api: 'subscriptions',
        answer: () => [
          { id: `/subscriptions/${d.subscriptionId}`, subscriptionId: d.subscriptionId, displayName: 'Contoso', state: 'Enabled' },
        ],
      };
    if (/^\/subscriptions\/[^/]+\/providers\/microsoft\.communication\/communicationservices$/.test(path))
      return { api: 'communication', answer: () => (path.startsWith(sub) ? [this.acsResource()] : []) };
    const domain = d.domains.find((x) => path === this.domainId(x.name).toLowerCase());
    if (domain) return { api: 'communication', answer: () => ({ status: 200, body: this.domainResource(domain) }) };
    const usernamesOf = d.domains.find((x) => path === `${this.domainId(x.name)}/senderUsernames`.toLowerCase());
    if (usernamesOf)
      return {
        api: 'communication',
        answer: () =>
          usernamesOf.usernames.map((u) => ({
            id: `${this.domainId(usernamesOf.name)}/senderUsernames/${u}`,
            name: u,
            type: 'Microsoft.Communication/EmailServices/Domains/SenderUsernames',
            properties: { dataLocation: 'Europe', username: u, displayName: u },
          })),
      };
    if (/^\/subscriptions\/[^/]+\/providers\/microsoft\.eventgrid\/systemtopics$/.test(path))
      return { api: 'eventGrid', answer: () => (path.startsWith(sub) && d.systemTopic ? [this.topicResource(d.systemTopic.name)] : []) };
    const topic = d.systemTopic;
    if (topic && path === `${this.topicId(topic.name)}/eventSubscriptions`.toLowerCase())
      return { api: 'eventGrid', answer: () => topic.subscriptions.map((s) => this.eventSubscription(topic.name, s)) };
    return undefined;
  }

  private acsResource(): Record<string, unknown> {
    const d = this.deployment;
    return {
      id: this.acsId,
      name: d.acs.name,
      type: 'Microsoft.Communication/CommunicationServices',
      location: 'Global',
      properties: {
        provisioningState: 'Succeeded',
        dataLocation: 'Europe',
        hostName: d.acs.hostName,
        version: '0.2.0',
        linkedDomains: d.domains.filter((x) => x.linked !== false).map((x) => this.domainId(x.name)),
      },
    };
  }

  private domainResource(domain: FakeDomain): Record<string, unknown> {
    const states = domain.verification ?? { Domain: 'Verified', SPF: 'Verified', DKIM: 'Verified', DKIM2: 'Verified' };
    return {
      id: this.domainId(domain.name),
      name: domain.name,
      type: 'Microsoft.Communication/EmailServices/Domains',
      location: 'Global',
      properties: {
        provisioningState: 'Succeeded',
        dataLocation: 'Europe',
        fromSenderDomain: domain.name,
        mailFromSenderDomain: domain.name,
        domainManagement: domain.management,
        verificationStates: Object.fromEntries(Object.entries(states).map(([k, status]) => [k, { status, errorCode: '' }])),
      },
    };
  }

  private topicResource(name: string): Record<string, unknown> {
    return {
      id: this.topicId(name),
      name,
      type: 'Microsoft.EventGrid/systemTopics',
      location: 'global',
      properties: {
        provisioningState: 'Succeeded',
        source: this.acsId,
        topicType: 'Microsoft.Communication.CommunicationServices',
        metricResourceId: '183c0fb1-17ff-47b6-ac77-5a47420ab01e',
      },
    };
  }

  private eventSubscription(topic: string, s: FakeEventSubscription): Record<string, unknown> {
    const d = this.deployment;
    return {
      id: `${this.topicId(topic)}/eventSubscriptions/${s.name}`,
      name: s.name,
      type: 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
      properties: {
        topic: this.topicId(topic),
        provisioningState: s.provisioningState ?? 'Succeeded',
        filter: { includedEventTypes: s.eventTypes, isSubjectCaseSensitive: false },
        eventDeliverySchema: 'EventGridSchema',
        deliveryWithResourceIdentity: {
          identity: { type: 'SystemAssigned' },
          destination: {
            endpointType: 'StorageQueue',
            properties: {
              resourceId: `/subscriptions/${d.subscriptionId}/resourceGroups/${d.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${s.account}`,
              queueName: s.queueName,
              queueMessageTimeToLiveInSeconds: 604800,
            },
          },
        },
        retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
      },
    };
  }
}
