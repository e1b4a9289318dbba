// Alert queries and the workbook read only names that the telemetry module emits: renaming a metric,
// event or dimension in shared/telemetry/names.ts without updating infra/ fails here.
import { IDLE_OUTCOMES, PHASES, probeResultSchema } from '../../shared/contract';
import { DIMENSIONS, EVENTS, METRICS } from '../../shared/telemetry';
import { dimensionNames, infraFiles, sqlprobeNames } from './infra-files';

const dimensions = new Set<string>(Object.values(DIMENSIONS));
const metricsAndEvents = new Set<string>([...Object.values(METRICS), ...Object.values(EVENTS)]);
const queryFiles = infraFiles('.bicep', '.kql', '.json');

describe('telemetry names in alert queries and the workbook', () => {
  it('extracts names in every spelling the queries use', () => {
    expect(dimensionNames("tostring(customDimensions.target) customDimensions['previousVerdict'] customDimensions [\"x\"]")).toEqual(['target', 'previousVerdict', 'x']);
    expect(sqlprobeNames("name == 'sqlprobe.phase.duration' or name == \"sqlprobe.idle.verdict_changed\"")).toEqual(['sqlprobe.phase.duration', 'sqlprobe.idle.verdict_changed']);
  });

  it.each(queryFiles.map((f) => [f.path, f.text]))('%s reads only known dimensions', (_path, text) => {
    expect(dimensionNames(text).filter((n) => !dimensions.has(n))).toEqual([]);
  });

  it.each(queryFiles.map((f) => [f.path, f.text]))('%s names only known metrics and events', (_path, text) => {
    expect(sqlprobeNames(text).filter((n) => !metricsAndEvents.has(n))).toEqual([]);
  });

  it('covers the metrics and the event the alerts and workbook are built on', () => {
    const used = new Set(queryFiles.flatMap((f) => sqlprobeNames(f.text)));
    for (const name of [METRICS.phaseDuration, METRICS.idleOutcome, METRICS.certDaysLeft, EVENTS.verdictChanged]) expect(used).toContain(name);
  });

  it('compares phase and idle-outcome dimensions only with values the code emits', () => {
    const text = queryFiles.map((f) => f.text).join('\n');
    const compared = (re: RegExp) => [...text.matchAll(re)].map((m) => m[1]);
    expect(compared(/customDimensions\.phase\) == '([^']+)'/g).filter((v) => !(PHASES as readonly string[]).includes(v))).toEqual([]);
    const outcomes = compared(/outcome [!=]= '([^']+)'/g);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((v) => !(IDLE_OUTCOMES as readonly string[]).includes(v))).toEqual([]);
  });

  it('leaves perturbed samples out of the login alert and the workbook\'s latency charts, comparing only measurements the code emits', () => {
    const excludes = (text: string) => text.includes("tostring(customDimensions.measurement) != 'perturbed'");
    expect(excludes(infraFiles('login-p95.kql')[0].text)).toBe(true);
    const workbook = JSON.parse(infraFiles('workbook.json')[0].text) as { items: { content: { query?: string } }[] };
    const latency = workbook.items.map((i) => i.content.query ?? '').filter((q) => q.includes(METRICS.phaseDuration));
    expect(latency.length).toBeGreaterThan(0);
    expect(latency.filter((q) => !excludes(q))).toEqual([]);
    const text = queryFiles.map((f) => f.text).join('\n');
    const compared = [...text.matchAll(/customDimensions\.measurement\) [!=]= '([^']+)'/g)].map((m) => m[1]);
    expect(compared.filter((v) => !(probeResultSchema.shape.measurement.unwrap().options as readonly string[]).includes(v))).toEqual([]);
  });

  it('queries the classic App Insights tables only, never the workspace ones', () => {
    const workspaceTables = /\bApp(AvailabilityResults|Metrics|Events|Dependencies|Traces)\b/;
    expect(queryFiles.filter((f) => workspaceTables.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('uses every query file in an alert rule', () => {
    const alerts = infraFiles('alerts.bicep')[0].text;
    for (const kql of infraFiles('.kql')) expect(alerts).toContain(`loadTextContent('queries/${kql.path.split('/').pop()}')`);
  });
});
