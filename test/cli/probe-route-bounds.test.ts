// Prometheus /probe follows POST /api/probe's bounds: a login at most once per target within the
// on-demand login cool-down (429 with Retry-After otherwise, 503 when state cannot say), and each
// probe at most once per scrape. Counted by the connections and logins the simulator saw.
import { probeHandler } from '../../functions/handlers/probe';
import { runtimeFromEnv, type AppRuntime } from '../../shared/app';
import type { SimEvent, Simulator } from '../../sim';
import { probeRoute } from '../../cli/serve/metrics-routes';
import { startLocalServer, type LocalServer } from '../../cli/serve/server';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_PASSWORD, SIM_USER, startSim } from '../helpers/sim';
import { context, post } from '../functions/helpers';

let certs: TestCerts;
let sim: Simulator;
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
/** An hour: no test here runs long enough for a claim to lapse. */
const COOLDOWN_S = 3600;

async function runtime(extra: Record<string, string> = {}): Promise<AppRuntime> {
  const target = (name: string) => ({ name, server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PW' } });
  return runtimeFromEnv({
    SQLPROBE_TARGETS: JSON.stringify([target('orders'), target('billing')]),
    SIM_PW: SIM_PASSWORD,
    SQLPROBE_REGION: 'lab',
    SQLPROBE_LOGIN_COOLDOWN: `${COOLDOWN_S}s`,
    ...extra,
  });
}

/** A /probe server over `rt`, for the length of `work`. */
async function serving<T>(rt: AppRuntime, work: (get: (path: string) => Promise<{ status: number; retryAfter: string | null; text: string }>) => Promise<T>): Promise<T> {
  const server: LocalServer = await startLocalServer({ host: '127.0.0.1', port: 0, routes: [probeRoute(rt, quiet)] });
  try {
    return await work(async (path) => {
      const response = await fetch(`${server.url}${path}`);
      return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
    });
  } finally {
    await server.close();
  }
}

/** Runs `work` and counts what the simulator saw meanwhile: TCP connections and logins. */
async function seen<T>(work: () => Promise<T>): Promise<{ value: T; connections: number; logins: number }> {
  const counts = { connections: 0, logins: 0 };
  const onEvent = (e: SimEvent) => {
    if (e.kind === 'connect') counts.connections++;
    if (e.kind === 'login') counts.logins++;
  };
  sim.events.on('event', onEvent);
  try {
    const value = await work();
    return { value, ...counts };
  } finally {
    sim.events.off('event', onEvent);
  }
}

const probed = (text: string) => text.split('\n').filter((l) => l.startsWith('sqlprobe_probe_success')).map((l) => /probe="(\w+)"/.exec(l)![1]);

beforeAll(async () => {
  certs = createTestCerts();
  sim = await startSim({ tls: certs.good });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  certs?.cleanup();
});

describe('GET /probe: the on-demand login cool-down', () => {
  it('answers a second login scrape of the target within the cool-down 429 with Retry-After, logging in once', async () => {
    const rt = await runtime();
    const { value: [first, second], logins } = await seen(() => serving(rt, async (get) => [
      await get('/probe?target=orders&probes=login'),
      await get('/probe?target=orders&probes=login'),
    ]));
    expect(first.status).toBe(200);
    expect(probed(first.text)).toEqual(['login']);
    expect(second.status).toBe(429);
    const retryAfter = Number(second.retryAfter);
    // Counted down from an hour: the first scrape took far less than the test's own timeout.
    expect(retryAfter).toBeGreaterThan(COOLDOWN_S - 60);
    expect(retryAfter).toBeLessThanOrEqual(COOLDOWN_S);
    expect(second.text).toBe(`target "orders" was probed with a login on demand moments ago; try again in ${retryAfter} s (SQLPROBE_LOGIN_COOLDOWN), so a loop of requests cannot lock its login out\n`);
    expect(logins).toBe(1);
  });

  it('holds per target, never for probes that do not log in, and counts a target\'s own probes that do', async () => {
    const rt = await runtime();
    await serving(rt, async (get) => {
      expect((await get('/probe?target=orders&probes=tls,login')).status).toBe(200);
      expect((await get('/probe?target=billing&probes=login')).status).toBe(200);
      const credentialLess = await get('/probe?target=orders&probes=dns,tcp,tls');
      expect(credentialLess.status).toBe(200);
      expect(probed(credentialLess.text)).toEqual(['dns', 'tcp', 'tls']);
      expect((await get('/probe?target=orders')).status).toBe(429);
    });
  });

  it('is the cool-down POST /api/probe claims: a login over HTTP holds /probe back, and the other way round', async () => {
    const rt = await runtime();
    const overHttp = () => probeHandler(async () => rt)(post('probe', { target: 'orders', probes: ['login'] }), context());
    await serving(rt, async (get) => {
      expect((await overHttp()).status).toBe(200);
      expect((await get('/probe?target=orders&probes=login')).status).toBe(429);
      expect((await get('/probe?target=billing&probes=login')).status).toBe(200);
    });
    expect((await probeHandler(async () => rt)(post('probe', { target: 'billing', probes: ['login'] }), context())).status).toBe(429);
  });

  it('lets every scrape through when turned off', async () => {
    const rt = await runtime({ SQLPROBE_LOGIN_COOLDOWN: 'off' });
    const { value: statuses, logins } = await seen(() => serving(rt, async (get) => [
      (await get('/probe?target=orders&probes=login')).status,
      (await get('/probe?target=orders&probes=login')).status,
      (await get('/probe?target=orders&probes=login')).status,
    ]));
    expect(statuses).toEqual([200, 200, 200]);
    expect(logins).toBe(3);
  });

  it('answers 503 with Retry-After, probing nothing, when state storage cannot say', async () => {
    const rt = await runtime();
    rt.store.claimCooldown = async () => { throw new Error('storage unreachable'); };
    const { value: answer, connections } = await seen(() => serving(rt, (get) => get('/probe?target=orders&probes=tcp,login')));
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('5');
    expect(answer.text).toMatch(/^the on-demand login cool-down could not be checked in state storage/);
    expect(connections).toBe(0);
  });
});

describe('GET /probe: each probe once per scrape', () => {
  it.each([
    ['probes=tcp,tls,tcp,tcp', ['tcp', 'tls'], 2],
    ['probes=tcp&probes=tcp', ['tcp'], 1],
  ])('runs %s as %j, a connection each', async (query, probes, expected) => {
    const rt = await runtime();
    const { value: answer, connections } = await seen(() => serving(rt, (get) => get(`/probe?target=orders&${query}`)));
    expect(answer.status).toBe(200);
    expect(probed(answer.text)).toEqual(probes);
    expect(connections).toBe(expected);
  });

  it('refuses more than four probes with 400 before a single connection', async () => {
    const rt = await runtime();
    const { value: answer, connections } = await seen(() => serving(rt, (get) => get(`/probe?target=orders&probes=${Array(2000).fill('tcp').join(',')}`)));
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('probes: expected at most 4 probes, each once: dns, tcp, tls, login\n');
    expect(connections).toBe(0);
  });
});
