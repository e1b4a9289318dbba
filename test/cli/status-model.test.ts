import { StatusModel } from '../../cli/status/model';
import { statusSchema } from '../../cli/status/schema';
import { LATENCY_WINDOW_MS, MAX_LATENCY_SAMPLES, MAX_VERDICT_CHANGES } from '../../cli/status/target-state';
import { loadConfig, secretsOf, targetSchema } from '../../shared/config';
import type { ConnectionOutcome } from '../../shared/contract';
import { verdictFor } from '../../shared/idle';
import { initTelemetry } from '../../shared/telemetry';
import { telemetrySettings } from '../telemetry/settings';
import { LOGIN_FAILED, result } from '../helpers/results';

const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const proxy = targetSchema.parse({
  name: 'demo-proxy', server: '127.0.0.1', port: 14330, database: 'appdb', probes: ['dns', 'tcp', 'tls', 'login', 'idle'],
  expect: { policy: 'proxy' }, idle: { rungs: ['20s', '90s'] },
});
const redirect = targetSchema.parse({ name: 'demo-redirect', server: '127.0.0.1', port: 14331, database: 'appdb' });
const outcome = (rungMs: number, keepalive: 'on' | 'off', o: Partial<ConnectionOutcome> = {}): ConnectionOutcome => ({ cohort: 'c', rungMs, keepalive, outcome: 'survived', idleMs: rungMs, ...o });
const at = (ms: number) => new Date(T0 + ms).toISOString();

function idleResult(outcomes: ConnectionOutcome[], all: ConnectionOutcome[], held = 0) {
  return result({ target: 'demo-proxy', probe: 'idle', phases: [], policy: undefined, idle: { mode: 'held', outcomes, held, verdict: verdictFor(all) } });
}

function model(now = () => T0) {
  return new StatusModel([proxy, redirect], { region: 'local', demo: true }, now);
}

