// The alerts page for real problems: one failed result never pages, a region fails only after N
// consecutive failed rounds or a low availability over a window, and the multi-region alert does not
// blame the database for a secret that never reached it. The queries read only columns that
// workspace-based Application Insights documents.
import { infraFiles, readRepoFile } from './infra-files';

const main = readRepoFile('infra/main.bicep');
const monitoring = readRepoFile('infra/app/monitoring.bicep');
const alerts = readRepoFile('infra/app/alerts.bicep');
const failingKql = readRepoFile('infra/app/queries/location-failing.kql');
const multiRegionKql = readRepoFile('infra/app/queries/multi-region-failure.kql');

/** The body of one entry of logAlerts in alerts.bicep. */
function rule(name: string): string {
  const from = alerts.indexOf(`name: '${name}'`);
  if (from < 0) throw new Error(`alerts.bicep has no rule ${name}`);
  return alerts.slice(from, alerts.indexOf('\n  }', from));
}

/** The query the rule runs: location-failing.kql with each `let` default replaced as alerts.bicep does. */
function deployedFailingQuery(values: Record<string, string>): string {
  const replaces = [...alerts.matchAll(/'(let (\w+) = [^']+;)', '(let \w+ = \$\{(\w+)\}(?:\.0|m)?;)'/g)];
  let query = failingKql;
  for (const [, placeholder, , replacement, param] of replaces) {
    expect(query.split(placeholder)).toHaveLength(2);
    query = query.replace(placeholder, replacement.replace(`\${${param}}`, values[param]));
  }
  return query;
}

describe('per-region alert', () => {
  it('is a log rule per target and region, never a metric rule that fires on one failed result', () => {
    expect(infraFiles('.bicep').filter((f) => f.text.includes('Microsoft.Insights/metricAlerts')).map((f) => f.path)).toEqual([]);
    const body = rule('sqlprobe-location-failing');
    expect(body).toMatch(/query: locationFailingQuery/);
    expect(body).toMatch(/severity: 1/);
    expect(body).toMatch(/dimensions: \[\n\s+'target'\n\s+'location'\n\s+\]/);
    expect(body).toMatch(/measure: 'failingProbes'\n\s+operator: 'GreaterThan'\n\s+threshold: 0/);
    expect(body).toMatch(/autoMitigate: true/);
  });

  it('takes N consecutive failed rounds (default 2) or availability below a threshold over a window, as parameters', () => {
    expect(main).toMatch(/^param failedRoundsToAlert int = 2$/m);
    expect(main).toMatch(/^param availabilityThresholdPercent int = 80$/m);
    expect(main).toMatch(/^param availabilityWindowMinutes int = 60$/m);
    for (const p of ['failedRoundsToAlert', 'availabilityThresholdPercent', 'availabilityWindowMinutes']) {
      expect(main).toMatch(new RegExp(`^ {4}${p}: ${p}$`, 'm'));
      expect(monitoring).toMatch(new RegExp(`^ {4}${p}: ${p}$`, 'm'));
      expect(alerts).toMatch(new RegExp(`^param ${p} int$`, 'm'));
    }
  });

  it('puts the parameters into the query the rule runs, with a range that holds N rounds at any interval', () => {
    const query = deployedFailingQuery({ failedRoundsToAlert: '3', availabilityThresholdPercent: '95', failingRangeMinutes: '120' });
    expect(query).toMatch(/^let failedRoundsToAlert = 3;$/m);
    expect(query).toMatch(/^let availabilityThreshold = 95\.0;$/m);
    expect(query).toMatch(/^let window = 120m;$/m);
    expect(alerts).toMatch(/^var failingRangeMinutes = max\(availabilityWindowMinutes, \(failedRoundsToAlert \+ 1\) \* connectivityIntervalMinutes\)$/m);
    expect(rule('sqlprobe-location-failing')).toMatch(/range: 'PT\$\{failingRangeMinutes\}M'/);
  });

  it('counts the latest results of each probe from the newest, and needs all N of them failed', () => {
    expect(failingKql).toMatch(/\| order by target asc, probe asc, location asc, timestamp desc\n/);
    expect(failingKql).toMatch(/row_number\(1, target != prev\(target\) or probe != prev\(probe\) or location != prev\(location\)\)/);
    expect(failingKql).toMatch(/inARow = latest == failedRoundsToAlert and latestFailed == failedRoundsToAlert/);
    expect(failingKql).toMatch(/belowThreshold = results >= failedRoundsToAlert and availability < availabilityThreshold/);
    expect(failingKql).toMatch(/\| where inARow or belowThreshold\n/);
  });
});

describe('multi-region alert', () => {
  it('does not count secret-missing results, which never reached the server', () => {
    expect(multiRegionKql).toMatch(/failureClass = tostring\(customDimensions\['class'\]\)/);
    expect(multiRegionKql).toMatch(/summarize arg_max\(timestamp, success, failureClass\) by target, probe, location/);
    expect(multiRegionKql).toMatch(/\| where not\(tostring\(success\) in~ \('1', 'true'\)\) and failureClass != 'secret-missing'/);
  });
});

describe('queries read documented columns', () => {
  // Workspace-based Application Insights maps customMetrics onto AppMetrics, which has no `value`:
  // https://learn.microsoft.com/azure/azure-monitor/app/convert-classic-resource (valueSum, valueCount, valueMin, valueMax).
  const queries = [
    ...infraFiles('.kql').map((f) => ({ where: f.path, text: f.text })),
    ...(JSON.parse(readRepoFile('infra/app/workbook.json')) as { items: { name: string; content: { query?: string } }[] }).items
      .filter((i) => i.content.query)
      .map((i) => ({ where: `workbook ${i.name}`, text: i.content.query as string })),
  ];
  const code = (kql: string) => kql.replace(/\/\/.*$/gm, '').replace(/'[^']*'/g, "''");

  it.each(queries.filter((q) => q.text.includes('customMetrics')).map((q) => [q.where, q.text]))('%s reads no customMetrics.value', (_where, text) => {
    expect(code(text)).not.toMatch(/\bvalue\b/);
  });
});

describe('regional app', () => {
  const region = readRepoFile('infra/app/probe-region.bicep');

  it('keeps one always-ready instance for the idle-tick function group, on by default', () => {
    expect(main).toMatch(/^param idleAlwaysReady bool = true$/m);
    expect(main).toMatch(/^ {4}idleAlwaysReady: idleAlwaysReady$/m);
    expect(region).toMatch(/^param idleAlwaysReady bool = true$/m);
    expect(region).toMatch(/alwaysReady: idleAlwaysReady \? \[\n\s+\{\n\s+name: 'function:idle-tick'\n\s+instanceCount: 1\n\s+\}\n\s+\] : \[\]/);
    // The group names the function the timer registers.
    expect(readRepoFile('functions/idle-tick.ts')).toMatch(/app\.timer\('idle-tick',/);
  });

  it('turns basic publishing credentials off for scm and ftp', () => {
    for (const name of ['scm', 'ftp']) {
      expect(region).toMatch(new RegExp(`resource \\w+ 'Microsoft\\.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = \\{\\n\\s+parent: app\\n\\s+name: '${name}'\\n\\s+properties: \\{\\n\\s+allow: false\\n`));
    }
  });
});
