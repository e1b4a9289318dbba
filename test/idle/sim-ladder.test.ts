import { type ConnectionOutcome, probeResultSchema } from '../../shared/contract';
import { runSingle } from '../../shared/idle';
import type { Simulator } from '../../sim';
import { cleanupCerts, SIM_OPTIONS, simTarget, startTlsSim as startSim } from '../helpers/sim';

afterAll(cleanupCerts);

const KILL_MS = 1500;
/** Death ages are timed from the client's last activity; the server's timer starts a round trip earlier. */
const SLACK_MS = 400;
/**
 * The longer rung: a death is attributed to the gap between the rungs, so its age must fall before
 * it. No tighter upper bound: a busy machine delivers the close event late, which only stretches
 * the measured age (never shortens it), so the lower bound is the one that tells a wrong age.
 */
const LONG_RUNG_MS = 3000;

const byRung = (outcomes: ConnectionOutcome[], rungMs: number, keepalive: 'on' | 'off') =>
  outcomes.find((o) => o.rungMs === rungMs && o.keepalive === keepalive);

async function ladder(sim: Simulator, rungs = ['500ms', '3s']) {
  const target = simTarget(sim, { idle: { rungs, keepalive: ['on', 'off'], useTimeout: '1s' } });
  const result = await runSingle('idle', target, SIM_OPTIONS, new AbortController().signal);
  expect(probeResultSchema.parse(result)).toBeTruthy();
  return result;
}