describe('status model', () => {
  it('lists every target before any result, and validates against the status schema', () => {
    const status = statusSchema.parse(model().snapshot());
    expect(status.targets.map((t) => [t.name, t.expectedPolicy, t.latest.length])).toEqual([['demo-proxy', 'proxy', 0], ['demo-redirect', undefined, 0]]);
    // The idle ladder is laid out before it runs: a cell per rung and keepalive variant, in the ladder's order.
    expect(status.targets[0].idle?.cells.map((c) => `${c.rungMs / 1000}/${c.keepalive}`)).toEqual(['20/on', '20/off', '90/on', '90/off']);
    expect(status.targets[1].idle).toBeUndefined();
  });

  it("keeps each probe's last result, the login's waterfall and a latency sample per login", () => {
    const m = model();
    m.record(result({ target: 'demo-proxy', probe: 'tls', phases: [{ name: 'tls', startMs: 0, durationMs: 9 }], policy: undefined }));
    m.record(result({ target: 'demo-proxy', startedAt: at(0) }));
    m.record(result({ target: 'demo-proxy', startedAt: at(15_000), success: false, error: LOGIN_FAILED }));
    const t = statusSchema.parse(m.snapshot()).targets[0];
    expect(t.latest.map((r) => [r.probe, r.success])).toEqual([['tls', true], ['login', false]]);
    expect(t.waterfall).toMatchObject({ probe: 'login', success: false, failedPhase: 'login', at: at(15_000) });
    expect(t.waterfall?.phases.map((p) => p.name)).toEqual(['dns', 'tcp', 'prelogin', 'tls', 'login']);
    expect(t.latency?.probe).toBe('login');
    expect(t.latency?.samples.map((s) => [s.at, s.success, s.phases.tls])).toEqual([[at(0), true, 13], [at(15_000), false, 13]]);
  });

  it('keeps an hour of latency, at most MAX_LATENCY_SAMPLES samples', () => {
    let now = T0;
    const m = model(() => now);
    m.record(result({ target: 'demo-proxy', startedAt: at(0) }));
    now = T0 + LATENCY_WINDOW_MS + 1;
    expect(m.snapshot().targets[0].latency?.samples).toEqual([]);
    for (let i = 0; i < MAX_LATENCY_SAMPLES + 50; i += 1) m.record(result({ target: 'demo-proxy', startedAt: at(LATENCY_WINDOW_MS + i) }));
    const samples = m.snapshot().targets[0].latency?.samples ?? [];
    expect(samples).toHaveLength(MAX_LATENCY_SAMPLES);
    expect(samples[0].at).toBe(at(LATENCY_WINDOW_MS + 50));
  });

  it('builds the survival picture from idle results: latest conclusive outcome and a tally per cell, and the verdict', () => {
    const m = model();
    const first = [outcome(20_000, 'on'), outcome(20_000, 'off')];
    const second = [outcome(90_000, 'on', { outcome: 'closed-by-peer', deathAgeMs: 60_000, close: 'fin' }), outcome(90_000, 'off', { outcome: 'closed-by-peer', deathAgeMs: 60_100, close: 'fin' })];
    const third = [outcome(20_000, 'on', { outcome: 'inconclusive', reason: 'stopped' })];
    m.record(idleResult(first, first, 2));
    m.record(idleResult(second, [...first, ...second], 0));
    m.record(idleResult(third, [...first, ...second, ...third], 0));
    const idle = statusSchema.parse(m.snapshot()).targets[0].idle!;
    expect(idle).toMatchObject({ settled: 5, expected: 4, held: 0 });
    const cell = (rung: number, ka: string) => idle.cells.find((c) => c.rungMs === rung && c.keepalive === ka)!;
    // An inconclusive outcome does not hide the conclusive one the verdict reads; it is still counted.
    expect(cell(20_000, 'on').latest?.outcome).toBe('survived');
    expect(cell(20_000, 'on').counts).toMatchObject({ survived: 1, inconclusive: 1 });
    expect(cell(90_000, 'off').latest).toMatchObject({ outcome: 'closed-by-peer', deathAgeMs: 60_100 });
    expect(idle.verdict?.kind).toBe('gateway-idle-kill');
    expect(idle.verdict?.recommendations.length).toBeGreaterThan(0);
  });

  it('keeps the last MAX_VERDICT_CHANGES verdict changes, and results of targets it was not told of', () => {
    const m = model();
    for (let i = 0; i < MAX_VERDICT_CHANGES + 5; i += 1) {
      m.recordVerdictChange({ target: 'demo-proxy', region: 'local', verdict: i % 2 ? 'no-idle-kill' : 'gateway-idle-kill', recommendation: `r${i}` });
    }
    m.record(result({ target: 'other', server: 'sql2', port: 1444 }));
    const status = statusSchema.parse(m.snapshot());
    expect(status.targets[0].verdictChanges).toHaveLength(MAX_VERDICT_CHANGES);
    expect(status.targets[0].verdictChanges.at(-1)?.recommendation).toBe(`r${MAX_VERDICT_CHANGES + 4}`);
    expect(status.targets.map((t) => t.name)).toEqual(['demo-proxy', 'demo-redirect', 'other']);
    expect(status.targets[2]).toMatchObject({ server: 'sql2', port: 1444, probes: ['login'] });
    expect(status.revision).toBe(MAX_VERDICT_CHANGES + 6);
  });

  it('tells subscribers of every change until they unsubscribe or it shuts down', async () => {
    const m = model();
    const heard: number[] = [];
    const stop = m.subscribe((r) => heard.push(r));
    m.record(result({ target: 'demo-proxy' }));
    stop();
    m.record(result({ target: 'demo-proxy' }));
    m.subscribe((r) => heard.push(r * 100));
    expect(await m.shutdown()).toBe(true);
    m.record(result({ target: 'demo-proxy' }));
    expect(heard).toEqual([1]);
  });

  it('as a telemetry sink, gets results scrubbed of the secrets the targets name', () => {
    const m = model();
    const password = 'Sw0rdfish-in-the-env';
    const env = { SQLPROBE_TARGETS: JSON.stringify([{ name: 'demo-proxy', server: 'x', database: 'd', auth: { type: 'sql', user: 'u', passwordSetting: 'DB_PW' } }]), DB_PW: password };
    const telemetry = initTelemetry(telemetrySettings(), { print: () => {}, secrets: secretsOf(loadConfig(env).targets, env), sinks: [m] });
    telemetry.record(result({ target: 'demo-proxy', success: false, error: { ...LOGIN_FAILED, message: `Login failed for user 'u' with ${password}` } }));
    const text = JSON.stringify(m.snapshot());
    expect(text).toContain('Login failed for user');
    expect(text).not.toContain(password);
  });
});
