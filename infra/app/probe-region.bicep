// One probe region: a Flex Consumption (FC1) Node 22 function app with its own managed identity and
// identity-only storage, reporting to the shared Application Insights. Optionally joined to a subnet
// in the workload's VNet so probes share the apps' network path.
import { roleIds } from 'shared.bicep'

@description('Azure region of this probe; also reported as the region of its results (SQLPROBE_REGION).')
param location string
param resourceToken string
param tags object = {}

@description('Tag this app for `azd deploy` (azd deploys a service to exactly one resource).')
param isAzdService bool = false

@description('Existing subnet delegated to Microsoft.App/environments; empty = no VNet integration.')
param subnetId string = ''

@description('Flex Consumption scale limit; 40 is the lowest the platform accepts.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('One always-ready instance for the idle-tick function: the worker that holds idle connections between ticks. Flex Consumption scales each non-HTTP function as its own group and scales an idle group in, which would end the held connections.')
param idleAlwaysReady bool = true

@description('Application Insights component in this resource group.')
param appInsightsName string

param keyVaultName string
param keyVaultResourceGroupName string

@description('sqlprobe settings shared by every region: targets, schedules, Key Vault references, extras.')
param appSettings object

var suffix = '${resourceToken}-${location}'
var deploymentContainer = 'app-package'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${suffix}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('st${uniqueString(resourceToken, location)}', 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Identity only: the host, the deployment package and sqlprobe's Table state all use the managed identity.
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

// Blob: deployment package and host leases. Queue and Table: host timers, sqlprobe's shared state and telemetry outbox.
var storageRoles = [
  roleIds.storageBlobDataOwner
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

resource storageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The component has local auth disabled, so ingestion needs this role.
resource telemetryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

module secretsAccess 'keyvault-access.bicep' = {
  name: 'sqlprobe-kv-access-${location}'
  scope: resourceGroup(keyVaultResourceGroupName)
  params: {
    vaultName: keyVaultName
    principalId: identity.properties.principalId
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-${suffix}'
  location: location
  tags: isAzdService ? union(tags, {
    'azd-service-name': 'probes'
  }) : tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity, not a system one.
    keyVaultReferenceIdentity: identity.id
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        // Bounds the on-demand instances of each scaling group (HTTP, and each timer function), not the app.
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Groups are `http`, `durable`, `blob`, or one function as `function:<name>` (functions/idle-tick.ts).
        alwaysReady: idleAlwaysReady ? [
          {
            name: 'function:idle-tick'
            instanceCount: 1
          }
        ] : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
  dependsOn: [
    packageContainer
  ]
}

// Nothing deploys with publishing credentials (azd and the Azure CLI use Entra ID), so basic
// authentication to the scm and ftp endpoints is off.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  // Regional and identity settings win over the shared ones.
  properties: union(appSettings, {
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    // sqlprobe's Table state reuses the host storage; the endpoint also covers sovereign clouds.
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    // Telemetry that ingestion did not take waits in a queue here until any instance sends it.
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    // DefaultAzureCredential (Table state, managed-identity SQL auth) picks this identity.
    AZURE_CLIENT_ID: identity.properties.clientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.properties.clientId}'
    // The ARM name (eastus2), so results line up with the regions parameter; REGION_NAME is a display name.
    SQLPROBE_REGION: location
    // glibc's malloc read at the worker's start: two arenas instead of up to eight per core, which kept
    // a round's native memory growing with its targets (docs/BENCHMARKS.md, runner fan-out).
    MALLOC_ARENA_MAX: '2'
  })
  // Grant access before the host first starts with these settings.
  dependsOn: [
    storageAccess
    telemetryAccess
    secretsAccess
  ]
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output storageAccountName string = storage.name
