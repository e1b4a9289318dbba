// /probe and /metrics on the local server, against the simulator: what each query answers, the
// scrape timeout as the deadline, the ad-hoc allowlist, and the cap on probes in flight.
import { probeTarget, runtimeFromEnv, type AppRuntime } from '../../shared/app';
import { PrometheusTelemetry } from '../../shared/telemetry/prometheus';
import type { Simulator } from '../../sim';
import { metricsRoute, probeRoute } from '../../cli/serve/metrics-routes';
import { startLocalServer, type LocalServer } from '../../cli/serve/server';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';

let certs: TestCerts;
let healthy: Simulator;
let hanging: Simulator;
let rt: AppRuntime;
let server: LocalServer;
const sink = new PrometheusTelemetry();
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** fetch asks for gzip, as Prometheus does, and decodes it. */
async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; encoding: string | null; text: string }> {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { status: response.status, type: response.headers.get('content-type') ?? '', encoding: response.headers.get('content-encoding'), text: await response.text() };
}

/** `name{labels} value` lines of an exposition, without the histogram buckets. */
const sampleLines = (text: string) => text.split('\n').filter((l) => l.startsWith('sqlprobe_') && !l.includes('_bucket'));

beforeAll(async () => {
  certs = createTestCerts();
  [healthy, hanging] = await Promise.all([startSim({ policy: 'redirect', tls: certs.good }), startSim({ tls: certs.good })]);
  // The gateway accepts connections and never answers: a probe there waits for its deadline.
  await hanging.setFault('gateway', { kind: 'blackhole' });
  const target = (name: string, sim: Simulator) => ({ name, server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PW' } });
  rt = await runtimeFromEnv({
    SQLPROBE_TARGETS: JSON.stringify([target('healthy', healthy), target('hanging', hanging), { name: 'edge', server: '127.0.0.1', port: healthy.gatewayPort, database: 'appdb', caFile: certs.caFile }]),
    SIM_PW: SIM_PASSWORD,
    SQLPROBE_REGION: 'lab',
    // Beyond the test's own timeout: only the scrape timeout can end a probe of the hanging target in time.
    SQLPROBE_PROBE_TIMEOUT: '45s',
    SQLPROBE_CONCURRENCY: '1',
    SQLPROBE_ADHOC_ALLOWLIST: '127.0.0.1',
    // These tests log in to one target again and again; the cool-down has tests of its own (probe-route-bounds).
    SQLPROBE_LOGIN_COOLDOWN: 'off',
  });
  server = await startLocalServer({ host: '127.0.0.1', port: 0, routes: [metricsRoute(sink), probeRoute(rt, quiet)] });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await Promise.all([healthy?.stop(), hanging?.stop()]);
  certs?.cleanup();
});

describe('GET /probe?target=NAME', () => {
  it('probes the configured target now and answers with those results alone, in the Prometheus text format', async () => {
    const { status, type, encoding, text } = await get('/probe?target=healthy&probes=tcp,login');
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(encoding).toBe('gzip');
    const success = sampleLines(text).filter((l) => l.startsWith('sqlprobe_probe_success'));
    expect(success).toEqual([
      'sqlprobe_probe_success{target="healthy",region="lab",probe="tcp"} 1',
      'sqlprobe_probe_success{target="healthy",region="lab",probe="login"} 1',
    ]);
    expect(sampleLines(text)).toContain('sqlprobe_connection_policy_info{target="healthy",region="lab",policy="redirect"} 1');
    // Clean or perturbed as this machine's load has it: a clean login's phases are in the histogram,
    // a perturbed one's are not; either way, the result's loop lag beside it.
    const measured = sampleLines(text).map((l) => /^sqlprobe_probe_results_total\{target="healthy",region="lab",probe="login",class="ok",measurement="(clean|perturbed)"\} 1$/.exec(l)?.[1]).filter(Boolean);
    expect(measured).toEqual([expect.stringMatching(/^(clean|perturbed)$/)]);
    const reroute = sampleLines(text).filter((l) => l.startsWith('sqlprobe_phase_duration_seconds_count{target="healthy",region="lab",probe="login",phase="reroute"'));
    expect(reroute).toEqual(measured[0] === 'clean' ? ['sqlprobe_phase_duration_seconds_count{target="healthy",region="lab",probe="login",phase="reroute"} 1'] : []);
    expect(sampleLines(text).filter((l) => l.startsWith('sqlprobe_probe_loop_lag_seconds')).map((l) => /probe="(\w+)"/.exec(l)![1])).toEqual(['tcp', 'login']);
  });

  it('runs the target\'s own connectivity probes by default, and leaves /metrics and telemetry alone', async () => {
    const { text } = await get('/probe?target=healthy');
    expect(sampleLines(text).filter((l) => l.startsWith('sqlprobe_probe_success')).map((l) => /probe="(\w+)"/.exec(l)![1])).toEqual(['dns', 'tcp', 'tls', 'login']);
    expect(sampleLines((await get('/metrics')).text)).toEqual([]);
    expect(await rt.store.latestResults()).toEqual([]);
  });

  it('ends the probes by the scrape timeout the header gives, and reports the probe it cut short as a timeout', async () => {
    const { status, text } = await get('/probe?target=hanging&probes=tls', { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    expect(status).toBe(200);
    expect(sampleLines(text)).toContain('sqlprobe_probe_success{target="hanging",region="lab",probe="tls"} 0');
    expect(sampleLines(text)).toContain('sqlprobe_probe_class_info{target="hanging",region="lab",probe="tls",class="timeout-prelogin"} 1');
  });

  it('answers 503 while SQLPROBE_CONCURRENCY probes are already running', async () => {
    const opened = new Promise<void>((resolve) => {
      const onEvent = (e: { kind: string }) => {
        if (e.kind !== 'fault') return;
        hanging.events.off('event', onEvent);
        resolve();
      };
      hanging.events.on('event', onEvent);
    });
    const first = get('/probe?target=hanging&probes=tcp,tls', { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    await opened;
    const second = await get('/probe?target=healthy&probes=tcp');
    expect(second.status).toBe(503);
    expect(second.text).toMatch(/SQLPROBE_CONCURRENCY/);
    expect((await first).status).toBe(200);
    expect((await get('/probe?target=healthy&probes=tcp')).status).toBe(200);
  });

  it.each([
    ['/probe?target=nope', 404, /no configured target "nope"/],
    ['/probe', 400, /expected either target=NAME .* or server=HOST/],
    ['/probe?target=healthy&server=127.0.0.1', 400, /expected either target=NAME/],
    ['/probe?target=Not_A_Name', 400, /^target: expected a slug/],
    ['/probe?target=healthy&probes=idle', 400, /expected dns, tcp, tls or login \(idle and pool hold connections/],
    ['/probe?target=healthy&probes=', 400, /expected at least one of dns, tcp, tls, login/],
    ['/probe?target=healthy&module=tcp', 400, /unknown query parameter module/],
    ['/probe?target=edge&probes=login', 400, /target "edge" has auth type none: only dns, tcp, tls can run, not login/],
  ])('%s answers %i with the reason', async (path, status, reason) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.type).toBe('text/plain; charset=utf-8');
    expect(answer.text).toMatch(reason);
  });

  it.each([['abc'], ['0'], ['-1'], ['601']])('refuses the scrape timeout header %p with 400', async (header) => {
    const answer = await get('/probe?target=healthy&probes=tcp', { 'X-Prometheus-Scrape-Timeout-Seconds': header });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/^X-Prometheus-Scrape-Timeout-Seconds: expected/);
  });
});

describe('GET /probe?server=HOST: an ad-hoc server', () => {
  it('is probed when SQLPROBE_ADHOC_ALLOWLIST names it, without credentials, and not recorded', async () => {
    const { status, text } = await get(`/probe?server=127.0.0.1&port=${healthy.gatewayPort}&probes=tcp`);
    expect(status).toBe(200);
    expect(sampleLines(text).filter((l) => l.startsWith('sqlprobe_probe_success'))).toEqual(['sqlprobe_probe_success{target="adhoc",region="lab",probe="tcp"} 1']);
  });

  it.each([
    ['/probe?server=localhost', 403, /server "localhost" is not in SQLPROBE_ADHOC_ALLOWLIST/],
    ['/probe?server=127.0.0.1&probes=login', 400, /has auth type none/],
    ['/probe?server=127.0.0.1&auth=managed-identity', 400, /only for Azure SQL names/],
    ['/probe?server=127.0.0.1&auth=sql', 400, /^auth: expected "none" or "managed-identity"/],
    ['/probe?server=127.0.0.1&port=99999', 400, /^port: expected an integer 1–65535/],
    ['/probe?server=127.0.0.1&trustServerCertificate=true', 400, /unknown query parameter trustServerCertificate/],
  ])('%s answers %i', async (path, status, reason) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.text).toMatch(reason);
  });

  it('is refused with 403 while the allowlist is empty, the default', async () => {
    const closed = await runtimeFromEnv({ SQLPROBE_TARGETS: '[]' });
    const other = await startLocalServer({ host: '127.0.0.1', port: 0, routes: [probeRoute(closed, quiet)] });
    try {
      const response = await fetch(`${other.url}/probe?server=127.0.0.1`);
      expect(response.status).toBe(403);
      expect(await response.text()).toMatch(/ad-hoc servers are off/);
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics', () => {
  it('serves what the sink recorded', async () => {
    const metrics = new PrometheusTelemetry();
    const other = await startLocalServer({ host: '127.0.0.1', port: 0, routes: [metricsRoute(metrics)] });
    try {
      const { results } = await probeTarget(rt, rt.targets.find((t) => t.name === 'healthy')!, { budgetMs: 20_000, probes: ['tcp'], record: false }, quiet);
      for (const r of results) metrics.record(r);
      await metrics.flush();
      const response = await fetch(`${other.url}/metrics`);
      expect(response.headers.get('content-type')).toBe(metrics.contentType);
      expect(response.headers.get('content-encoding')).toBe('gzip');
      expect(sampleLines(await response.text())).toContain('sqlprobe_probe_success{target="healthy",region="lab",probe="tcp"} 1');
      // A client that does not ask for gzip (curl without --compressed) gets the text as it is.
      const plain = await fetch(`${other.url}/metrics`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(await plain.text()).toBe(await metrics.exposition());
    } finally {
      await other.close();
    }
  });
});
