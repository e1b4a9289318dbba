import type { Timer } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { cancelIdleRunHandler, getIdleRunHandler, startIdleRunHandler } from '../../functions/handlers/idle-runs';
import { idleTickTimer } from '../../functions/handlers/timers';
import { type AppRuntime, runtimeFromEnv } from '../../shared/app';
import type { IdleRun } from '../../shared/contract';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_USER, simCerts, startTlsSim } from '../helpers/sim';
import { startAzurite, type Azurite } from '../state/azurite';
import { body, context, del, get, post, recordingTelemetry, SECRET } from './helpers';

// Two instances of the app (two runtimes, each with its own registry and lease client) share one
// storage account: the holder ticks, the other only serves HTTP. The test process plays both; the
// same flow across real processes is test/idle/holder-processes.test.ts.
const IDLE_KILL_MS = 3000;
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sim: Simulator;
let azurite: Azurite;
let holder: AppRuntime;
let other: AppRuntime;

function env(): Record<string, string> {
  return {
    SQLPROBE_REGION: 'runs-test',
    SQLPROBE_PROBE_TIMEOUT: '5s',
    SIM_PASSWORD: SECRET,
    AzureWebJobsStorage: azurite.connectionString,
    SQLPROBE_TARGETS: JSON.stringify([{
      name: 'orders', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: simCerts().caFile, probes: ['tcp'],
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' },
      idle: { rungs: ['1s', '5s'], keepalive: ['on', 'off'], useTimeout: '2s' },
    }, { name: 'edge', server: '127.0.0.1', port: sim.gatewayPort, database: 'appdb', caFile: simCerts().caFile, probes: ['tcp'] }]),
  };
}

const lease = { holder: { ttlMs: 6000, renewMs: 1000 }, slackMs: 50 };

beforeAll(async () => {
  // Proxy: the gateway ends a session idle for IDLE_KILL_MS with a FIN, as Azure SQL's does at 30 min.
  [sim, azurite] = await Promise.all([startTlsSim({ idleTimeoutMs: IDLE_KILL_MS, idleClose: 'fin' }), startAzurite()]);
  holder = await runtimeFromEnv(env(), { telemetry: recordingTelemetry(), idle: lease });
  other = await runtimeFromEnv(env(), { telemetry: recordingTelemetry(), idle: lease });
  const ctx = context('idle-tick');
  await idleTickTimer(async () => holder)(timer, ctx);
  expect(holder.idle.holds()).toBe(true);
  expect(ctx.lines).toEqual([expect.stringMatching(new RegExp(`^information: sqlprobe: idle tick: this process \\(${holder.idle.id.slice(0, 8)}\\) now holds the idle lease for region runs-test$`))]);
}, 30_000);

afterAll(async () => {
  await Promise.all([holder?.idle.close(), other?.idle.close()]);
  await Promise.all([sim?.stop(), azurite?.stop()]);
  cleanupCerts();
});

const start = (rt: AppRuntime, request: unknown) => startIdleRunHandler(async () => rt)(post('idle-runs', request), context());
const read = async (rt: AppRuntime, id: string) => body<IdleRun>(await getIdleRunHandler(async () => rt)(get(`idle-runs/${id}`, { id }), context()));
const cancel = (rt: AppRuntime, id: string) => cancelIdleRunHandler(async () => rt)(del(`idle-runs/${id}`, { id }), context());

async function tick(rt: AppRuntime) {
  const ctx = context('idle-tick');
  await idleTickTimer(async () => rt)(timer, ctx);
  return ctx.lines;
}

/** Ticks the holder until the run (read through the other instance) satisfies `until`. */
async function tickUntil(id: string, until: (run: IdleRun) => boolean): Promise<IdleRun> {
  for (let i = 0; i < 80; i++) {
    await tick(holder);
    const run = await read(other, id);
    if (until(run)) return run;
    await sleep(250);
  }
  throw new Error(`idle run ${id} never got there: ${JSON.stringify(await read(other, id))}`);
}

