// Azure Communication Services Email: an Email Communication Service with an Azure-managed
// domain (no DNS to verify), linked to a Communication Services resource the app sends
// through with its managed identity (ACS_ENDPOINT; no connection string, no key).
// An Azure-managed domain allows only a few emails per minute and cannot be raised: for
// production, add a verified custom domain (docs/deploy.md).
param communicationServiceName string
param emailServiceName string
@description('Where ACS stores data at rest, e.g. United States, Europe, UK, Germany.')
param dataLocation string
param tags object

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    // PIM notifications are security mail: no tracking pixels or rewritten links.
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
  }
}

output communicationServiceId string = communicationService.id
output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
