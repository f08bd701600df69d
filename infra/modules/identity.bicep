// The app's ONE identity: a user-assigned managed identity, so that role assignments and
// Microsoft Graph app-role grants survive re-creating the Function App, and so they can be
// granted before the first deployment (docs/deploy.md).
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
