// ACS delivery reports to the app: an Event Grid system topic on the Communication Services
// resource, subscribed for Microsoft.Communication.EmailDeliveryReportReceived only, delivered
// to the storage queue the deliveryReports function reads. Event Grid writes each event as
// one queue message (its JSON, base64-encoded), which is what the Functions host decodes.
// Delivery uses the topic's own identity (shared keys are off on the account), allowed only
// to add messages to queues of that one account.
param communicationServiceName string
param storageAccountName string
@description('The queue the deliveryReports function reads (shared/queues/queueNames.ts).')
param queueName string
param tags object

// Storage Queue Data Message Sender: add messages, nothing else.
var queueMessageSenderRole = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2023-12-15-preview' = {
  name: 'egst-${communicationServiceName}'
  location: 'global'
  tags: tags
  identity: { type: 'SystemAssigned' }
  properties: {
    source: communicationService.id
    topicType: 'Microsoft.Communication.CommunicationServices'
  }
}

resource topicSendsToQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, topic.id, queueMessageSenderRole)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueMessageSenderRole)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource deliveryReports 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2023-12-15-preview' = {
  parent: topic
  name: 'email-delivery-reports'
  dependsOn: [topicSendsToQueues]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.Communication.EmailDeliveryReportReceived']
    }
    deliveryWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storage.id
          queueName: queueName
          // A week, like the app's other queues: reports outlive an outage of the app.
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    // Event Grid retries a queue that is briefly unavailable for up to a day.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output systemTopicName string = topic.name
