import { randomUUID } from 'node:crypto';
import { getIdleRunHandler, startIdleRunHandler } from '../../functions/handlers/idle-runs';
import { STALE_AFTER_MS } from '../../shared/app';
import { loadConfig } from '../../shared/config/load';
import { IdleRegistry } from '../../shared/idle/registry';
import { connectStateStore, type StateStore } from '../../shared/state';
import type { IdleRun } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { SIM_USER, startSim } from '../helpers/sim';
import { startAzurite, type Azurite } from '../state/azurite';
import { body, context, get, post, SECRET, testRuntime } from './helpers';

const IDLE_KILL_MS = 1500;

let certs: TestCerts;
let sim: Simulator;
let azurite: Azurite;
let env: Record<string, string>;
let shared: StateStore;
const registry = new IdleRegistry({ slackMs: 50 });

beforeAll(async () => {
  certs = createTestCerts();
  [sim, azurite] = await Promise.all([
    // Proxy: the gateway ends a session idle for IDLE_KILL_MS with a FIN, as Azure SQL's does at 30 min.
    startSim({ tls: { certFile: certs.good.certFile, keyFile: certs.good.keyFile }, encrypt: 'on', idleTimeoutMs: IDLE_KILL_MS, idleClose: 'fin' }),
    startAzurite(),
  ]);
  env = {
    SQLPROBE_REGION: 'test',
    SQLPROBE_PROBE_TIMEOUT: '5s',
    SIM_PASSWORD: SECRET,
    AzureWebJobsStorage: azurite.connectionString,
    SQLPROBE_TARGETS: JSON.stringify([{
      name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, probes: ['tcp'],
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
      idle: { rungs: ['1s', '3s'], keepalive: ['on', 'off'], useTimeout: '2s' },
    }]),
  };
  shared = (await connectStateStore(loadConfig(env).settings)).store;
}, 30_000);

afterAll(async () => {
  await registry.close();
  await Promise.all([sim?.stop(), azurite?.stop()]);
  certs?.cleanup();
});

/** Two instances of the app sharing the storage account: one holds the run's connections, the other has none of them. */
const holder = () => testRuntime(env, { store: shared, idle: registry, idlePumpMs: 100 });
const other = () => testRuntime(env, { store: shared });

async function poll(id: string, until: (run: IdleRun) => boolean, timeoutMs = 15_000): Promise<IdleRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await getIdleRunHandler(async () => other())(get(`idle-runs/${id}`, { id }), context());
    expect(response.status).toBe(200);
    const run = body<IdleRun>(response);
    if (until(run) || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('async idle runs', () => {
  it('follows a run from 202 to its final status and verdict, read from another instance', async () => {
    const started = await startIdleRunHandler(async () => holder())(post('idle-runs', { target: 'orders' }), context());
    expect(started.status).toBe(202);
    const run = body<IdleRun>(started);
    expect(started.headers).toEqual({ Location: `/api/idle-runs/${run.id}` });
    expect(run).toMatchObject({ target: 'orders', rungs: [1000, 3000], status: 'running', expected: 4 });

    const midway = await poll(run.id, (r) => r.outcomes.length >= 2);
    expect(midway.outcomes.length).toBeGreaterThanOrEqual(2);
    const done = await poll(run.id, (r) => r.status !== 'running');
    expect(done.status).toBe('completed');
    const byRung = (ms: number) => done.outcomes.filter((o) => o.rungMs === ms).map((o) => o.outcome);
    expect(byRung(1000)).toEqual(['survived', 'survived']);
    expect(byRung(3000)).toEqual(['closed-by-peer', 'closed-by-peer']);
    expect(done.verdict).toMatchObject({ kind: 'gateway-idle-kill' });
    expect(JSON.stringify(done)).not.toContain(SECRET);
  }, 30_000);

  it('takes rungs from the body, validated like a target\'s', async () => {
    const handler = startIdleRunHandler(async () => holder());
    const bad = await handler(post('idle-runs', { target: 'orders', rungs: ['soon'] }), context());
    expect(bad.status).toBe(400);
    expect(JSON.stringify(body(bad).issues)).toContain('expected a positive duration');
    const chosen = await handler(post('idle-runs', { target: 'orders', rungs: ['1s'] }), context());
    expect(chosen.status).toBe(202);
    expect(body(chosen)).toMatchObject({ rungs: [1000], expected: 2 });
  });

  it('refuses a target that is not configured', async () => {
    const response = await startIdleRunHandler(async () => holder())(post('idle-runs', { target: 'metadata' }), context());
    expect(response.status).toBe(404);
  });

  it('refuses a target with auth none (400): an idle connection needs a login', async () => {
    const targets = [{ name: 'edge', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: certs.caFile, probes: ['tcp'] }];
    const rt = testRuntime({ ...env, SQLPROBE_TARGETS: JSON.stringify(targets) }, { store: shared, idle: registry });
    const response = await startIdleRunHandler(async () => rt)(post('idle-runs', { target: 'edge' }), context());
    expect(response.status).toBe(400);
    expect(body(response)).toEqual({ error: 'target "edge" has auth type none: only dns, tcp, tls can run, not idle; add credentials (auth) to the target' });
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const handler = getIdleRunHandler(async () => other());
    expect((await handler(get('idle-runs/x', { id: '../targets' }), context())).status).toBe(400);
    const id = randomUUID();
    expect((await handler(get(`idle-runs/${id}`, { id }), context())).status).toBe(404);
  });

  it('reports a run whose holder went silent as inconclusive, never as failed', async () => {
    const long = new Date(Date.now() - STALE_AFTER_MS - 1000).toISOString();
    const run: IdleRun = { id: randomUUID(), target: 'orders', rungs: [1_860_000], status: 'running', createdAt: long, updatedAt: long, expected: 2, outcomes: [] };
    await shared.saveIdleRun(run);
    const response = await getIdleRunHandler(async () => other())(get(`idle-runs/${run.id}`, { id: run.id }), context());
    expect(body<IdleRun>(response).status).toBe('inconclusive');
  });
});
