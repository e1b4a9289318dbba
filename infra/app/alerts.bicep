// Alert rules over the shared Application Insights component: log rules that query it with the
// classic table names (availabilityResults, customMetrics, customEvents); the KQL lives in queries/*.kql.

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

@description('The deployed probe regions that have targets, as their results name them (SQLPROBE_REGION, the region\'s location). Empty: no silent-region rule, since no region is expected to report.')
param probeRegions string[]

@minValue(1)
@maxValue(12)
@description('A target fails from a region when this many consecutive rounds of one of its probes failed there.')
param failedRoundsToAlert int

@minValue(1)
@maxValue(100)
@description('A target also fails from a region when one of its probes\' availability there fell below this percentage over availabilityWindowMinutes.')
param availabilityThresholdPercent int

@minValue(15)
@maxValue(1440)
@description('Minutes of results the availability threshold looks at.')
param availabilityWindowMinutes int

// The silent-region query compares the deployed regions that have targets with those that reported:
// a region silent for longer than the query range, or one that never reported, still fires.
var probeSilentQuery = replace(loadTextContent('queries/probe-silent.kql'), 'let expectedRegions = dynamic([]);', 'let expectedRegions = dynamic(${string(probeRegions)});')

// N consecutive failed rounds need N rounds inside the query range, whatever the interval.
var failingRangeMinutes = max(availabilityWindowMinutes, (failedRoundsToAlert + 1) * connectivityIntervalMinutes)
var locationFailingQuery = replace(replace(replace(loadTextContent('queries/location-failing.kql'),
  'let failedRoundsToAlert = 2;', 'let failedRoundsToAlert = ${failedRoundsToAlert};'),
  'let availabilityThreshold = 80.0;', 'let availabilityThreshold = ${availabilityThresholdPercent}.0;'),
  'let window = 60m;', 'let window = ${failingRangeMinutes}m;')

// One scheduled query rule per entry. range overrides the query time range where a rule needs more
// history than its evaluation window. The thresholds live here: the KQL files carry none, except the
// `let` defaults that the location-failing and silent-region queries have replaced above.
var logAlerts = [
  {
    name: 'sqlprobe-location-failing'
    displayName: 'sqlprobe: target failing from a region'
    description: 'A target failed from one region: one of its probes failed ${failedRoundsToAlert} rounds in a row there, or its availability over the last ${failingRangeMinutes} minutes fell below ${availabilityThresholdPercent}%. The alert names the probes, how they failed and their last failure class. What to do: open the sqlprobe workbook for that target and region and follow the class\'s recommendation. Only this region failing points at its network path (NSG, UDR, firewall, DNS, private endpoint); several regions at the target (see the multi-region alert). secret-missing means the target\'s secret setting holds no password (a Key Vault reference that has not resolved): put the secret in the vault and check the app\'s identity can read it.'
    severity: 1
    query: locationFailingQuery
    measure: 'failingProbes'
    operator: 'GreaterThan'
    threshold: 0
    dimensions: [
      'target'
      'location'
    ]
    frequency: 'PT5M'
    window: 'PT5M'
    range: 'PT${failingRangeMinutes}M'
    autoMitigate: true
  }
  {
    name: 'sqlprobe-multi-region-failure'
    displayName: 'sqlprobe: target failing from two or more regions'
    description: 'The latest result for a target failed in two or more regions at once (secret-missing results, which never reached the server, do not count). This points at the target, not at one network path: check Azure SQL resource health and service health, the server firewall and public network access, failover state, and recent changes to the server. The workbook shows the failure class per region.'
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
    // A region that has no targets sends no results: it is not expected to report.
    deploy: !empty(probeRegions)
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

resource logRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in logAlerts: if (rule.?deploy ?? true) {
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

output ruleNames string[] = map(filter(logAlerts, r => r.?deploy ?? true), r => r.name)
