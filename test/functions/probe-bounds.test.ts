import fc from 'fast-check';
import { probeHandler } from '../../functions/handlers/probe';
import type { AppRuntime } from '../../shared/app';
import { loadConfig } from '../../shared/config';
import type { ProbeResult } from '../../shared/contract';
import { connectStateStore, type StateStore } from '../../shared/state';
import type { SimEvent, Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_USER, startSim } from '../helpers/sim';
import { startAzurite, type Azurite } from '../state/azurite';
import { body, context, post, SECRET, testRuntime } from './helpers';

let certs: TestCerts;
let sim: Simulator;
let azurite: Azurite;
let env: Record<string, string>;

beforeAll(async () => {
  certs = createTestCerts();
  [sim, azurite] = await Promise.all([startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on' }), startAzurite()]);
  const sqlTarget = (name: string) => ({
    name, server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile,
    auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
  });
  env = {
    SQLPROBE_REGION: 'test',
    SQLPROBE_PROBE_TIMEOUT: '5s',
    SIM_PASSWORD: SECRET,
    SQLPROBE_TARGETS: JSON.stringify([sqlTarget('orders'), sqlTarget('billing')]),
  };
}, 30_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), azurite?.stop()]);
  certs?.cleanup();
});

/** Runs `work` and counts the TCP connections the simulator accepted meanwhile. */
async function connectionsDuring<T>(work: () => Promise<T>): Promise<{ value: T; connections: number }> {
  let connections = 0;
  const onEvent = (e: SimEvent) => void (e.kind === 'connect' && connections++);
  sim.events.on('event', onEvent);
  try {
    const value = await work();
    return { value, connections };
  } finally {
    sim.events.off('event', onEvent);
  }
}

const results = (response: Awaited<ReturnType<ReturnType<typeof probeHandler>>>) => body<{ results: ProbeResult[] }>(response).results;

describe('POST /api/probe: each probe once per request', () => {
  it('refuses 2,000 × "tcp" with 400 before a single connection (it made 2,000 connects and a 1.28 MB answer)', async () => {
    const handler = probeHandler(async () => testRuntime(env));
    const { value: response, connections } = await connectionsDuring(() => handler(post('probe', { target: 'orders', probes: Array(2000).fill('tcp') }), context()));
    expect(response.status).toBe(400);
    expect(JSON.stringify(body(response).issues)).toContain('expected at most 4 probes, each once: dns, tcp, tls, login');
    expect(connections).toBe(0);
  });

  it('runs a probe listed twice once', async () => {
    const handler = probeHandler(async () => testRuntime(env));
    const { value: response, connections } = await connectionsDuring(() => handler(post('probe', { target: 'orders', probes: ['tcp', 'tls', 'tcp', 'tcp'] }), context()));
    expect(response.status).toBe(200);
    expect(results(response).map((r) => [r.probe, r.success])).toEqual([['tcp', true], ['tls', true]]);
    expect(connections).toBe(2);
  });

  it('refuses a body over 64 KiB with 413, unparsed', async () => {
    const response = await probeHandler(async () => testRuntime(env))(post('probe', { target: 'orders', padding: 'x'.repeat(70_000) }), context());
    expect(response.status).toBe(413);
    expect(body(response)).toEqual({ error: 'expected a JSON body of at most 64 KiB' });
  });
});

