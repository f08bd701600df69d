// Least-privilege Azure RBAC for the app's one managed identity. Each role is assigned on
// the single resource that needs it, never on the resource group or subscription.
// test/infra/security.test.ts checks this exact set of role definitions and their scopes.
param principalId string
param storageAccountName string
param applicationInsightsName string
param communicationServiceName string

// Flex Consumption reads its package from a blob container with this identity, and the
// host keeps its locks (timer singletons, blob leases) in blobs: Owner is what the
// Functions documentation requires for identity-based AzureWebJobsStorage.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Queue trigger: read, delete, update visibility and move to -poison (add).
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Activity table and delivery ledger: read, insert, merge, delete entities.
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Application Insights with local auth off accepts telemetry only from this role.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// Sending email with a Microsoft Entra token. There is no send-only built-in role for ACS
// Email: the built-in roles that work are Contributor and Owner (whole Azure control plane
// of the scope) and "Communication and Email Service Owner" (Microsoft.Communication/* on
// the resource only), so the last is the least-privileged built-in. Microsoft documents a
// custom role (CommunicationServices/Read + EmailServices/write) only for SMTP, and custom
// roles are reported not to be honoured by the ACS data plane. It also allows ListKeys:
// assigned on this one ACS resource, which the app never reads keys from.
var communicationAndEmailServiceOwner = '09976791-48a7-449e-bb21-39d1a415f350'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource emailSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, principalId, communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', communicationAndEmailServiceOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
