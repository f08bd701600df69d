// pim-notify on Azure: `azd up` deploys this at subscription scope (it creates the resource
// group). Everything the app reads in Azure is set in the appSettings block below; the names
// of queues and tables are the code's defaults. test/infra/appSettings.test.ts (settings) and
// test/infra/deployment.test.ts (queues, tables) check both against shared/settings/settings.ts,
// so a setting added to the code fails the tests until it is added here (or listed in
// appSettings.test.ts as local-only, with the reason).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; makes resource names unique.')
param environmentName string

@minLength(1)
@description('Region for the resource group and all regional resources. Only regions that offer the Flex Consumption plan are allowed (the list of `az functionapp list-flexconsumption-locations`; a region added there can be added here).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('Where Communication Services keeps email data at rest (a geography, not a region).')
@allowed([
  'Africa'
  'Asia Pacific'
  'Australia'
  'Brazil'
  'Canada'
  'Europe'
  'France'
  'Germany'
  'India'
  'Japan'
  'Korea'
  'Norway'
  'Switzerland'
  'UAE'
  'UK'
  'United States'
])
param emailDataLocation string = 'United States'

@description('Node.js major version on Flex Consumption: 22 (supported until 2027-04-30; Node 20 is retired on 2026-04-30). package.json engines declares the same.')
@allowed(['22'])
param nodeVersion string = '22'

@description('Most instances Flex Consumption may scale out to (40 is the plan\'s lowest allowed maximum).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Subscriptions whose Azure resource roles are looked up and scanned (;-separated). Empty: this deployment\'s subscription.')
param azureSubscriptionIds string = ''

@description('PIM-managed groups that are not role-assignable, whose PIM for Groups requests the requests collector reads too (;-separated). Graph has no list of the groups PIM manages.')
param pimGroupIds string = ''

@description('NCRONTAB (UTC) of the weekly digest.')
param digestSchedule string = '0 0 8 * * 1'

@description('NCRONTAB schedule (UTC) of the audit collector, which turns PIM audit records into events.')
param auditSchedule string = '0 */5 * * * *'

@description('Minutes the audit collector re-reads before its cursor, for records Entra logs late.')
param auditOverlapMinutes string = '30'

@description('NCRONTAB schedule (UTC) of the requests collector, which turns PIM requests and their status changes into events (every 30 s).')
param requestsSchedule string = '*/30 * * * * *'

@description('Hours after a request at which its approvers are reminded while it waits (;-separated, below 24).')
param approvalReminderHours string = '4;23'

@description('NCRONTAB schedule (UTC) of the expiry scanner (14-day and 1-day reminders, extension window, expiry).')
param expirySchedule string = '0 0 6 * * *'

@description('Informational emails per person per window before the rest are held back for one summary (0 = off). Approval requests are never held back.')
param recipientRateLimit string = '20'

@description('Minutes of the rate limit\'s window (fixed windows, aligned to UTC).')
param recipientRateWindowMinutes string = '60'

@description('NCRONTAB schedule (UTC) of the held-back summary: one email per person whose emails were held back in a window that closed.')
param heldBackSchedule string = '0 */5 * * * *'

@description('Extra digest recipients (;-separated addresses), e.g. a security distribution list.')
param digestExtraRecipients string = ''

@description('Addresses that never get the digest (;-separated).')
param digestOptOut string = ''

@description('From display name of every email.')
param emailSenderName string = 'Privileged Identity Management'

@description('Base of the links in emails (the Azure portal of your cloud).')
param portalBaseUrl string = 'https://portal.azure.com'

@description('Microsoft Graph endpoint of your cloud.')
param graphBaseUrl string = 'https://graph.microsoft.com'

@description('Azure Resource Manager endpoint of your cloud.')
param armBaseUrl string = 'https://management.azure.com'

@description('At most this many emails per event.')
param maxRecipientsPerEvent string = '1000'

@description('Which documented recipient model: seed-2019 (Entra admins active and eligible) or microsoft-current (Entra admins active only).')
@allowed(['seed-2019', 'microsoft-current'])
param recipientModel string = 'seed-2019'

@description('shared: identical emails of an event go as one ACS message (Bcc, neutral greeting); perPerson: one message per person. docs/deploy.md says which fits your quota.')
@allowed(['shared', 'perPerson'])
param emailBatching string = 'shared'

@description('With emailBatching shared: an address of yours put in To of shared messages (everyone else in Bcc). Empty: To is sent empty, and the app goes per person if ACS refuses that. docs/deploy.md.')
param emailUndisclosedRecipientsAddress string = ''

@description('Seconds a claimed but unconfirmed send blocks another worker.')
param deliveryLeaseSeconds string = '300'

@description('Seconds an event whose directory read was refused (a permission missing) waits before notify looks again.')
param missingPermissionRetrySeconds string = '900'

@description('Hours after it happened an event keeps waiting for a missing permission before it goes to the poison queue.')
param missingPermissionWaitHours string = '24'

@description('Seconds Graph/ARM lookups are cached.')
param directoryCacheTtlSeconds string = '300'

@description('Mail an event only when PIM\'s own records bear it out (docs/trust.md). false: every well-formed event on pim-events is mailed, with a warning.')
@allowed(['true', 'false'])
param confirmWithPim string = 'true'

@description('Seconds after its occurredAt an event PIM does not show yet is looked at again (a minute apart) before it counts as not confirmed.')
param confirmLagSeconds string = '600'

@description('JSON: who is asked when a request\'s approvers cannot be reached, and who is told of a request still waiting (docs/escalation.md). Empty: fallback only to the default approvers of directory roles, no escalation.')
param escalationContacts string = ''

@description('Hours after which a pending request goes to its escalation contacts (below 24; none = never). Empty: the app\'s default.')
param escalationAfterHours string = ''

@description('JSON {"<user object id>": "address"}: where people without a mailbox are mailed instead.')
param alternateAddresses string = ''

@description('An operator address also mailed the delivery-health warning. Empty: the log only.')
param deliveryHealthAddress string = ''

@description('Folder (inside the deployed package) of Handlebars templates that replace the built-in ones. Empty: built-in templates.')
param templatesDir string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var serviceName = 'functions'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// The code's defaults (shared/settings/settings.ts and the queue trigger); test/infra checks them.
var eventsQueue = 'pim-events'
var eventsPoisonQueue = 'pim-events-poison'
var deliveryReportsQueue = 'pim-delivery-reports'
var deliveryReportsPoisonQueue = 'pim-delivery-reports-poison'
var activityTable = 'PimActivity'
var deliveryTable = 'PimDeliveries'
var sourcesTable = 'PimSources'
var recipientRateTable = 'PimRecipientRates'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    queueNames: [
      eventsQueue
      eventsPoisonQueue
      deliveryReportsQueue
      deliveryReportsPoisonQueue
    ]
    tableNames: [
      activityTable
      deliveryTable
      sourcesTable
      recipientRateTable
    ]
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    communicationServiceName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
  }
}

