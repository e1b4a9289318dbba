import type { TargetInput } from '../../shared/config';
import { probeResultSchema, type ProbeResult } from '../../shared/contract';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { describeWithNetns, Netlab } from '../helpers/netns';
import { SIM_PASSWORD, SIM_USER } from '../helpers/sim';

const NAT_IDLE_S = 8;
/** The ladder's rungs, in seconds: two below the NAT's timeout, two above. */
const RUNGS_S = [4, 6, 10, 12];
/** The slow keepalive: its first probe goes out after the NAT has forgotten the flow. */
const SLOW_KEEPALIVE_S = 10;
const SLOW_RUNG_S = 25;
/** What libuv sets with setKeepAlive(true, idle): TCP_KEEPINTVL 1 s and TCP_KEEPCNT 10. */
const KEEPALIVE_INTERVAL_S = 1;
const KEEPALIVE_PROBES = 10;
/** formatSeconds below two minutes: seconds to one decimal. */
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
/** Asserts how a text begins, with the whole expected start in the failure message. */
const expectStart = (text: string, start: string) => expect(text.slice(0, start.length)).toBe(start);

// In CI a missing netlab is a failure, never a skip.
describeWithNetns('netlab: a real kernel NAT between the prober and the simulator', () => {
  let lab: Netlab;
  let certs: TestCerts;
  let results: ProbeResult[];

  beforeAll(async () => {
    certs = createTestCerts();
    lab = new Netlab({ natIdleSeconds: NAT_IDLE_S });
    await lab.startSim(['--encrypt', 'on', '--cert', certs.good.certFile, '--key', certs.good.keyFile, '--login', `${SIM_USER}:${SIM_PASSWORD}`, '--idle-timeout', '1h']);
    const target = (name: string, idle: TargetInput['idle']): TargetInput => ({
      name, server: lab.serverAddress, port: 1433, database: 'master', trustServerCertificate: true,
      auth: { type: 'sql', user: SIM_USER, passwordSetting: 'SIM_PASSWORD' }, idle,
    });
    results = await lab.runJson<ProbeResult[]>('test/netlab/idle-child.ts', {
      timeoutMs: 60_000,
      targets: [
        // Keepalive every 2 s keeps the 8 s conntrack entry alive; without it the flow is forgotten.
        target('ladder', { rungs: RUNGS_S.map((r) => `${r}s`), keepalive: ['on', 'off'], keepaliveIdle: '2s', useTimeout: '2s' }),
        // Keepalive slower than the NAT: its first probe meets a forgotten flow, and keepalive gives up.
        target('slow-keepalive', { rungs: [`${SLOW_RUNG_S}s`], keepalive: ['on'], keepaliveIdle: `${SLOW_KEEPALIVE_S}s` }),
      ],
    }, { SIM_PASSWORD });
  }, 90_000);

  afterAll(() => {
    lab?.close();
    certs?.cleanup();
  });

  const outcomesOf = (name: string) => probeResultSchema.parse(results.find((r) => r.target === name)).idle?.outcomes ?? [];

  test('the NAT timeout is set in the router namespace only', () => {
    expect(lab.conntrackTimeout()).toBe(NAT_IDLE_S);
    expect(lab.conntrackTimeout(lab.client)).not.toBe(NAT_IDLE_S);
  });

  test('keepalive off dies silently after the NAT timeout; keepalive on survives every rung', () => {
    const cells = outcomesOf('ladder').map((o) => `${o.rungMs / 1000}s ${o.keepalive}: ${o.outcome}`).sort();
    expect(cells).toEqual([
      '10s off: dead-on-use', '10s on: survived', '12s off: dead-on-use', '12s on: survived',
      '4s off: survived', '4s on: survived', '6s off: survived', '6s on: survived',
    ]);
    // Each rung is checked at its own age even while an earlier rung's dead-on-use check waits out its
    // timeouts (2 s use timeout, then tedious's 5 s cancel): never before the rung, and never as late
    // as the next one (for the last rung, one of the ladder's smallest steps later).
    const step = Math.min(...RUNGS_S.slice(1).map((r, i) => r - RUNGS_S[i])) * 1000;
    for (const o of outcomesOf('ladder')) {
      const next = RUNGS_S.map((r) => r * 1000).find((r) => r > o.rungMs) ?? o.rungMs + step;
      expect(o.idleMs).toBeGreaterThanOrEqual(o.rungMs);
      expect(o.idleMs).toBeLessThan(next);
    }
    for (const o of outcomesOf('ladder').filter((x) => x.outcome === 'dead-on-use')) {
      // No FIN, no RST: the query and its cancel vanish, and the app sees tedious's cancel timeout.
      expect(o).toMatchObject({ close: 'timeout', error: 'Failed to cancel request in 5000ms', policy: 'proxy' });
    }
  });

  test('the verdict: a NAT idle drop bracketed by the rungs around the NAT timeout, with keepalive and pool numbers', () => {
    const verdict = results.find((r) => r.target === 'ladder')?.idle?.verdict;
    expect(verdict).toMatchObject({ kind: 'nat-idle-drop', atSeconds: expect.any(Number), minSeconds: expect.any(Number), maxSeconds: expect.any(Number) });
    const { atSeconds, minSeconds, maxSeconds } = verdict as { atSeconds: number; minSeconds: number; maxSeconds: number };
    // The longest idle that survived (the 6 s rung) and the shortest that died (the 10 s rung) bracket the NAT's 8 s.
    expect(minSeconds).toBeGreaterThanOrEqual(6);
    expect(minSeconds).toBeLessThanOrEqual(NAT_IDLE_S);
    expect(maxSeconds).toBeGreaterThanOrEqual(NAT_IDLE_S);
    expect(maxSeconds).toBeLessThan(12);
    expect(atSeconds).toBeGreaterThanOrEqual(minSeconds);
    expect(atSeconds).toBeLessThanOrEqual(maxSeconds);
    expectStart(verdict!.text, `NAT idle drop ≈ ${atSeconds} s (between ${minSeconds} s and ${maxSeconds} s idle): keepalive off dropped silently (found dead on first use), keepalive on survives`);
    expectStart(verdict!.recommendations[0], `Keep TCP keepalive on, at or below ${minSeconds} s of idle (tedious's 30 s default is too long here`);
    expectStart(verdict!.recommendations[1], `Keep the pool's idle lifetime under ${minSeconds} s`);
  });

  test('keepalive slower than the NAT: keepalive-detected, timed by the keepalive probes', () => {
    const [o] = outcomesOf('slow-keepalive');
    expect(o).toMatchObject({ outcome: 'keepalive-detected', close: 'timeout', error: 'Connection lost - read ETIMEDOUT' });
    // The first probe at 10 s idle meets a flow the NAT forgot at 8 s; the kernel gives up only after
    // the rest of its probes, 1 s apart, go unanswered: so not before the last probe, and (being
    // keepalive-detected, not dead-on-use) before the rung's own check.
    expect(o.deathAgeMs).toBeGreaterThanOrEqual((SLOW_KEEPALIVE_S + (KEEPALIVE_PROBES - 1) * KEEPALIVE_INTERVAL_S) * 1000);
    expect(o.deathAgeMs).toBeLessThan(SLOW_RUNG_S * 1000);
    const verdict = results.find((r) => r.target === 'slow-keepalive')!.idle!.verdict;
    expect(verdict).toMatchObject({ kind: 'nat-idle-drop', maxSeconds: SLOW_KEEPALIVE_S });
    expectStart(verdict.text, `NAT idle drop by ${SLOW_KEEPALIVE_S} s: keepalive on found the flow gone after ${seconds(o.deathAgeMs!)}`);
  });
});
