import { loadConfig } from '../../shared/config';
import { PROBERS } from '../../shared/probers';
import { probeResultSchema } from '../../shared/probers/result';
import { runRound } from '../../shared/runner';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { target } from './fakes';

const DEADLINE_MS = 3000;
/** The concurrency a deployment gets when SQLPROBE_CONCURRENCY is not set. */
const DEFAULT_CONCURRENCY = loadConfig({}).settings.SQLPROBE_CONCURRENCY;

let certs: TestCerts;
let healthy: Simulator;
let hanging: Simulator;

beforeAll(async () => {
  certs = createTestCerts();
  const tls = { certFile: certs.good.certFile, keyFile: certs.good.keyFile };
  [healthy, hanging] = await Promise.all([startSim({ tls, encrypt: 'on' }), startSim({ tls, encrypt: 'on' })]);
  // Accepts the connection, reads PRELOGIN and never answers: the tls prober hangs in prelogin.
  await hanging.setFault('gateway', { kind: 'blackhole' });
}, 30_000);

afterAll(async () => {
  await Promise.all([healthy?.stop(), hanging?.stop()]);
  certs?.cleanup();
});

it('finishes a round of 200 targets, 10% hanging, within one deadline plus a margin', async () => {
  const targets = Array.from({ length: 200 }, (_, i) => target(`t${i}`, {
    port: i % 10 === 0 ? hanging.gatewayPort : healthy.gatewayPort,
    caFile: certs.caFile,
    probes: ['tcp', 'tls'],
  }));
  const t0 = performance.now();
  // The default concurrency, so the promise holds for a deployment that never set it: the 20 hanging
  // targets hold 20 slots for one deadline while the others run in the slots left.
  const report = await runRound(targets, { region: 'test', timeoutMs: DEADLINE_MS, concurrency: DEFAULT_CONCURRENCY, probers: PROBERS });
  const elapsed = performance.now() - t0;

  expect(report.results).toHaveLength(400);
  expect(report.skipped).toEqual([]);
  for (const r of report.results) probeResultSchema.parse(r);
  const isHanging = (name: string) => Number(name.slice(1)) % 10 === 0;
  const tlsResults = report.results.filter((r) => r.probe === 'tls');
  expect(tlsResults.filter((r) => isHanging(r.target)).map((r) => r.error?.class)).toEqual(Array(20).fill('timeout-prelogin'));
  expect(tlsResults.filter((r) => !isHanging(r.target)).every((r) => r.success)).toBe(true);
  expect(report.results.filter((r) => r.probe === 'tcp').every((r) => r.success)).toBe(true);
  // A bound, not a benchmark: the hanging targets ran side by side, each for its own deadline.
  expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS);
  expect(elapsed).toBeLessThan(2 * DEADLINE_MS);
  // Every probe closed its sockets, the hanging ones included.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect([...healthy.sessions(), ...hanging.sessions()]).toEqual([]);
}, 30_000);

it('retries a login that failed with a transient error and records both attempts', async () => {
  const sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on', servers: [{ errors: [{ number: 40613, times: 1 }] }] });
  try {
    const t = target('flaky', { port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' } });
    const { results } = await runRound([t], { region: 'test', timeoutMs: DEADLINE_MS, concurrency: 1, retryDelayMs: 50, probes: ['login'], probers: PROBERS, env: { SIM_PASSWORD } });
    expect(results).toHaveLength(1);
    expect(results[0].success).toBe(true);
    expect(results[0].attempts.map((a) => [a.success, a.class])).toEqual([[false, 'db-unavailable'], [true, undefined]]);
    expect(JSON.stringify(results)).not.toContain(SIM_PASSWORD);
  } finally {
    await sim.stop();
  }
}, 30_000);
