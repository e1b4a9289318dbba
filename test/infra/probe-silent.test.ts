// The silent-region alert knows which regions are deployed, so a region silent for longer than the
// query range, or one that never reported, still fires: the list runs from main.bicep's regions to
// the query, under the same names the regional apps report as SQLPROBE_REGION. A deployment without
// targets sends no results, so it gets no silent-region rule (it would fire for ever).
import { readRepoFile } from './infra-files';

const main = readRepoFile('infra/main.bicep');
const monitoring = readRepoFile('infra/app/monitoring.bicep');
const alerts = readRepoFile('infra/app/alerts.bicep');
const region = readRepoFile('infra/app/probe-region.bicep');
const kql = readRepoFile('infra/app/queries/probe-silent.kql');

/** The replace() that builds the silent query in alerts.bicep: the variable, the placeholder and its replacement. */
function silentQueryBuild(): { variable: string; placeholder: string; replacement: string } {
  const m = /^var (\w+) = replace\(loadTextContent\('queries\/probe-silent\.kql'\), '([^']+)', '([^']+)'\)$/m.exec(alerts);
  if (!m) throw new Error('alerts.bicep builds no query from queries/probe-silent.kql');
  return { variable: m[1], placeholder: m[2], replacement: m[3] };
}

/** What Bicep makes of the query for these regions: string() of a string array is its JSON. */
function deployedQuery(regions: string[]): string {
  const { placeholder, replacement } = silentQueryBuild();
  return kql.split(placeholder).join(replacement.replace('${string(probeRegions)}', JSON.stringify(regions)));
}

describe('probe-silent alert', () => {
  it('passes every deployed region from main.bicep through monitoring to the alerts', () => {
    // The same list the regional apps are deployed from, by the same field.
    expect(main).toMatch(/^module probes 'app\/probe-region\.bicep' = \[for \(region, i\) in probeRegions: \{$/m);
    expect(main).toMatch(/^ {4}location: region\.location$/m);
    expect(main).toMatch(/^ {4}probeRegions: empty\(targets\) \? \[\] : map\(probeRegions, r => r\.location\)$/m);
    expect(monitoring).toMatch(/^param probeRegions string\[\]$/m);
    expect(monitoring).toMatch(/^ {4}probeRegions: probeRegions$/m);
    expect(alerts).toMatch(/^param probeRegions string\[\]$/m);
  });

  it('deploys the rule only where regions have targets: none without targets', () => {
    const rule = alerts.slice(alerts.indexOf("name: 'sqlprobe-probe-silent'"));
    expect(rule.slice(0, rule.indexOf('\n  }'))).toMatch(/^ {4}deploy: !empty\(probeRegions\)$/m);
    expect(alerts).toMatch(/^resource logRules '[^']+' = \[for rule in logAlerts: if \(rule\.\?deploy \?\? true\) \{$/m);
    expect(alerts).toMatch(/^output ruleNames string\[\] = map\(filter\(logAlerts, r => r\.\?deploy \?\? true\), r => r\.name\)$/m);
  });

  it('names each region as its results do: SQLPROBE_REGION is the location, not App Service\'s REGION_NAME', () => {
    expect(region).toMatch(/^ {4}SQLPROBE_REGION: location$/m);
    expect(region).toMatch(/^param location string$/m);
  });

  it('injects the region list into the query the rule runs', () => {
    const { variable, placeholder, replacement } = silentQueryBuild();
    expect(replacement).toContain('${string(probeRegions)}');
    // A placeholder the file does not hold would leave the list empty without a word.
    expect(kql.split(placeholder)).toHaveLength(2);
    const rule = alerts.slice(alerts.indexOf("name: 'sqlprobe-probe-silent'"));
    expect(rule.slice(0, rule.indexOf('\n  }'))).toMatch(new RegExp(`^ {4}query: ${variable}$`, 'm'));
  });

  it('lists every deployed region in the deployed query, and keeps each one a row whether it reported or not', () => {
    const query = deployedQuery(['eastus2', 'westeurope']);
    expect(query).toContain('let expectedRegions = dynamic(["eastus2","westeurope"]);');
    expect(query).not.toContain(silentQueryBuild().placeholder);
    // The expected regions drive the rows (left outer join onto what reported); a missing lastSeen counts the whole lookback.
    expect(query).toMatch(/print location = expectedRegions\n\| mv-expand location to typeof\(string\)/);
    expect(query).toMatch(/\| join kind=leftouter reported on location/);
    expect(query).toMatch(/silentMinutes = iff\(isnull\(lastSeen\), toint\(lookback \/ 1m\),/);
  });

  it('keeps the query file runnable by hand: an empty list falls back to the regions that reported', () => {
    expect(kql).toMatch(/^let expectedRegions = dynamic\(\[\]\);$/m);
    expect(kql).toContain('| union (reported | where array_length(expectedRegions) == 0)');
  });

  it('looks back as far as the rule\'s query range, and resolves when the region reports again', () => {
    expect(kql).toMatch(/^let lookback = 1d;$/m);
    const rule = alerts.slice(alerts.indexOf("name: 'sqlprobe-probe-silent'"));
    const body = rule.slice(0, rule.indexOf('\n  }'));
    expect(body).toMatch(/range: 'P1D'/);
    expect(body).toMatch(/autoMitigate: true/);
    expect(body).toMatch(/dimensions: \[\n\s+'location'\n\s+\]/);
  });
});
