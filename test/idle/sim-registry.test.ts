import { IdleRegistry } from '../../shared/idle';
import { probeResultSchema } from '../../shared/contract';
import type { Target } from '../../shared/config';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_OPTIONS, simTarget, startTlsSim as startSim } from '../helpers/sim';

afterAll(cleanupCerts);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signal = new AbortController().signal;

/** Ticks every 100 ms until `done` (at most a minute): for tests about what ticks settle, not when. */
async function tickUntil(registry: IdleRegistry, target: Target, done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) {
    await sleep(100);
    await registry.tick([target], SIM_OPTIONS);
  }
}

describe('the idle registry held across ticks, against the simulator', () => {
  let sim: Simulator;
  let registry: IdleRegistry;
  beforeEach(async () => {
    sim = await startSim({ idleTimeoutMs: 1200, idleClose: 'fin' });
    registry = new IdleRegistry({ slackMs: 0 });
  });
  afterEach(async () => {
    await registry.close();
    await sim.stop();
  });

  test('a tick opens the cohort, later ticks settle each rung once it is due', async () => {
    const target = simTarget(sim, { idle: { rungs: ['300ms', '2s'], keepalive: ['on', 'off'], cohortEvery: '1h', useTimeout: '1s' } });
    const [opened] = await registry.tick([target], SIM_OPTIONS);
    expect(opened).toBeUndefined(); // nothing settled, nothing failed: a quiet tick sends nothing
    expect(registry.held('sim')).toBe(4);

    await sleep(400);
    const [first] = await registry.tick([target], SIM_OPTIONS);
    expect(probeResultSchema.parse(first).idle?.outcomes.map((o) => o.outcome)).toEqual(['survived', 'survived']);
    expect(first.idle).toMatchObject({ mode: 'held', held: 2, verdict: { kind: 'no-idle-kill' } });
    expect(await registry.tick([target], SIM_OPTIONS)).toEqual([]);

    await sleep(1700);
    const [second] = await registry.tick([target], SIM_OPTIONS);
    expect(second.idle?.outcomes.map((o) => `${o.keepalive}:${o.outcome}:${o.close}`).sort()).toEqual(['off:closed-by-peer:fin', 'on:closed-by-peer:fin']);
    // The bracket's floor is the measured idle age of the rung that survived, not the planned 300 ms.
    expect(second.idle?.verdict.kind).toBe('gateway-idle-kill');
    expect(second.idle?.verdict.minSeconds).toBeGreaterThanOrEqual(0.3);
    expect(registry.held()).toBe(0);
  });

  test('a slow login is not idle time: rungs fall due, and ages count, from the end of the logins', async () => {
    // Every login takes 900 ms (a loaded host, a far region): the cohort starts long before any connection idles.
    await sim.setFault('gateway', { kind: 'slow-start', delayMs: 900 });
    const target = simTarget(sim, { idle: { rungs: ['500ms', '2s'], keepalive: ['on'], cohortEvery: '1h', useTimeout: '1s' } });
    await registry.tick([target], SIM_OPTIONS);
    await sim.setFault('gateway', null);
    expect(registry.held('sim')).toBe(2);
    // Over 900 ms since the cohort started, but no connection has idled 500 ms yet: nothing is due.
    expect(await registry.tick([target], SIM_OPTIONS)).toEqual([]);

    await sleep(600);
    const [first] = await registry.tick([target], SIM_OPTIONS);
    const survived = first.idle?.outcomes ?? [];
    expect(survived).toEqual([expect.objectContaining({ rungMs: 500, outcome: 'survived' })]);
    // Its age is idle time, which the 1.2 s idle kill spared, not the 1.5 s and more since the cohort started.
    expect(survived[0].idleMs).toBeGreaterThanOrEqual(500);
    expect(survived[0].idleMs).toBeLessThan(1200);

    await sleep(1500);
    const [second] = await registry.tick([target], SIM_OPTIONS);
    expect(second.idle?.outcomes).toEqual([expect.objectContaining({ rungMs: 2000, outcome: 'closed-by-peer', close: 'fin' })]);
    // Survivor and death are both aged from the end of the logins, so the bracket holds: survived below, died above.
    expect(second.idle?.verdict).toMatchObject({ kind: 'gateway-idle-kill', minSeconds: Math.round((survived[0].idleMs ?? 0) / 100) / 10 });
    expect(second.idle?.verdict.maxSeconds).toBeGreaterThan(second.idle?.verdict.minSeconds ?? Infinity);
  });

  test('after a reset (a recycled host) the cohort it held is inconclusive, never a failure', async () => {
    const target = simTarget(sim, { idle: { rungs: ['2s', '5s'], keepalive: ['off'], cohortEvery: '1h' } });
    await registry.idle(target, SIM_OPTIONS, signal);
    expect(registry.held()).toBe(2);
    registry.reset();
    expect(registry.held()).toBe(0);
    const result = await registry.idle(target, SIM_OPTIONS, signal);
    expect(result.success).toBe(true);
    const recycled = result.idle?.outcomes.filter((o) => o.reason === 'host-recycled') ?? [];
    expect(recycled.map((o) => [o.rungMs, o.outcome])).toEqual([[2000, 'inconclusive'], [5000, 'inconclusive']]);
    expect(result.idle?.verdict.kind).toBe('inconclusive');
    expect(registry.held()).toBe(2); // the new process opened its own cohort
  });

  test('caps: a cohort that would exceed the per-target or total cap is not opened', async () => {
    const small = simTarget(sim, { idle: { rungs: ['5s', '6s'], keepalive: ['on', 'off'], maxHeld: 3 } });
    expect((await registry.idle(small, SIM_OPTIONS, signal)).idle).toMatchObject({ capped: true, held: 0 });
    const capped = new IdleRegistry({ maxHeld: 5 });
    const a = simTarget(sim, { name: 'a', idle: { rungs: ['5s', '6s'], keepalive: ['on', 'off'] } });
    const b = simTarget(sim, { name: 'b', idle: { rungs: ['5s', '6s'], keepalive: ['on', 'off'] } });
    expect((await capped.idle(a, SIM_OPTIONS, signal)).idle?.held).toBe(4);
    expect((await capped.idle(b, SIM_OPTIONS, signal)).idle).toMatchObject({ capped: true, held: 0 });
    await capped.close();
  });

  test('an async run: startRun returns once its open is queued, status follows the ticks to the verdict', async () => {
    // A simulator of its own whose idle kill comes long after the first rung is due: the survivor
    // must be checked before the kill, and polling ticks check it within ~100 ms of falling due, so
    // only a stall of over 2.5 s could turn it into a death. The second rung outlives the kill.
    const late = await startSim({ idleTimeoutMs: 3000, idleClose: 'fin' });
    try {
      const target = simTarget(late, { probes: ['login'], idle: { keepalive: ['on'], useTimeout: '1s' } });
      const id = await registry.startRun(target, SIM_OPTIONS, [200, 3500]);
      expect(registry.status(id)).toMatchObject({ status: 'running', expected: 2, outcomes: [] });
      // Rungs count from the end of the logins; what each tick settles is asserted, not when it came.
      await registry.drain();
      await tickUntil(registry, target, () => (registry.status(id)?.outcomes.length ?? 0) > 0);
      expect(registry.status(id)).toMatchObject({ status: 'running', outcomes: [{ rungMs: 200, outcome: 'survived' }] });
      await tickUntil(registry, target, () => registry.status(id)?.status !== 'running');
      const status = registry.status(id);
      expect(status).toMatchObject({ status: 'completed', target: 'sim', verdict: { kind: 'gateway-idle-kill' } });
      expect(status?.outcomes.map((o) => o.outcome)).toEqual(['survived', 'closed-by-peer']);
      // The target does not list the idle probe: the ticks served the run and opened no cohort of their own.
      expect(registry.held()).toBe(0);
    } finally {
      await registry.close();
      await late.stop();
    }
  });
});

