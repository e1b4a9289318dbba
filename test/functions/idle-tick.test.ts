import type { Timer } from '@azure/functions';
import { idleTickTimer } from '../../functions/handlers/timers';
import { IdleRegistry } from '../../shared/idle';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_USER, startSim } from '../helpers/sim';
import { context, SECRET, testRuntime } from './helpers';

const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let certs: TestCerts;
let sim: Simulator;
const registry = new IdleRegistry({ slackMs: 50 });

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on', idleTimeoutMs: 500, idleClose: 'rst' });
}, 30_000);

afterAll(async () => {
  await registry.close();
  await sim?.stop();
  certs?.cleanup();
});

it('drives the idle registry: a quiet tick reports nothing, a settled rung reports its result and the new verdict', async () => {
  const rt = testRuntime({
    SQLPROBE_REGION: 'test',
    SIM_PASSWORD: SECRET,
    SQLPROBE_TARGETS: JSON.stringify([{
      name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, probes: ['idle'],
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
      idle: { rungs: ['1s'], keepalive: ['on', 'off'], useTimeout: '2s' },
    }]),
  }, { idle: registry });
  const tick = idleTickTimer(async () => rt);

  await tick(timer, context('idle-tick'));
  expect(rt.telemetry.results).toEqual([]);
  expect(registry.held('orders')).toBe(2);

  await sleep(1200);
  const ctx = context('idle-tick');
  await tick(timer, ctx);
  expect(rt.telemetry.results).toHaveLength(1);
  const [result] = rt.telemetry.results;
  expect(result.idle?.outcomes.map((o) => [o.keepalive, o.outcome, o.close])).toEqual(expect.arrayContaining([['on', 'closed-by-peer', 'rst'], ['off', 'closed-by-peer', 'rst']]));
  expect(rt.telemetry.changes).toEqual([expect.objectContaining({ target: 'orders', region: 'test', verdict: 'gateway-idle-kill' })]);
  expect(rt.telemetry.changes[0].previous).toBeUndefined();
  expect(ctx.lines).toEqual([expect.stringMatching(/idle tick reported 1 result/)]);
  expect((await rt.store.latestResults()).map((r) => r.probe)).toEqual(['idle']);
}, 30_000);