// ACS delivery reports → Event Grid → the pim-delivery-reports queue (deliveryReports function).
module eventGrid 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    communicationServiceName: communication.outputs.communicationServiceName
    storageAccountName: storage.outputs.name
    queueName: deliveryReportsQueue
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    communicationServiceName: communication.outputs.communicationServiceName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  // The host starts as soon as the app exists: let it find its storage rights in place.
  dependsOn: [rbac]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    runtimeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    appSettings: {
      // Host storage through the managed identity (no connection string, no key).
      AzureWebJobsStorage__accountName: storage.outputs.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      // The account's own endpoints, so the host and the app reach it in any cloud (sovereign
      // clouds have other storage suffixes than the public cloud's).
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      // Telemetry with Microsoft Entra auth (Application Insights has local auth off).
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      // DefaultAzureCredential picks the user-assigned identity for Graph, ARM and ACS.
      AZURE_CLIENT_ID: identity.outputs.clientId
      AZURE_SUBSCRIPTION_IDS: empty(azureSubscriptionIds) ? subscription().subscriptionId : azureSubscriptionIds
      PIM_GROUP_IDS: pimGroupIds
      DIRECTORY_SOURCE: 'graph'
      GRAPH_BASE_URL: graphBaseUrl
      ARM_BASE_URL: armBaseUrl
      DIRECTORY_CACHE_TTL_SECONDS: directoryCacheTtlSeconds
      CONFIRM_WITH_PIM: confirmWithPim
      CONFIRM_LAG_SECONDS: confirmLagSeconds
      EMAIL_TRANSPORT: 'acs'
      EMAIL_BATCHING: emailBatching
      EMAIL_UNDISCLOSED_RECIPIENTS_ADDRESS: emailUndisclosedRecipientsAddress
      // Empty: the app's own default (shared/settings), written once.
      EMAIL_SEND_CONCURRENCY: ''
      DELIVERY_REPORT_RESENDS: '2'
      ACS_ENDPOINT: communication.outputs.endpoint
      // Reports are acted on only from this resource's Event Grid topic (shared/events/reportEvidence.ts).
      ACS_RESOURCE_ID: communication.outputs.communicationServiceId
      ESCALATION_CONTACTS: escalationContacts
      ESCALATION_AFTER_HOURS: escalationAfterHours
      ALTERNATE_ADDRESSES: alternateAddresses
      // Empty: the app's own default (shared/settings), written once.
      DELIVERY_HEALTH_PERCENT: ''
      DELIVERY_HEALTH_ADDRESS: deliveryHealthAddress
      EMAIL_SENDER_ADDRESS: communication.outputs.senderAddress
      EMAIL_SENDER_NAME: emailSenderName
      PORTAL_BASE_URL: portalBaseUrl
      TEMPLATES_DIR: templatesDir
      MAX_RECIPIENTS_PER_EVENT: maxRecipientsPerEvent
      RECIPIENT_MODEL: recipientModel
      ACTIVITY_TABLE: activityTable
      DELIVERY_TABLE: deliveryTable
      DELIVERY_LEASE_SECONDS: deliveryLeaseSeconds
      MISSING_PERMISSION_RETRY_SECONDS: missingPermissionRetrySeconds
      MISSING_PERMISSION_WAIT_HOURS: missingPermissionWaitHours
      DIGEST_SCHEDULE: digestSchedule
      DIGEST_EXTRA_RECIPIENTS: digestExtraRecipients
      DIGEST_OPT_OUT: digestOptOut
      AUDIT_SCHEDULE: auditSchedule
      AUDIT_OVERLAP_MINUTES: auditOverlapMinutes
      EXPIRY_SCHEDULE: expirySchedule
      REQUESTS_SCHEDULE: requestsSchedule
      APPROVAL_REMINDER_HOURS: approvalReminderHours
      SOURCES_TABLE: sourcesTable
      RECIPIENT_RATE_LIMIT: recipientRateLimit
      RECIPIENT_RATE_WINDOW_MINUTES: recipientRateWindowMinutes
      RECIPIENT_RATE_TABLE: recipientRateTable
      HELD_BACK_SCHEDULE: heldBackSchedule
    }
  }
}

// Outputs azd stores in .azure/<env>/.env (none is a secret).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_QUEUE_NAME string = eventsQueue
// For the postprovision hook (scripts/postprovision.ts): where the app reads roles, and in which cloud.
output AZURE_SUBSCRIPTION_IDS string = empty(azureSubscriptionIds) ? subscription().subscriptionId : azureSubscriptionIds
output GRAPH_BASE_URL string = graphBaseUrl
output ARM_BASE_URL string = armBaseUrl
output AZURE_QUEUE_URL string = '${storage.outputs.queueEndpoint}${eventsQueue}'
output AZURE_MANAGED_IDENTITY_NAME string = identity.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output ACS_ENDPOINT string = communication.outputs.endpoint
output EMAIL_SENDER_ADDRESS string = communication.outputs.senderAddress
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
