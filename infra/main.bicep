// sqlprobe: probes in every region where the workloads run, one Application Insights for all of
// them, alerts and a workbook. Subscription scope, so one deployment (or `azd up`) creates the
// resource group too.
targetScope = 'subscription'

import { secretName } from 'app/shared.bicep'

@description('A region to probe from.')
type probeRegion = {
  @description('Azure region name, e.g. eastus2.')
  location: string

  @description('Existing subnet in the workload VNet, delegated to Microsoft.App/environments.')
  subnetId: string?

  @description('Flex Consumption scale limit (40–1000, default 40).')
  maximumInstanceCount: int?
}

@minLength(1)
@maxLength(64)
@description('Environment name (azd: AZURE_ENV_NAME). Names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Region of the resource group, monitoring and Key Vault (azd: AZURE_LOCATION).')
param location string

@description('Regions to probe from. Empty = a single probe in `location` (the azd quick start).')
param regions probeRegion[] = []

@description('sqlprobe targets: the JSON array the app reads from SQLPROBE_TARGETS (see shared/config/target.ts).')
param targets array = []

@description('Existing Key Vault for target secrets; empty = create one.')
param keyVaultName string = ''

@description('Resource group of the existing Key Vault; empty = the deployment\'s resource group.')
param keyVaultResourceGroupName string = ''

@secure()
@description('App setting name → secret value, written to the vault (e.g. {"ORDERS_DB_PASSWORD": "…"}). Optional: secrets can also be added to the vault later.')
param secrets object = {}

@description('Object ID of the deploying user (azd: AZURE_PRINCIPAL_ID), granted Key Vault Secrets Officer on a new vault.')
param principalId string = ''

@description('Emails for a new action group.')
param alertEmails string[] = []

@description('Existing action group resource ID; takes precedence over alertEmails.')
param actionGroupId string = ''

@minValue(1)
@maxValue(59)
@description('Minutes between connectivity rounds. Drives the default schedule and the alert windows.')
param connectivityIntervalMinutes int = 5

@description('NCRONTAB schedule (six fields, seconds first) of the connectivity round.')
param connectivitySchedule string = '0 */${connectivityIntervalMinutes} * * * *'

@description('NCRONTAB schedule of the idle-survival tick (opens due cohorts, checks due rungs).')
param idleSchedule string = '0 * * * * *'

@minValue(1)
@maxValue(12)
@description('The per-region alert fires when one probe of a target failed this many rounds in a row from a region (one failed result never pages).')
param failedRoundsToAlert int = 2

@minValue(1)
@maxValue(100)
@description('The per-region alert also fires when a probe\'s availability from a region over availabilityWindowMinutes fell below this percentage.')
param availabilityThresholdPercent int = 80

@minValue(15)
@maxValue(1440)
@description('Minutes of results the availability threshold looks at.')
param availabilityWindowMinutes int = 60

@description('Keep one always-ready instance for the idle-tick function in every region, so the worker that holds idle connections between ticks is not scaled in (Flex Consumption bills it as a baseline; see docs/deploy.md).')
param idleAlwaysReady bool = true

@description('Login-phase p95 alert threshold, in milliseconds.')
param loginP95ThresholdMs int = 2000

@description('TLS certificate alert threshold, in days left.')
param certWarningDays int = 21

@description('Further app settings for every region, e.g. {"SQLPROBE_CONCURRENCY": "20"} (see docs/deploy.md).')
param extraAppSettings object = {}

@description('Resource group name; empty = rg-<environmentName>.')
param resourceGroupName string = ''

param tags object = {}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, {
  'azd-env-name': environmentName
})
var probeRegions = empty(regions) ? [
  {
    location: location
  }
] : regions

var createKeyVault = empty(keyVaultName)
var vaultName = createKeyVault ? 'kv-${resourceToken}' : keyVaultName
var vaultResourceGroupName = empty(keyVaultResourceGroupName) ? rg.name : keyVaultResourceGroupName
var vaultUri = 'https://${vaultName}${environment().suffixes.keyvaultDns}/'

// Every setting a target names for a secret (passwordSetting, secretSetting, tokenSetting), plus any
// passed in `secrets`, becomes a Key Vault reference: the secret never sits in app settings.
var targetSecretSettings = map(flatten(map(targets, t => filter(items(t.?auth ?? {}), e => endsWith(e.key, 'Setting')))), e => e.value)
var secretSettings = union(targetSecretSettings, objectKeys(secrets))
var keyVaultReferences = toObject(secretSettings, s => s, s => '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${secretName(s)}/)')

var appSettings = union(keyVaultReferences, {
  SQLPROBE_TARGETS: string(targets)
  SQLPROBE_CONNECTIVITY_SCHEDULE: connectivitySchedule
  SQLPROBE_IDLE_SCHEDULE: idleSchedule
}, extraAppSettings)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: allTags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'sqlprobe-monitoring'
  scope: rg
  params: {
    location: location
    resourceToken: resourceToken
    tags: allTags
    alertEmails: alertEmails
    existingActionGroupId: actionGroupId
    connectivityIntervalMinutes: connectivityIntervalMinutes
    loginP95ThresholdMs: loginP95ThresholdMs
    certWarningDays: certWarningDays
    failedRoundsToAlert: failedRoundsToAlert
    availabilityThresholdPercent: availabilityThresholdPercent
    availabilityWindowMinutes: availabilityWindowMinutes
    // Each regional app reports its location as SQLPROBE_REGION (probe-region.bicep), so these are
    // the names its results carry; App Service's own REGION_NAME is a display name ("East US 2").
    // Every region probes the same targets: with none, no region is expected to report.
    probeRegions: empty(targets) ? [] : map(probeRegions, r => r.location)
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'sqlprobe-keyvault'
  scope: resourceGroup(vaultResourceGroupName)
  params: {
    name: vaultName
    create: createKeyVault
    location: location
    tags: allTags
    secrets: secrets
    adminPrincipalId: principalId
  }
  dependsOn: [
    rg
  ]
}

module probes 'app/probe-region.bicep' = [for (region, i) in probeRegions: {
  name: 'sqlprobe-${region.location}'
  scope: rg
  params: {
    location: region.location
    resourceToken: resourceToken
    tags: allTags
    isAzdService: i == 0
    subnetId: region.?subnetId ?? ''
    maximumInstanceCount: region.?maximumInstanceCount ?? 40
    idleAlwaysReady: idleAlwaysReady
    appInsightsName: monitoring.outputs.appInsightsName
    keyVaultName: keyVault.outputs.name
    keyVaultResourceGroupName: vaultResourceGroupName
    appSettings: appSettings
  }
}]

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_KEY_VAULT_NAME string = vaultName
output AZURE_KEY_VAULT_ENDPOINT string = vaultUri
output SERVICE_PROBES_NAME string = probes[0].outputs.name
output SQLPROBE_FUNCTION_APP_NAMES string[] = [for (region, i) in probeRegions: probes[i].outputs.name]
output SQLPROBE_DEPLOYED_REGIONS array = [for (region, i) in probeRegions: {
  location: region.location
  functionAppName: probes[i].outputs.name
  hostName: probes[i].outputs.defaultHostName
}]
output SQLPROBE_WORKBOOK_ID string = monitoring.outputs.workbookId