describe('idle ladder against the simulator (single mode, seconds for minutes)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  test.each([
    ['fin', 'Connection lost - socket hang up'],
    ['rst', 'Connection lost - read ECONNRESET'],
  ] as const)('gateway idle kill by %s: both variants closed by the peer at the kill age', async (close, error) => {
    sim = await startSim({ idleTimeoutMs: KILL_MS, idleClose: close });
    const result = await ladder(sim);
    const outcomes = result.idle?.outcomes ?? [];
    expect(result.success).toBe(true);
    for (const keepalive of ['on', 'off'] as const) {
      expect(byRung(outcomes, 500, keepalive)).toMatchObject({ outcome: 'survived', policy: 'proxy' });
      const dead = byRung(outcomes, 3000, keepalive);
      expect(dead).toMatchObject({ outcome: 'closed-by-peer', close, error });
      expect(dead?.deathAgeMs).toBeGreaterThanOrEqual(KILL_MS - SLACK_MS);
      expect(dead?.deathAgeMs).toBeLessThan(LONG_RUNG_MS);
    }
    const verdict = result.idle?.verdict;
    expect(verdict).toMatchObject({ kind: 'gateway-idle-kill', minSeconds: 0.5 });
    expect(verdict?.atSeconds).toBeGreaterThanOrEqual((KILL_MS - SLACK_MS) / 1000);
    expect(verdict?.atSeconds).toBeLessThan(LONG_RUNG_MS / 1000);
    const how = close === 'fin' ? 'closed by the peer with FIN' : 'reset by the peer \\(RST\\)';
    expect(verdict?.text).toMatch(new RegExp(`^Gateway idle kill ≈ [12](?:\\.\\d)? s: ${how}, keepalive on dies too, consistent with the Proxy policy\\.$`));
    expect(verdict?.recommendations).toEqual([
      expect.stringMatching(/^Use the Redirect connection policy/),
      'Keep the pool\'s idle lifetime under 0.5 s: keepalive does not reset this timer, only a query does.',
      expect.stringMatching(/^Retry transport errors/),
    ]);
  });

  test('onOutcome hears each connection as it settles, rung by rung, before the run resolves', async () => {
    sim = await startSim({ idleTimeoutMs: KILL_MS, idleClose: 'rst' });
    let kills = 0;
    sim.events.on('event', (e) => { if (e.kind === 'idle-kill') kills += 1; });
    const target = simTarget(sim, { idle: { rungs: ['500ms', '3s'], keepalive: ['on', 'off'], useTimeout: '1s' } });
    let resolved = false;
    // What the run looked like from outside when each outcome arrived.
    const heard: { outcome: ConnectionOutcome; resolved: boolean; kills: number }[] = [];
    const result = await runSingle('idle', target, SIM_OPTIONS, new AbortController().signal, {
      onOutcome: (outcome) => heard.push({ outcome, resolved, kills }),
    }).finally(() => (resolved = true));

    expect(heard.every((h) => !h.resolved)).toBe(true);
    expect(heard.map((h) => h.outcome.rungMs)).toEqual([500, 500, 3000, 3000]);
    const [early, late] = [heard.slice(0, 2), heard.slice(2)];
    // The 500 ms rung was heard while the 3 s connections still idled: the gateway had killed none yet.
    for (const h of early) expect(h).toMatchObject({ outcome: { outcome: 'survived' }, kills: 0 });
    for (const h of late) {
      expect(h.outcome).toMatchObject({ outcome: 'closed-by-peer', close: 'rst', deathAgeMs: expect.any(Number) });
      expect(h.kills).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(heard.map((h) => h.outcome.keepalive))).toEqual(new Set(['on', 'off']));
    // Each connection once, and exactly what the result reports.
    expect(heard.map((h) => h.outcome)).toHaveLength(result.idle?.outcomes.length ?? -1);
    expect(result.idle?.outcomes).toEqual(expect.arrayContaining(heard.map((h) => h.outcome)));
  });

  test('onOutcome hears the connections given up when the run is stopped', async () => {
    sim = await startSim({ idleTimeoutMs: 60_000 });
    const target = simTarget(sim, { idle: { rungs: ['300ms', '30s'], keepalive: ['on', 'off'], useTimeout: '1s' } });
    const stop = new AbortController();
    const heard: ConnectionOutcome[] = [];
    const result = await runSingle('idle', target, SIM_OPTIONS, stop.signal, {
      onOutcome: (o) => {
        heard.push(o);
        // Stop once the first rung is settled: the 30 s rung is given up.
        if (heard.length === 2) stop.abort();
      },
    });
    expect(heard.map((o) => [o.rungMs, o.outcome, o.reason])).toEqual([
      [300, 'survived', undefined], [300, 'survived', undefined], [30_000, 'inconclusive', 'stopped'], [30_000, 'inconclusive', 'stopped'],
    ]);
    expect(result.idle?.outcomes).toHaveLength(4);
  });

  test('redirect policy: the node has no idle kill, every rung survives', async () => {
    sim = await startSim({ policy: 'redirect', idleTimeoutMs: KILL_MS });
    const result = await ladder(sim);
    const outcomes = result.idle?.outcomes ?? [];
    expect(outcomes).toHaveLength(4);
    for (const o of outcomes) expect(o).toMatchObject({ outcome: 'survived', policy: 'redirect' });
    expect(result.idle?.verdict).toMatchObject({ kind: 'no-idle-kill', text: expect.stringMatching(/^No idle kill up to 3(\.\d)? s idle/) });
  });

  test('silent drop: the first use fails with the app\'s error; loopback keepalive cannot see it, and it is no gateway kill', async () => {
    sim = await startSim({ idleTimeoutMs: 60_000 });
    const target = simTarget(sim, { idle: { rungs: ['1s'], keepalive: ['on', 'off'], useTimeout: '1s', keepaliveIdle: '200ms' } });
    const run = runSingle('idle', target, SIM_OPTIONS, new AbortController().signal);
    // Once the cohort is open, the simulator stops answering every session without closing any.
    await new Promise((r) => setTimeout(r, 500));
    await sim.setFault('gateway', { kind: 'silent-drop' });
    const result = await run;
    for (const keepalive of ['on', 'off'] as const) {
      // The simulator's kernel still ACKs keepalive probes, so only the netlab shows keepalive-detected.
      expect(byRung(result.idle?.outcomes ?? [], 1000, keepalive)).toMatchObject({ outcome: 'dead-on-use', close: 'timeout', error: 'Failed to cancel request in 5000ms' });
    }
    // No FIN, no RST: not the gateway's kill. The verdict says what keepalive could not do, with the numbers.
    const verdict = result.idle?.verdict;
    expect(verdict).toMatchObject({ kind: 'silent-drop', maxSeconds: expect.any(Number) });
    expect(verdict?.findings.map((f) => f.kind)).toEqual(['silent-drop']);
    expect(verdict?.text).toMatch(/^Silent drop ≈ 1(\.\d)? s \(died by 1(\.\d)? s, the shortest rung\) with keepalive on and off: no FIN or RST while idle, found dead on first use, so not the gateway's idle kill \(which closes the connection\); keepalive did not keep the flow alive: something answers keepalive probes while the session behind them is gone .*, or the rung came within keepalive's detection time \(first probe at 0\.2 s, then 10 probes 1 s apart\)/);
    expect(verdict?.recommendations[0]).toMatch(/^Find the device that drops idle flows silently/);
    expect(verdict?.recommendations.some((r) => r.includes('Redirect'))).toBe(false);
  }, 20_000);
});