describe('the pool prober under an idle kill', () => {
  test('unvalidated borrows fail once per kill; validated borrows replace every flagged connection and none fails', async () => {
    const sim = await startSim({ idleTimeoutMs: 800, idleClose: 'rst' });
    const kills: unknown[] = [];
    const logins: unknown[] = [];
    sim.events.on('event', (e) => {
      if (e.kind === 'idle-kill') kills.push(e);
      if (e.kind === 'login') logins.push(e);
    });
    const registry = new IdleRegistry({ slackMs: 0 });
    const target = simTarget(sim, { probes: ['pool'], pool: { size: 4, idleFor: '1500ms' }, idle: { useTimeout: '1s' } });
    try {
      expect(await registry.tick([target], SIM_OPTIONS)).toEqual([]);
      expect(logins).toHaveLength(4);
      await sleep(1600);
      const [result] = await registry.tick([target], SIM_OPTIONS);
      expect(kills).toHaveLength(4);
      expect(probeResultSchema.parse(result).pool).toEqual({
        size: 4,
        idleMs: expect.any(Number),
        failedOnFirstUse: kills.length,
        caughtBySocketCheck: kills.length,
        missedBySocketCheck: 0,
        // Measured: each validated borrow discarded its dead connection, logged in afresh and ran the query.
        validatedFailures: 0,
        error: 'Requests can only be made in the LoggedIn state, not the Final state',
      });
      expect(logins).toHaveLength(4 + kills.length);
      expect(result.success).toBe(false);
      expect(result.error).toMatchObject({ class: 'connection-lost', phase: 'query' });
      expect(result.error?.message).toMatch(/^4 of 4 pooled connections failed on first use after \d+ s idle \(4 caught by a socket check on borrow; 0 failed with it\)/);
      // The replacements were used once and closed: nothing stays open.
      expect(registry.held()).toBe(0);
    } finally {
      await registry.close();
      await sim.stop();
    }
  });

  test('a silent drop gets past the socket check: validated borrows fail too, measured on the same uses', async () => {
    const sim = await startSim({ idleTimeoutMs: 60_000 });
    const registry = new IdleRegistry({ slackMs: 0 });
    const target = simTarget(sim, { probes: ['pool'], pool: { size: 2, idleFor: '300ms' }, idle: { useTimeout: '500ms' } });
    try {
      await registry.tick([target], SIM_OPTIONS);
      await sim.setFault('gateway', { kind: 'silent-drop' });
      await sleep(400);
      const [result] = await registry.tick([target], SIM_OPTIONS);
      expect(result.pool).toMatchObject({
        size: 2, failedOnFirstUse: 2, caughtBySocketCheck: 0, missedBySocketCheck: 2, validatedFailures: 2,
        error: 'Failed to cancel request in 5000ms', validatedError: 'Failed to cancel request in 5000ms',
      });
    } finally {
      await registry.close();
      await sim.stop();
    }
  }, 20_000);
});
