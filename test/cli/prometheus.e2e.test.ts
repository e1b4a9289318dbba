// A real Prometheus scrapes a real `sqlprobe start` that probes the simulator, through /metrics and
// through /probe with the relabelling of deploy/prometheus/prometheus.yml, evaluates
// deploy/prometheus/rules.yml, and the test reads the values back through Prometheus's HTTP API.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Simulator } from '../../sim';
import { asPromql, dashboardQueries } from '../deploy/dashboard';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { eventually, startPrometheus, type RunningPrometheus, type Sample } from '../helpers/prometheus';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { BUILD_TIMEOUT_MS, buildCli, runCli, spawnCli, type BuiltCli } from './cli-process';

const DEPLOY = join(__dirname, '../../deploy/prometheus');
const TARGETS = ['healthy-proxy', 'healthy-redirect', 'blocked'];
/**
 * The closest schedule the product accepts is 10 s; at 20 s a round's budget is 10 s (half the
 * interval), room for a loaded machine's TLS logins, and the blocked target's second failed round,
 * which SqlprobeProbeFailing waits for, comes within 40 s.
 */
const SCHEDULE = '*/20 * * * * *';

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs: { targets: string[] }[];
  relabel_configs?: { target_label: string; replacement?: string }[];
}

/** The example configuration, pointed at this sqlprobe and these targets, with intervals of seconds. */
function prometheusConfig(address: string): object {
  const config = parse(readFileSync(join(DEPLOY, 'prometheus.yml'), 'utf8')) as { global: object; rule_files: string[]; scrape_configs: ScrapeConfig[] };
  for (const job of config.scrape_configs) {
    const relabelled = job.relabel_configs?.find((r) => r.target_label === '__address__');
    if (relabelled) {
      relabelled.replacement = address;
      job.static_configs = [{ targets: TARGETS }];
      // Each /probe scrape probes for real: keep its deadline well above a loaded machine's TLS logins,
      // and the scrapes of one target further apart than the on-demand login cool-down (5 s), which
      // would answer a closer one 429.
      Object.assign(job, { scrape_interval: '10s', scrape_timeout: '10s' });
    } else {
      job.static_configs = [{ targets: [address] }];
      Object.assign(job, { scrape_interval: '1s' });
    }
  }
  return { ...config, global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: config.rule_files.map((f) => join(DEPLOY, f)) };
}

let cli: BuiltCli;
let certs: TestCerts;
let sims: Simulator[] = [];
let sqlprobe: ReturnType<typeof spawnCli>;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  [cli, certs] = await Promise.all([buildCli(), Promise.resolve(createTestCerts())]);
  sims = await Promise.all([
    startSim({ policy: 'proxy', tls: certs.good }),
    startSim({ policy: 'redirect', tls: certs.good }),
    // Every login is refused by the server firewall, as Azure SQL words it.
    startSim({ policy: 'proxy', tls: certs.good, servers: [{ errors: [{ number: 40615 }] }] }),
  ]);
  const targets = TARGETS.map((name, i) => ({
    name, server: '127.0.0.1', port: sims[i].gatewayPort, database: 'appdb', caFile: certs.caFile,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_LOGIN_PASSWORD' },
  }));
  sqlprobe = spawnCli(cli, ['start', '--metrics-port', '0'], {
    SQLPROBE_TARGETS: JSON.stringify(targets),
    SIM_LOGIN_PASSWORD: SIM_PASSWORD,
    SQLPROBE_REGION: 'lab',
    SQLPROBE_CONNECTIVITY_SCHEDULE: SCHEDULE,
    // No idle tick: these targets have no idle probe, and it would only add noise.
    SQLPROBE_IDLE_SCHEDULE: '0 0 0 1 1 *',
  });
  await sqlprobe.waitFor(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
  const address = /Prometheus metrics on http:\/\/(127\.0\.0\.1:\d+)\/metrics/.exec(sqlprobe.output())![1];
  prometheus = await startPrometheus(prometheusConfig(address));
}, BUILD_TIMEOUT_MS + 30_000);

/** Processes a test started on its own: killed here too, should the test time out before its finally. */
const spawned: ChildProcess[] = [];

