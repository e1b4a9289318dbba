import type { TargetInput } from '../../shared/config/target';
import { probeResultSchema, type ProbeResult } from '../../shared/probers/result';
import { createTestCerts, type TestCerts } from '../helpers/certs';
import { Netlab, netlabUnavailable } from '../helpers/netns';
import { SIM_PASSWORD, SIM_USER } from '../helpers/sim';

const NAT_IDLE_S = 8;
const unavailable = netlabUnavailable();
if (unavailable && process.env.CI !== 'true') console.warn(`netlab skipped: cannot create network namespaces here (${unavailable}); CI runs it as root`);
const describeNetlab = unavailable && process.env.CI !== 'true' ? describe.skip : describe;

describeNetlab('netlab: a real kernel NAT between the prober and the simulator', () => {
  let lab: Netlab;
  let certs: TestCerts;
  let results: ProbeResult[];

  beforeAll(async () => {
    // In CI a missing netlab is a failure, never a skip.
    if (unavailable) throw new Error(`cannot create network namespaces: ${unavailable}`);
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
        target('ladder', { rungs: ['4s', '6s', '10s', '12s'], keepalive: ['on', 'off'], keepaliveIdle: '2s', useTimeout: '2s', mode: 'single' }),
        // Keepalive slower than the NAT: its first probe meets a forgotten flow, and keepalive gives up.
        target('slow-keepalive', { rungs: ['25s'], keepalive: ['on'], keepaliveIdle: '10s', mode: 'single' }),
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
    // Each rung is checked on time even while an earlier rung's dead-on-use check waits out its timeouts.
    for (const o of outcomesOf('ladder')) expect(o.idleMs! - o.rungMs).toBeLessThan(500);
    for (const o of outcomesOf('ladder').filter((x) => x.outcome === 'dead-on-use')) {
      // No FIN, no RST: the query and its cancel vanish, and the app sees tedious's cancel timeout.
      expect(o).toMatchObject({ close: 'timeout', error: 'Failed to cancel request in 5000ms', policy: 'proxy' });
    }
  });

  test('the verdict: NAT idle drop ≈ 8 s, with keepalive and pool numbers', () => {
    const verdict = results.find((r) => r.target === 'ladder')?.idle?.verdict;
    expect(verdict).toMatchObject({ kind: 'nat-idle-drop', minSeconds: expect.any(Number), maxSeconds: expect.any(Number) });
    expect(verdict!.minSeconds).toBeGreaterThanOrEqual(6);
    expect(verdict!.maxSeconds).toBeLessThan(11);
    expect(verdict!.text).toMatch(/^NAT idle drop ≈ [89](\.\d)? s \(between 6(\.\d)? s and 10(\.\d)? s idle\): keepalive off dropped silently \(found dead on first use\), keepalive on survives/);
    expect(verdict!.recommendations[0]).toMatch(/^Keep TCP keepalive on, at or below 6(\.\d)? s of idle \(tedious's 30 s default is too long here/);
    expect(verdict!.recommendations[1]).toMatch(/^Keep the pool's idle lifetime under 6(\.\d)? s/);
  });

  test('keepalive slower than the NAT: keepalive-detected, timed by the keepalive probes', () => {
    const [o] = outcomesOf('slow-keepalive');
    expect(o).toMatchObject({ outcome: 'keepalive-detected', close: 'timeout', error: 'Connection lost - read ETIMEDOUT' });
    // First probe at 10 s idle meets a flow the NAT forgot at 8 s; then 10 unanswered probes 1 s apart.
    expect(o.deathAgeMs).toBeGreaterThanOrEqual(19_000);
    expect(o.deathAgeMs).toBeLessThanOrEqual(23_000);
    expect(results.find((r) => r.target === 'slow-keepalive')?.idle?.verdict).toMatchObject({
      kind: 'nat-idle-drop',
      maxSeconds: 10,
      text: expect.stringMatching(/^NAT idle drop by 10 s: keepalive on found the flow gone after 2\d(\.\d)? s/),
    });
  });
});
