// Alert rules over the shared Application Insights component. Log rules query it with the classic
// table names (availabilityResults, customMetrics, customEvents); the KQL lives in queries/*.kql.

param location string
param tags object = {}

@description('Application Insights component ID: the scope of every rule.')
param appInsightsId string

@description('Action groups to notify; empty = alerts only show in the portal.')
param actionGroupIds string[]

@description('Minutes between connectivity rounds; sizes the windows below.')
param connectivityIntervalMinutes int

@description('Login-phase p95 above this many milliseconds alerts.')
param loginP95ThresholdMs int

@description('A TLS certificate with fewer days left than this alerts.')
param certWarningDays int

@description('Every deployed probe region, as its results name it (SQLPROBE_REGION, the region\'s location).')
param probeRegions string[]

// The silent-region query compares the deployed regions with those that reported: a region silent
// for longer than the query range, or one that never reported, still fires.
var probeSilentQuery = replace(loadTextContent('queries/probe-silent.kql'), 'let expectedRegions = dynamic([]);', 'let expectedRegions = dynamic(${string(probeRegions)});')

resource availability 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'sqlprobe-availability'
  location: 'global'
  tags: tags
  properties: {
    description: 'A sqlprobe probe (<target>/<probe>) failed from a region (location). What to do: open the sqlprobe workbook, read the failure class and recommendation for that target and region; if only one region fails, suspect that region\'s network path (NSG, UDR, firewall, DNS); if several fail, see the multi-region alert.'
    severity: 1
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    // The window must hold at least one round, or the metric has no data and never fires.
    windowSize: connectivityIntervalMinutes <= 5 ? 'PT15M' : 'PT1H'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'availability-below-100'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'availabilityResults/availabilityPercentage'
          dimensions: [
            {
              name: 'availabilityResult/name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'availabilityResult/location'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'LessThan'
          threshold: 100
          timeAggregation: 'Average'
        }
      ]
    }
    autoMitigate: true
    actions: [for id in actionGroupIds: {
      actionGroupId: id
    }]
  }
}

// One scheduled query rule per entry. range overrides the query time range where a rule needs more
// history than its evaluation window; the thresholds live here, so the KQL files carry no parameters.
var logAlerts = [
  {
    name: 'sqlprobe-multi-region-failure'
    displayName: 'sqlprobe: target failing from two or more regions'
    description: 'The latest result for a target failed in two or more regions at once. This points at the target, not at one network path: check Azure SQL resource health and service health, the server firewall and public network access, failover state, and recent changes to the server. The workbook shows the failure class per region.'
    severity: 0
    query: loadTextContent('queries/multi-region-failure.kql')
    measure: 'failingRegions'
    operator: 'GreaterThanOrEqual'
    threshold: 2
    dimensions: [
      'target'
    ]
    frequency: 'PT5M'
    window: 'PT5M'
    range: 'PT${max(10, 2 * connectivityIntervalMinutes)}M'
    autoMitigate: true
  }
  {
    name: 'sqlprobe-probe-silent'
    displayName: 'sqlprobe: a region stopped reporting'
    description: 'A deployed region has sent no availability result for three probe intervals (or none in the last day, or never), so its probes are not running or their telemetry is not arriving. What to do: check the regional function app (state, recent deployments, invocation errors in its logs), its managed identity\'s Monitoring Metrics Publisher role on Application Insights, and its outbound network path to Azure Monitor.'
    severity: 1
    query: probeSilentQuery
    measure: 'silentMinutes'
    operator: 'GreaterThanOrEqual'
    threshold: 3 * connectivityIntervalMinutes
    dimensions: [
      'location'
    ]
    frequency: 'PT5M'
    window: 'PT5M'
    range: 'P1D'
    autoMitigate: true
  }
  {
    name: 'sqlprobe-idle-verdict-changed'
    displayName: 'sqlprobe: idle-kill verdict detected or changed'
    description: 'The idle-survival probe changed its verdict for a target and region: an idle kill was detected (gateway kill under Proxy, or a NAT/load-balancer drop), changed, or cleared. Pooled connections idle longer than the measured age will fail on first use. What to do: read the recommendation in the workbook (Redirect policy, pool idle lifetime below the measured age, keepalive interval, retry on transport errors).'
    severity: 3
    query: loadTextContent('queries/idle-verdict-changed.kql')
    measure: 'changes'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'target'
      'region'
      'verdict'
      'previousVerdict'
    ]
    frequency: 'PT15M'
    window: 'PT15M'
    // Events are moments, not states: each change notifies once and nothing resolves.
    autoMitigate: false
  }
  {
    name: 'sqlprobe-tls-cert-expiry'
    displayName: 'sqlprobe: TLS certificate expires soon'
    description: 'The TLS certificate a target presents expires in fewer than ${certWarningDays} days. Azure SQL rotates its gateway certificates itself; for SQL Server or a custom certificate, renew it and make sure clients trust the new chain. If the target is Azure SQL, check that the probe connects to the database.windows.net name and not through a proxy that presents its own certificate.'
    severity: 2
    query: loadTextContent('queries/cert-expiry.kql')
    measure: 'daysLeft'
    operator: 'LessThan'
    threshold: certWarningDays
    dimensions: [
      'target'
    ]
    frequency: 'PT1H'
    window: 'PT1H'
    autoMitigate: true
  }
  {
    name: 'sqlprobe-login-p95'
    displayName: 'sqlprobe: login phase slow'
    description: 'The p95 of the login phase over the last hour exceeds ${loginP95ThresholdMs} ms for a target and region. Slow logins mean new pool connections are slow: look at the workbook\'s phase percentiles to see whether TLS or login dominates, check for throttling (40501, 10928/10929), Entra token latency, and whether the region is far from the server.'
    severity: 2
    query: loadTextContent('queries/login-p95.kql')
    measure: 'p95'
    operator: 'GreaterThan'
    threshold: loginP95ThresholdMs
    dimensions: [
      'target'
      'region'
    ]
    frequency: 'PT15M'
    window: 'PT1H'
    autoMitigate: true
  }
]

resource logRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in logAlerts: {
  name: rule.name
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    overrideQueryTimeRange: rule.?range
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Maximum'
          metricMeasureColumn: rule.measure
          operator: rule.operator
          threshold: rule.threshold
          dimensions: map(rule.dimensions, d => {
            name: d
            operator: 'Include'
            values: [
              '*'
            ]
          })
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: rule.autoMitigate
    actions: {
      actionGroups: actionGroupIds
    }
  }
}]

output ruleNames string[] = concat([availability.name], map(logAlerts, r => r.name))