afterAll(async () => {
  for (const child of spawned) child.kill('SIGKILL');
  await prometheus?.stop();
  if (sqlprobe && sqlprobe.child.exitCode === null) {
    sqlprobe.child.kill('SIGINT');
    await sqlprobe.exited;
  }
  await Promise.all(sims.map((s) => s.stop()));
  certs?.cleanup();
  cli?.cleanup();
});

/** The samples of `promql` once there are `count` of them (one per target, say). */
const samples = (promql: string, count = 1): Promise<Sample[]> =>
  eventually(`${count} sample(s) of ${promql}`, async () => {
    const found = await prometheus.query(promql);
    return found.length >= count ? found : undefined;
  });

const byTarget = (found: Sample[], label = 'target') => Object.fromEntries(found.map((s) => [s.metric[label], s]));

describe.each([
  // /metrics is one instance, sqlprobe's address; under /probe each target is an instance of its own, named by the relabelling.
  ['/metrics', 'sqlprobe', 'target', () => expect.any(String)],
  ['/probe with relabel_configs', 'sqlprobe-probe', 'instance', (t: string) => t],
])('Prometheus scraping sqlprobe start through %s', (_path, job, key, instanceOf) => {
  it('sees success 1 for healthy targets, and 0 with the class firewall-blocked for the one the firewall refuses', async () => {
    const success = byTarget(await samples(`sqlprobe_probe_success{job="${job}", probe="login"}`, 3), key);
    expect(Object.fromEntries(TARGETS.map((t) => [t, success[t]?.value]))).toEqual({ 'healthy-proxy': 1, 'healthy-redirect': 1, blocked: 0 });
    for (const t of TARGETS) expect(success[t].metric).toMatchObject({ target: t, instance: instanceOf(t), region: 'lab' });

    const classes = byTarget(await samples(`sqlprobe_probe_class_info{job="${job}", probe="login"}`, 3), key);
    expect(Object.fromEntries(TARGETS.map((t) => [t, classes[t].metric.class]))).toEqual({ 'healthy-proxy': 'ok', 'healthy-redirect': 'ok', blocked: 'firewall-blocked' });
    const failures = await samples(`sqlprobe_probe_results_total{job="${job}", class="firewall-blocked"}`);
    expect(failures.map((s) => s.metric[key])).toEqual(['blocked']);
  }, 90_000);

  it('labels the path each login took: proxy through the gateway, redirect to the node', async () => {
    // A login the firewall refused never learnt its path: the blocked target has no policy series.
    const policy = await samples(`sqlprobe_connection_policy_info{job="${job}"}`, 2);
    expect(Object.fromEntries(policy.map((s) => [s.metric[key], s.metric.policy]))).toEqual({ 'healthy-proxy': 'proxy', 'healthy-redirect': 'redirect' });
  }, 90_000);

  it('observes the phases of every login result but the perturbed ones in the phase histogram, and reports TLS facts', async () => {
    const t = 'healthy-redirect';
    const at = `job="${job}", ${key}="${t}"`;
    const on = 'on (job, instance, target, region, probe)';
    const results = (measurement = '') => `sum without (class, measurement) (sqlprobe_probe_results_total{${at}, probe="login"${measurement}})`;
    // A series that does not exist yet (no clean result, or no perturbed one, so far) counts 0.
    const orZero = (promql: string) => `(${promql} or ${on} 0 * ${results()})`;
    await samples(`${results()} > 0`);
    // Whatever share of results this machine's load perturbs: results = observed + perturbed, for the
    // login phase and the redirect's reroute phase, each read at one instant so a round landing
    // between its terms cannot make them differ.
    for (const phase of ['login', 'reroute']) {
      const observed = `sum without (phase) (sqlprobe_phase_duration_seconds_count{${at}, probe="login", phase="${phase}"})`;
      const unobserved = await samples(`${results()} - ${on} (${orZero(observed)} + ${on} ${orZero(results(', measurement="perturbed"'))})`);
      expect({ phase, unobserved: unobserved.map((s) => s.value) }).toEqual({ phase, unobserved: unobserved.map(() => 0) });
    }
    // The phase durations fall in the buckets: none above the default probe timeout.
    const inf = await prometheus.query(`sqlprobe_phase_duration_seconds_bucket{${at}, probe="login", phase="login", le="+Inf"} - on (job, instance, target, region, probe, phase) sqlprobe_phase_duration_seconds_bucket{${at}, probe="login", phase="login", le="30"}`);
    expect(inf.map((s) => s.value)).toEqual(inf.map(() => 0));

    const [tls] = await samples(`sqlprobe_tls_info{${at}}`);
    expect(tls.metric.version).toMatch(/^TLSv1\.[23]$/);
    // The test certificate is valid for 365 days from today.
    const [expiry] = await samples(`(sqlprobe_tls_cert_expiry_timestamp_seconds{${at}} - time()) / 86400`);
    expect(expiry.value).toBeGreaterThan(360);
    expect(expiry.value).toBeLessThanOrEqual(366);
  }, 90_000);
});

