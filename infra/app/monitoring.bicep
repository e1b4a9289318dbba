// Central monitoring: one workspace-based Application Insights that every region reports to, the
// action group, the alert rules and the workbook.

param location string
param resourceToken string
param tags object = {}

@description('Emails for a new action group; ignored when existingActionGroupId is set.')
param alertEmails string[] = []

@description('Existing action group resource ID to notify instead of creating one.')
param existingActionGroupId string = ''

param connectivityIntervalMinutes int
param loginP95ThresholdMs int
param certWarningDays int

@description('The deployed probe regions that have targets, as their results name them: the silent-region alert expects each one to report.')
param probeRegions string[]

param failedRoundsToAlert int
param availabilityThresholdPercent int
param availabilityWindowMinutes int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    // Only Entra-authenticated ingestion: the probes' managed identities, never a leaked key.
    DisableLocalAuth: true
  }
}

var createActionGroup = empty(existingActionGroupId) && !empty(alertEmails)

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (createActionGroup) {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'sqlprobe'
    enabled: true
    emailReceivers: [for (email, i) in alertEmails: {
      name: 'email-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

var actionGroupIds = !empty(existingActionGroupId) ? [existingActionGroupId] : (createActionGroup ? [actionGroup.id] : [])

module alerts 'alerts.bicep' = {
  name: 'sqlprobe-alerts'
  params: {
    location: location
    tags: tags
    appInsightsId: appInsights.id
    actionGroupIds: actionGroupIds
    connectivityIntervalMinutes: connectivityIntervalMinutes
    loginP95ThresholdMs: loginP95ThresholdMs
    certWarningDays: certWarningDays
    probeRegions: probeRegions
    failedRoundsToAlert: failedRoundsToAlert
    availabilityThresholdPercent: availabilityThresholdPercent
    availabilityWindowMinutes: availabilityWindowMinutes
  }
}

module workbook 'workbook.bicep' = {
  name: 'sqlprobe-workbook'
  params: {
    location: location
    tags: tags
    appInsightsId: appInsights.id
  }
}

output appInsightsName string = appInsights.name
output appInsightsId string = appInsights.id
output connectionString string = appInsights.properties.ConnectionString
output workspaceId string = workspace.id
output actionGroupIds string[] = actionGroupIds
output alertRuleNames string[] = alerts.outputs.ruleNames
output workbookId string = workbook.outputs.id
