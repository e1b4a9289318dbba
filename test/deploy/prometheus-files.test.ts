// deploy/prometheus and deploy/grafana against the code: promtool checks and unit-tests the rules,
// and every metric, label and label value the rules and the dashboard read is one sqlprobe emits.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { FAILURE_CLASSES, IDLE_OUTCOMES, MEASUREMENTS, PHASES } from '../../shared/contract';
import { PROM_LABELS, PROMETHEUS, promSeriesNames, SUCCESS_CLASS } from '../../shared/telemetry';
import { PROMTOOL } from '../helpers/prometheus';
import { readRepoFile, ROOT } from '../infra/infra-files';
import { asPromql, dashboard, dashboardQueries } from './dashboard';

const DEPLOY = join(ROOT, 'deploy/prometheus');
const promtool = (...args: string[]) => promisify(execFile)(PROMTOOL, args, { cwd: DEPLOY });

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rules = (parse(readRepoFile('deploy/prometheus/rules.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

const seriesNames = (expr: string) => [...expr.matchAll(/\bsqlprobe_[a-z_]+\b/g)].map((m) => m[0]);
/** Label names in matchers ({a="x"}) and in by/without/on/group_left/group_right lists. */
function labelNames(expr: string): string[] {
  const matched = [...expr.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]);
  const grouped = [...expr.matchAll(/\b(?:by|without|on|group_left|group_right)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim()).filter(Boolean));
  return [...matched, ...grouped];
}
const valuesOf = (expr: string, label: string) => [...expr.matchAll(new RegExp(`\\b${label}\\s*(?:=|!=)\\s*"([^"]*)"`, 'g'))].map((m) => m[1]);

/** What Prometheus adds to every series (job, instance), and the bucket bound of histograms. */
const PROMETHEUS_LABELS = new Set(['job', 'instance', 'le']);
const known = new Set<string>([...Object.values(PROM_LABELS), ...PROMETHEUS_LABELS]);
const emitted = new Set(promSeriesNames());

describe.each([
  ['deploy/prometheus/rules.yml', rules.map((r) => r.expr)],
  ['deploy/grafana/sqlprobe.json', dashboardQueries.map((q) => q.expr)],
])('%s', (_file, exprs) => {
  const all = exprs.join('\n');

  it('reads only metrics sqlprobe emits, by their exposed names', () => {
    expect(exprs.length).toBeGreaterThan(0);
    expect(seriesNames(all).filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('groups and matches only on labels sqlprobe or Prometheus sets', () => {
    expect(labelNames(all).filter((l) => !known.has(l))).toEqual([]);
  });

  it('compares phase, outcome, class and measurement only with values the code emits', () => {
    expect(valuesOf(all, 'phase').filter((v) => !(PHASES as readonly string[]).includes(v))).toEqual([]);
    expect(valuesOf(all, 'outcome').filter((v) => !(IDLE_OUTCOMES as readonly string[]).includes(v))).toEqual([]);
    expect(valuesOf(all, 'class').filter((v) => v !== SUCCESS_CLASS && !(FAILURE_CLASSES as readonly string[]).includes(v))).toEqual([]);
    // measurement!="" selects the results that carry one.
    expect(valuesOf(all, 'measurement').filter((v) => v !== '' && !(MEASUREMENTS as readonly string[]).includes(v))).toEqual([]);
  });

  // The sink never observes a perturbed result's phases (test/telemetry/prometheus.test.ts), so the
  // histogram holds clean samples only, as the workbook and the Azure alert read: a measurement
  // matcher on it would match nothing (="clean") or everything (!="perturbed").
  it('reads phase latency from the histogram without a measurement matcher: it has no such label', () => {
    expect(PROMETHEUS.phaseDuration.labels).not.toContain(PROM_LABELS.measurement);
    const selectors = [...all.matchAll(/\bsqlprobe_phase_duration_seconds_\w+(\{[^}]*\})?/g)].map((m) => m[0]);
    expect(selectors.length).toBeGreaterThan(0);
    expect(selectors.filter((s) => s.includes(PROM_LABELS.measurement))).toEqual([]);
  });
});

describe('deploy/prometheus/rules.yml', () => {
  it('passes promtool check rules', async () => {
    const { stdout } = await promtool('check', 'rules', 'rules.yml');
    expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('passes its unit tests (promtool test rules), a firing and a silent case per alert', async () => {
    const { stdout } = await promtool('test', 'rules', 'rules.test.yml');
    expect(stdout).toContain('SUCCESS');
    const tests = readRepoFile('deploy/prometheus/rules.test.yml');
    for (const rule of rules) {
      const cases = [...tests.matchAll(new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:(\\s*\\[\\])?`, 'g'))];
      expect({ alert: rule.alert, firing: cases.some((c) => !c[1]), silent: cases.some((c) => !!c[1]) }).toEqual({ alert: rule.alert, firing: true, silent: true });
    }
  });

  it('holds the alerts infra/app/alerts.bicep deploys to Azure Monitor, each with a severity and a runbook line', () => {
    const azure = [...readRepoFile('infra/app/alerts.bicep').matchAll(/^\s+name: '(sqlprobe-[a-z0-9-]+)'$/gm)].map((m) => m[1]);
    const counterpart: Record<string, string> = {
      'sqlprobe-location-failing': 'SqlprobeProbeFailing',
      'sqlprobe-multi-region-failure': 'SqlprobeMultiRegionFailure',
      'sqlprobe-probe-silent': 'SqlprobeProbeSilent',
      'sqlprobe-idle-verdict-changed': 'SqlprobeIdleVerdictChanged',
      'sqlprobe-tls-cert-expiry': 'SqlprobeTlsCertExpiry',
      'sqlprobe-login-p95': 'SqlprobeLoginSlow',
    };
    expect(azure.sort()).toEqual(Object.keys(counterpart).sort());
    expect(rules.map((r) => r.alert).sort()).toEqual(Object.values(counterpart).sort());
    for (const rule of rules) {
      expect(['critical', 'error', 'warning', 'info']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toEqual(expect.any(String));
      expect(rule.annotations.description.length).toBeGreaterThan(80);
    }
  });

  it('pages like the Azure rules at the Bicep defaults: N failed rounds in a row or low availability, and no secret-missing across regions', () => {
    const main = readRepoFile('infra/main.bicep');
    const param = (name: string) => Number(new RegExp(`^param ${name} int = (\\d+)$`, 'm').exec(main)?.[1]);
    const [rounds, interval, threshold, windowMinutes] = ['failedRoundsToAlert', 'connectivityIntervalMinutes', 'availabilityThresholdPercent', 'availabilityWindowMinutes'].map(param);
    expect([rounds, interval, threshold, windowMinutes].every(Number.isInteger)).toBe(true);
    // Prometheus durations: 7.5 minutes is 7m30s, 60 is 1h.
    const duration = (minutes: number) => [[Math.floor(minutes / 60), 'h'], [Math.floor(minutes % 60), 'm'], [Math.round((minutes * 60) % 60), 's']].filter(([n]) => n).map(([n, unit]) => `${n}${unit}`).join('');
    const inARow = duration((rounds - 0.5) * interval);
    // alerts.bicep widens the availability window to hold N + 1 rounds.
    const window = duration(Math.max(windowMinutes, (rounds + 1) * interval));
    const failing = rules.find((r) => r.alert === 'SqlprobeProbeFailing')!.expr.replace(/\s+/g, ' ');
    expect(failing).toContain(`(max_over_time(sqlprobe_probe_success[${inARow}]) == 0 and changes(sqlprobe_probe_timestamp_seconds[${inARow}]) >= ${rounds - 1})`);
    expect(failing).toContain(`(avg_over_time(sqlprobe_probe_success[${window}]) < ${threshold / 100} and changes(sqlprobe_probe_timestamp_seconds[${window}]) >= ${rounds - 1})`);

    expect(readRepoFile('infra/app/queries/multi-region-failure.kql')).toContain("failureClass != 'secret-missing'");
    const multi = rules.find((r) => r.alert === 'SqlprobeMultiRegionFailure')!.expr.replace(/\s+/g, ' ');
    expect(multi).toContain('(sqlprobe_probe_success == 0) unless on (job, instance, target, region, probe) sqlprobe_probe_class_info{class="secret-missing"}');
  });

  it('is the example configuration\'s rule file, and that configuration passes promtool check config', async () => {
    expect((parse(readRepoFile('deploy/prometheus/prometheus.yml')) as { rule_files: string[] }).rule_files).toEqual(['rules.yml']);
    const { stdout } = await promtool('check', 'config', 'prometheus.yml');
    expect(stdout).toMatch(/SUCCESS: prometheus\.yml is valid prometheus config file syntax/);
  });
});

describe('deploy/grafana/sqlprobe.json', () => {
  it('has the panels of the Azure workbook, each as the same kind of chart', () => {
    const workbook = JSON.parse(readRepoFile('infra/app/workbook.json')) as { items: { type: number; name: string; content: { visualization?: string } }[] };
    // Workbook query items, by name, to the dashboard panel that shows the same, and that panel's type.
    const panels: Record<string, [string, string]> = {
      'availability-grid': ['Availability % (target × region)', 'table'],
      'phase-latency': ['Phase latency over time (selected percentile)', 'timeseries'],
      'phase-latency-table': ['Phase latency percentiles by region', 'table'],
      'probe-load': ["Results perturbed by the prober's own load (%)", 'timeseries'],
      'idle-survival': ['Surviving fraction by idle age (%)', 'barchart'],
      'failure-classes': ['Failure classes over time', 'timeseries'],
      verdicts: ['Current verdicts and recommendations', 'table'],
    };
    expect(workbook.items.filter((i) => i.type === 3).map((i) => i.name).sort()).toEqual(Object.keys(panels).sort());
    for (const [title, type] of Object.values(panels)) {
      const panel = dashboard.panels.find((p) => p.title === title);
      expect({ title, type: panel?.type, queries: panel?.targets?.length ?? 0 }).toEqual({ title, type, queries: expect.any(Number) });
      expect(panel?.targets?.length).toBeGreaterThan(0);
    }
  });

  it('offers the workbook\'s parameters: a data source, the targets and the percentile', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'target', 'percentile']);
  });

  it('has queries that are valid PromQL (promtool parses each one as a recording rule)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlprobe-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: dashboardQueries.map((q, i) => ({ record: `sqlprobe:dashboard_query_${i}`, expr: asPromql(q.expr) })) }] }));
      const { stdout } = await promtool('check', 'rules', file);
      expect(stdout).toContain(`SUCCESS: ${dashboardQueries.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
