import { loadConfig } from '../../shared/config';
import { PROBERS } from '../../shared/probers';
import { probeResultSchema } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { target } from '../helpers/targets';
import { eventually } from '../probers/helpers/matrix';
import { collectRound } from './fakes';

/**
 * Long enough that 180 healthy targets' TCP and TLS finish well inside it on a loaded machine (they
 * take under a second on a quiet one), so the order asserted below is the runner's doing alone.
 */
const DEADLINE_MS = 10_000;
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

/** When a result started and settled, in ms on the wall clock its `startedAt` is stamped on. */
const span = (r: { startedAt: string; durationMs: number }) => ({ start: Date.parse(r.startedAt), end: Date.parse(r.startedAt) + r.durationMs });

it('runs a round of 200 targets, 10% hanging: a hanging target never delays the others beyond its own deadline', async () => {
  const targets = Array.from({ length: 200 }, (_, i) => target({
    name: `t${i}`,
    port: i % 10 === 0 ? hanging.gatewayPort : healthy.gatewayPort,
    caFile: certs.caFile,
    probes: ['tcp', 'tls'],
  }));
  // The default concurrency and the process's load-aware gate, so the promise holds for a deployment
  // that never set it: the 20 hanging targets hold 20 slots for one deadline while the others run in
  // the slots left, and the gate, which paces starts by the loop's load, holds nothing for them.
  const { results, skipped } = await collectRound(targets, { env: {}, region: 'test', timeoutMs: DEADLINE_MS, concurrency: DEFAULT_CONCURRENCY, probers: PROBERS });

  expect(results).toHaveLength(400);
  expect(skipped).toEqual([]);
  for (const r of results) probeResultSchema.parse(r);
  const isHanging = (name: string) => Number(name.slice(1)) % 10 === 0;
  const tlsResults = results.filter((r) => r.probe === 'tls');
  const hangingTls = tlsResults.filter((r) => isHanging(r.target));
  expect(hangingTls.map((r) => r.error?.class)).toEqual(Array(20).fill('timeout-prelogin'));
  expect(tlsResults.filter((r) => !isHanging(r.target)).every((r) => r.success)).toBe(true);
  expect(results.filter((r) => r.probe === 'tcp').every((r) => r.success)).toBe(true);
  // Each hanging probe ended at its own deadline, not before it (when after it is round.test.ts's
  // business, on jest's clock: deadline plus grace).
  for (const r of hangingTls) expect(r.durationMs).toBeGreaterThanOrEqual(DEADLINE_MS - 10); // timers are ms-granular
  // The order of events, not their timing: every healthy target started before the first hanging
  // probe reached its deadline, so none waited for a slot a hanging one held. (Were the hanging
  // targets to take every slot, as with a concurrency of 10, the healthy ones after them would start
  // only once a deadline freed one.)
  const lastHealthyStart = Math.max(...results.filter((r) => !isHanging(r.target)).map((r) => span(r).start));
  const firstDeadline = Math.min(...hangingTls.map((r) => span(r).end));
  expect(lastHealthyStart).toBeLessThan(firstDeadline);
  // Every probe closed its sockets, the hanging ones included.
  expect(await eventually(() => healthy.sessions().length + hanging.sessions().length === 0)).toBe(true);
}, 60_000);

it('retries a login that failed with a transient error and records both attempts', async () => {
  const sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on', servers: [{ errors: [{ number: 40613, times: 1 }] }] });
  try {
    const t = target({ name: 'flaky', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' } });
    const { results } = await collectRound([t], { region: 'test', timeoutMs: DEADLINE_MS, concurrency: 1, retryDelayMs: 50, probes: ['login'], probers: PROBERS, env: { SIM_PASSWORD } });
    expect(results).toHaveLength(1);
    expect(results[0].success).toBe(true);
    expect(results[0].attempts.map((a) => [a.success, a.class])).toEqual([[false, 'db-unavailable'], [true, undefined]]);
    expect(JSON.stringify(results)).not.toContain(SIM_PASSWORD);
  } finally {
    await sim.stop();
  }
}, 30_000);