describe('Prometheus evaluating deploy/prometheus/rules.yml over both jobs', () => {
  it('fires SqlprobeProbeFailing for the blocked target only, after its second failed round, with its class, and evaluates every rule without error', async () => {
    const firing = await samples('ALERTS{alertname="SqlprobeProbeFailing", alertstate="firing"}', 2);
    expect(new Set(firing.map((s) => s.metric.target))).toEqual(new Set(['blocked']));
    expect(new Set(firing.map((s) => s.metric.job))).toEqual(new Set(['sqlprobe', 'sqlprobe-probe']));
    expect(firing.every((s) => s.metric.probe === 'login')).toBe(true);
    const { alerts } = await prometheus.api<{ alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string; activeAt: string }[] }>('/api/v1/alerts');
    const failing = alerts.filter((a) => a.labels.alertname === 'SqlprobeProbeFailing' && a.state === 'firing');
    // The class is in the summary, not a label: a class that changed would resolve the alert and page again.
    expect(failing.map((a) => a.annotations.summary)).toEqual(Array(2).fill('sqlprobe: blocked/login fails from lab (firewall-blocked, 0% available over the hour)'));
    // One failed round never fires: each job's alert became active only after the second result started.
    const { result: starts } = await prometheus.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('sqlprobe_probe_timestamp_seconds{target="blocked", probe="login"}[1h]')}`);
    for (const alert of failing) {
      const [, second] = [...new Set(starts.find((s) => s.metric.job === alert.labels.job)!.values.map(([, v]) => Number(v)))];
      expect(second).toEqual(expect.any(Number));
      expect(Date.parse(alert.activeAt) / 1000).toBeGreaterThanOrEqual(second);
    }

    const { groups } = await prometheus.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBe(6);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  }, 90_000);

  it('scrapes both jobs without an error (the exposition parses)', async () => {
    const { activeTargets } = await prometheus.api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>('/api/v1/targets');
    expect(activeTargets.map((t) => t.labels.job).sort()).toEqual(['sqlprobe', 'sqlprobe-probe', 'sqlprobe-probe', 'sqlprobe-probe']);
    const up = await samples('up{job=~"sqlprobe.*"} == 1', 4);
    expect(up).toHaveLength(4);
  }, 90_000);
});

describe('the Grafana dashboard\'s queries on this Prometheus', () => {
  const query = (panel: string) => asPromql(dashboardQueries.find((q) => q.panel === panel)!.expr, '2m', '30s');

  it('fill the availability grid: every target, the blocked one below its healthy probes', async () => {
    const grid = byTarget(await samples(query('Availability % (target × region)'), 3));
    expect(Object.keys(grid).sort()).toEqual([...TARGETS].sort());
    // Its login always fails, its dns, tcp and tls probes succeed.
    expect(grid.blocked.value).toBeLessThanOrEqual(75);
    expect(grid['healthy-proxy'].value).toBeGreaterThan(75);
  }, 90_000);

  it('draw phase latency and failure classes from the same series', async () => {
    const latency = query('Phase latency over time (selected percentile)');
    await samples('sqlprobe_probe_results_total{job="sqlprobe", probe="login"} > 0');
    // The histogram holds clean samples only: a phase whose results in the window were all
    // perturbed (this machine's load may do that) has no quantile (NaN), and one never observed
    // clean has no series. Both read at one instant a few scrapes back, so every scrape they read
    // is complete.
    const time = Date.now() / 1000 - 5;
    const phases = byTarget(await prometheus.query(latency, time), 'phase');
    const observed = byTarget(await prometheus.query('sum by (phase) (increase(sqlprobe_phase_duration_seconds_count[30s]))', time), 'phase');
    expect(Object.keys(phases).sort()).toEqual(Object.keys(observed).sort());
    // A drawn quantile is a duration inside the probe's deadline (the panel's rate and the count's
    // increase extrapolate differently at a window's edge, so which phases are drawn is not compared).
    const outOfRange = Object.values(phases).filter((s) => Number.isFinite(s.value) && !(s.value >= 0 && s.value <= 30));
    expect(outOfRange).toEqual([]);
    const classes = await samples(query('Failure classes over time'));
    expect(classes.map((s) => s.metric.class)).toEqual(['firewall-blocked']);
  }, 90_000);

  it('chart the share of results perturbed by the prober\'s own load and the largest loop lag, per region', async () => {
    const [share, lag] = dashboardQueries.filter((q) => q.panel === 'Results perturbed by the prober\'s own load (%)').map((q) => asPromql(q.expr, '2m', '30s'));
    const [perturbed] = await samples(share);
    expect(perturbed.metric.region).toBe('lab');
    expect(perturbed.value).toBeGreaterThanOrEqual(0);
    expect(perturbed.value).toBeLessThanOrEqual(100);
    const [maxLag] = await samples(lag);
    expect(maxLag.metric.region).toBe('lab');
    // Seconds: a loop that lagged by more than a probe's whole deadline would have timed it out.
    expect(maxLag.value).toBeGreaterThanOrEqual(0);
    expect(maxLag.value).toBeLessThan(30);
  }, 90_000);

  it('run every other panel\'s query without an error', async () => {
    for (const q of dashboardQueries) await expect(prometheus.query(asPromql(q.expr, '2m', '30s'))).resolves.toEqual(expect.any(Array));
  }, 90_000);
});

describe('sqlprobe start: the metrics port and address', () => {
  it.each([
    [['--metrics-port', '70000'], {}, /^sqlprobe: --metrics-port: expected an integer 0–65535, got "70000"$/m],
    [['--metrics-host', '0.0.0.0'], {}, /^sqlprobe: --metrics-host: serves nothing without a port; add --metrics-port \(or SQLPROBE_METRICS_PORT\)/m],
    [['--metrics-port', '0', '--metrics-host', 'metrics.example.com'], {}, /^sqlprobe: --metrics-host: expected an IP address to listen on/m],
    [[], { SQLPROBE_METRICS_PORT: 'ninety' }, /^sqlprobe: SQLPROBE_METRICS_PORT: expected an integer 0–65535, got "ninety"$/m],
  ])('start %j exits 2 naming the flag or setting and the fix', async (args, env, message) => {
    const run = await runCli(cli, ['start', ...args], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when the port is taken, naming it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCli(cli, ['start', '--metrics-port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toMatch(new RegExp(`cannot serve on 127\\.0\\.0\\.1:${port}: the port is in use; pick another with --metrics-port`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);

  it('warns when told to listen beyond loopback, and serves there', async () => {
    const proc = spawnCli(cli, ['start', '--metrics-port', '0', '--metrics-host', '0.0.0.0']);
    spawned.push(proc.child);
    try {
      await proc.waitFor(/warning: serving on http:\/\/0\.0\.0\.0:\d+ to the network, without authentication: anyone who reaches it sees the targets and their results/);
      await proc.waitFor(/Prometheus metrics on http:\/\/0\.0\.0\.0:\d+\/metrics/);
      const port = /http:\/\/0\.0\.0\.0:(\d+)\/metrics/.exec(proc.output())![1];
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      proc.child.kill('SIGINT');
      expect(await proc.exited).toBe(0);
    } finally {
      proc.child.kill('SIGKILL');
    }
  }, 60_000);
});