describe('idle runs handed to the holder', () => {
  it('is pending until the holder\'s tick; a tick elsewhere does nothing; outcomes are read back from the other instance', async () => {
    const started = await start(other, { target: 'orders' });
    expect(started.status).toBe(202);
    const run = body<IdleRun>(started);
    expect(started.headers).toEqual({ Location: `/api/idle-runs/${run.id}` });
    expect(run).toMatchObject({ target: 'orders', rungs: [1000, 5000], keepalive: ['on', 'off'], status: 'pending', expected: 4, outcomes: [] });
    expect(other.idle.held()).toBe(0);

    const lines = await tick(other);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`nothing to do here: process ${holder.idle.id.slice(0, 8)} holds the idle lease for region runs-test until `))]);
    expect(await read(other, run.id)).toMatchObject({ status: 'pending' });

    const running = await tickUntil(run.id, (r) => r.status === 'running');
    expect(running.holder).toBe(holder.idle.tenureId());
    expect(holder.idle.held('orders')).toBe(4);
    expect(other.idle.held()).toBe(0);

    const done = await tickUntil(run.id, (r) => r.status !== 'running');
    expect(done.status).toBe('completed');
    const byRung = (ms: number) => done.outcomes.filter((o) => o.rungMs === ms).map((o) => o.outcome);
    expect(byRung(1000)).toEqual(['survived', 'survived']);
    expect(byRung(5000)).toEqual(['closed-by-peer', 'closed-by-peer']);
    expect(done.outcomes).toHaveLength(4);
    expect(done.verdict).toMatchObject({ kind: 'gateway-idle-kill' });
    expect(JSON.stringify(done)).not.toContain(SECRET);
  }, 60_000);

  it('is picked up at once when the request lands on the holder', async () => {
    const started = await start(holder, { target: 'orders', rungs: ['1m'] });
    expect(started.status).toBe(202);
    expect(body(started)).toMatchObject({ status: 'running', holder: holder.idle.tenureId(), rungs: [60_000], expected: 2 });
    const cancelled = await cancel(holder, body<IdleRun>(started).id);
    expect(cancelled.status).toBe(200);
  }, 30_000);

  it('cancels a running run from another instance: its cells settle cancelled, the holder closes its connections at its next tick', async () => {
    const run = body<IdleRun>(await start(other, { target: 'orders', rungs: ['1m', '2m'] }));
    await tickUntil(run.id, (r) => r.status === 'running');
    expect(holder.idle.held('orders')).toBe(4);
    const sessions = sim.sessions().length;

    const answer = await cancel(other, run.id);
    expect(answer.status).toBe(202);
    const cancelled = body<IdleRun>(answer);
    expect(cancelled).toMatchObject({ status: 'cancelled', closing: true });
    expect(cancelled.outcomes.map((o) => [o.rungMs, o.keepalive, o.outcome, o.reason])).toEqual([
      [60_000, 'on', 'inconclusive', 'cancelled'], [60_000, 'off', 'inconclusive', 'cancelled'],
      [120_000, 'on', 'inconclusive', 'cancelled'], [120_000, 'off', 'inconclusive', 'cancelled'],
    ]);

    await tick(holder);
    expect(holder.idle.held('orders')).toBe(0);
    const closed = await read(other, run.id);
    expect(closed).toMatchObject({ status: 'cancelled', closing: false });
    expect(closed.outcomes).toEqual(cancelled.outcomes);
    for (let i = 0; i < 40 && sim.sessions().length > sessions - 4; i++) await sleep(50);
    expect(sim.sessions().length).toBe(sessions - 4);

    // Again: the same run, unchanged. A run that ended cannot be cancelled.
    expect((await cancel(other, run.id)).status).toBe(200);
    const short = body<IdleRun>(await start(other, { target: 'orders', rungs: ['1s'] }));
    const done = await tickUntil(short.id, (r) => r.status === 'completed');
    const conflict = await cancel(other, done.id);
    expect(conflict.status).toBe(409);
    expect(body(conflict).error).toBe(`idle run ${done.id} already ended (completed); only a pending or running run can be cancelled`);
  }, 60_000);

  it('cancels a pending run outright', async () => {
    const run = body<IdleRun>(await start(other, { target: 'orders', rungs: ['1s'] }));
    const answer = await cancel(other, run.id);
    expect(answer.status).toBe(200);
    expect(body(answer)).toMatchObject({ status: 'cancelled', closing: false, outcomes: [{ reason: 'cancelled' }, { reason: 'cancelled' }] });
    await tick(holder);
    expect(await read(other, run.id)).toMatchObject({ status: 'cancelled', outcomes: [{ reason: 'cancelled' }, { reason: 'cancelled' }] });
    expect(holder.idle.status(run.id)).toBeUndefined();
  }, 30_000);

  it('reads a running run whose holder\'s lease ended as inconclusive, never as failed', async () => {
    const now = new Date().toISOString();
    const run: IdleRun = { id: randomUUID(), target: 'orders', rungs: [1_860_000], status: 'running', createdAt: now, updatedAt: now, expected: 2, outcomes: [], holder: `${randomUUID()}/1` };
    await other.store.saveIdleRun(run);
    expect(await read(other, run.id)).toMatchObject({ status: 'inconclusive' });
    // The holder settles it for good at its next tick: the dead holder's cells are host-recycled.
    await tick(holder);
    const settled = await read(other, run.id);
    expect(settled.status).toBe('inconclusive');
    expect(settled.outcomes.map((o) => [o.keepalive, o.reason])).toEqual([['on', 'host-recycled'], ['off', 'host-recycled']]);
  }, 30_000);

  it('validates the request: rungs like a target\'s, a configured target, one that can log in, a UUID', async () => {
    const bad = await start(other, { target: 'orders', rungs: ['soon'] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(body(bad).issues)).toContain('expected a positive duration');
    expect((await start(other, { target: 'metadata' })).status).toBe(404);
    const none = await start(other, { target: 'edge' });
    expect(none.status).toBe(400);
    expect(body(none)).toEqual({ error: 'target "edge" has auth type none: only dns, tcp, tls can run, not idle; add credentials (auth) to the target' });
    expect((await getIdleRunHandler(async () => other)(get('idle-runs/x', { id: '../targets' }), context())).status).toBe(400);
    expect((await cancel(other, '../targets')).status).toBe(400);
    const unknown = randomUUID();
    expect((await getIdleRunHandler(async () => other)(get(`idle-runs/${unknown}`, { id: unknown }), context())).status).toBe(404);
    expect((await cancel(other, unknown)).status).toBe(404);
  });
});