describe('POST /api/probe: the on-demand login cool-down', () => {
  it('answers 429 with Retry-After to a second login probe of the same target within the cool-down, logging in once', async () => {
    const rt = testRuntime(env);
    const handler = probeHandler(async () => rt);
    const { value: [first, second], connections } = await connectionsDuring(async () => [
      await handler(post('probe', { target: 'orders', probes: ['login'] }), context()),
      await handler(post('probe', { target: 'orders', probes: ['login'] }), context()),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    const retryAfter = Number((second.headers as Record<string, string>)['Retry-After']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(body(second).error).toBe(`target "orders" was probed with a login on demand moments ago; try again in ${retryAfter} s (SQLPROBE_LOGIN_COOLDOWN), so a loop of requests cannot lock its login out`);
    expect(connections).toBe(1);
  });

  it('holds per target, and never for probes that do not log in', async () => {
    const rt = testRuntime(env);
    const handler = probeHandler(async () => rt);
    expect((await handler(post('probe', { target: 'orders', probes: ['login'] }), context())).status).toBe(200);
    expect((await handler(post('probe', { target: 'billing', probes: ['tls', 'login'] }), context())).status).toBe(200);
    const credentialLess = await handler(post('probe', { target: 'orders', probes: ['dns', 'tcp', 'tls'] }), context());
    expect(credentialLess.status).toBe(200);
    // A target's own probes include login: that counts too.
    expect((await handler(post('probe', { target: 'orders' }), context())).status).toBe(429);
  });

  it('holds across instances that share the storage account', async () => {
    const shared: StateStore = (await connectStateStore(loadConfig({ ...env, AzureWebJobsStorage: azurite.connectionString }).settings)).store;
    const instance = (): AppRuntime => testRuntime(env, { store: shared });
    const first = await probeHandler(async () => instance())(post('probe', { target: 'orders', probes: ['login'] }), context());
    const second = await probeHandler(async () => instance())(post('probe', { target: 'orders', probes: ['login'] }), context());
    expect([first.status, second.status]).toEqual([200, 429]);
  });

  it('lets every request through when turned off', async () => {
    const handler = probeHandler(async () => testRuntime({ ...env, SQLPROBE_LOGIN_COOLDOWN: 'off' }));
    for (let i = 0; i < 3; i++) expect((await handler(post('probe', { target: 'orders', probes: ['login'] }), context())).status).toBe(200);
  });

  it('answers 503, probing nothing, when state storage cannot say', async () => {
    const broken = testRuntime(env);
    broken.store.claimCooldown = async () => { throw new Error('storage unreachable'); };
    const { value: response, connections } = await connectionsDuring(() => probeHandler(async () => broken)(post('probe', { target: 'orders', probes: ['login'] }), context()));
    expect(response.status).toBe(503);
    expect(connections).toBe(0);
  });
});

/** Bodies a caller might send: probe lists of any length, with duplicates and unknown names, and stray fields. */
const requestBody = fc.record({
  target: fc.oneof({ arbitrary: fc.constantFrom('orders', 'billing'), weight: 5 }, { arbitrary: fc.constant('missing'), weight: 1 }),
  probes: fc.oneof(
    { arbitrary: fc.array(fc.constantFrom('dns', 'tcp', 'tls', 'login'), { minLength: 1, maxLength: 6 }), weight: 5 },
    { arbitrary: fc.array(fc.constantFrom('dns', 'tcp', 'tls', 'login', 'idle', 'pool', 'x'), { maxLength: 12 }), weight: 1 },
    { arbitrary: fc.constant(Array(100).fill('tcp')), weight: 1 },
  ),
  // Rare enough that most bodies get through (a stray field is a 400), so the property is not vacuous.
  extra: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: fc.constant('field'), weight: 1 }),
}, { requiredKeys: ['target'] });

describe('POST /api/probe under any body', () => {
  it('opens at most 2 connections (a retry) per distinct connecting probe, at most 12 in all', async () => {
    // Every login goes through and every failure is retried, so the bound is met at its worst.
    const handler = probeHandler(async () => testRuntime({ ...env, SQLPROBE_LOGIN_COOLDOWN: 'off', SQLPROBE_RETRY_DELAY: '10ms' }));
    let probed = 0;
    await fc.assert(fc.asyncProperty(requestBody, fc.boolean(), async (request, resets) => {
      await sim.setFault('gateway', resets ? { kind: 'rst', phase: 'prelogin' } : null);
      const { value: response, connections } = await connectionsDuring(() => handler(post('probe', request), context()));
      const distinct = new Set((request.probes ?? ['tcp', 'tls', 'login']).filter((p) => ['tcp', 'tls', 'login'].includes(p))).size;
      if (response.status === 200) probed++;
      // A refused request opens no connection at all.
      expect(response.status === 200 ? 0 : connections).toBe(0);
      expect(connections).toBeLessThanOrEqual(2 * distinct);
      expect(connections).toBeLessThanOrEqual(12);
    }), { numRuns: 40 });
    await sim.setFault('gateway', null);
    expect(probed).toBeGreaterThan(5);
  }, 120_000);
});
