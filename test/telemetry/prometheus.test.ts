// The Prometheus sink: what each result becomes in the exposition, info series replaced rather than
// piled up, counters created at 0, secrets scrubbed, and the names in the one table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadConfig, secretsOf, targetSchema } from '../../shared/config';
import { measurementOf, type LoopLag, type ProbeResult } from '../../shared/contract';
import { initTelemetry, PROMETHEUS, promSeriesNames, type PromMetric } from '../../shared/telemetry';
import { PrometheusTelemetry } from '../../shared/telemetry/prometheus';
import { idleTick, loginFailure, loginSuccess, poolRun } from '../helpers/results';
import { telemetrySettings } from './settings';

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of the text format, one per line that is not a comment. */
function parseExposition(text: string): Series[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    return { name: m[1], labels, value: Number(m[3]) };
  });
}

async function samples(sink: PrometheusTelemetry, name: string, where: Record<string, string> = {}): Promise<Series[]> {
  return parseExposition(await sink.exposition()).filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}

const value = async (sink: PrometheusTelemetry, name: string, where: Record<string, string>) => {
  const found = await samples(sink, name, where);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(where)}`);
  return found[0].value;
};

describe('a login result', () => {
  const sink = new PrometheusTelemetry();
  const ok = loginSuccess();
  const at = { target: 'orders', region: 'westeurope', probe: 'login' };
  beforeAll(() => {
    sink.record(ok);
    return sink.flush();
  });

  it('sets success, duration and start time in base units', async () => {
    expect(await value(sink, 'sqlprobe_probe_success', at)).toBe(1);
    expect(await value(sink, 'sqlprobe_probe_duration_seconds', at)).toBeCloseTo(0.3124);
    expect(await value(sink, 'sqlprobe_probe_timestamp_seconds', at)).toBe(Date.parse(ok.startedAt) / 1000);
    expect(await value(sink, 'sqlprobe_probe_class_info', { ...at, class: 'ok' })).toBe(1);
    expect(await value(sink, 'sqlprobe_probe_results_total', { ...at, class: 'ok' })).toBe(1);
  });

  it('observes each phase in seconds in the phase histogram, under the probe and the phase', async () => {
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_count', { ...at, phase: 'tls' })).toBe(1);
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_sum', { ...at, phase: 'tls' })).toBeCloseTo(0.0805);
    // 80.5 ms: above the 0.05 s bound, within 0.1 s.
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_bucket', { ...at, phase: 'tls', le: '0.05' })).toBe(0);
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_bucket', { ...at, phase: 'tls', le: '0.1' })).toBe(1);
    expect((await samples(sink, 'sqlprobe_phase_duration_seconds_count', at)).map((s) => s.labels.phase)).toEqual(ok.phases.map((p) => p.name));
  });

  it('reports the path, the TLS version and when the certificate expires', async () => {
    expect(await value(sink, 'sqlprobe_connection_policy_info', { target: 'orders', policy: 'redirect' })).toBe(1);
    expect(await value(sink, 'sqlprobe_tls_info', { target: 'orders', server: ok.server, version: 'TLSv1.3' })).toBe(1);
    expect(await value(sink, 'sqlprobe_tls_cert_expiry_timestamp_seconds', { target: 'orders', server: ok.server })).toBe(Date.parse('2026-09-01T00:00:00.000Z') / 1000);
  });

  it('builds the exposition once, plain and gzipped, and again only after a flush that brought something', async () => {
    const first = sink.body(false);
    expect(sink.body(false)).toBe(first);
    expect(gunzipSync(await sink.body(true))).toEqual(await first);
    await sink.flush();
    expect(sink.body(false)).toBe(first);
    sink.recordVerdictChange({ target: 'orders', region: 'westeurope', verdict: 'no-idle-kill', recommendation: 'nothing to change' });
    // Recorded, not yet flushed: scrapes still see the last whole round.
    expect(sink.body(false)).toBe(first);
    await sink.flush();
    expect(sink.body(false)).not.toBe(first);
    expect(await value(sink, 'sqlprobe_idle_verdict_changes_total', { verdict: 'no-idle-kill', previous_verdict: 'none' })).toBe(1);
  });
});

/** The result as the runner hands it over: with the prober's loop lag while it ran, and the measurement that follows. */
const underLoad = (r: ProbeResult, loopLag: LoopLag): ProbeResult => ({ ...r, loopLag, measurement: measurementOf(loopLag) });

describe('the prober\'s own load', () => {
  const at = { target: 'orders', region: 'westeurope', probe: 'login' };
  /** A login whose phases the prober's late event loop stretched to 2.5 s each. */
  const stretched = (lag: LoopLag) => underLoad(loginSuccess({ phases: loginSuccess().phases.map((p) => ({ ...p, durationMs: 2500 })) }), lag);

  it('counts a perturbed result under measurement "perturbed" and sets the loop lag gauge in seconds, but observes none of its phases', async () => {
    const sink = new PrometheusTelemetry();
    const r = stretched({ maxMs: 45.5, meanMs: 3.2 });
    expect(r.measurement).toBe('perturbed');
    sink.record(r);
    await sink.flush();
    expect((await samples(sink, 'sqlprobe_probe_results_total', at)).map((s) => [s.labels.class, s.labels.measurement, s.value])).toEqual([['ok', 'perturbed', 1]]);
    expect(await value(sink, 'sqlprobe_probe_loop_lag_seconds', at)).toBeCloseTo(0.0455);
    expect(await sink.exposition()).not.toMatch(/^sqlprobe_phase_duration_seconds_/m);
  });

  it('observes the phases of the clean result only, with no measurement label, and keeps the loop lag of the latest result', async () => {
    const sink = new PrometheusTelemetry();
    const clean = underLoad(loginSuccess(), { maxMs: 1.5, meanMs: 1.1 });
    sink.record(clean);
    sink.record(stretched({ maxMs: 45.5, meanMs: 3.2 }));
    await sink.flush();
    expect((await samples(sink, 'sqlprobe_probe_results_total', at)).map((s) => [s.labels.measurement, s.value])).toEqual([['clean', 1], ['perturbed', 1]]);
    const counts = await samples(sink, 'sqlprobe_phase_duration_seconds_count', at);
    expect(counts.map((s) => [s.labels.phase, s.labels.measurement, s.value])).toEqual(clean.phases.map((p) => [p.name, undefined, 1]));
    // 120.3 ms: the clean login alone, not the perturbed one's 2.5 s.
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_sum', { ...at, phase: 'login' })).toBeCloseTo(0.1203);
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_bucket', { ...at, phase: 'login', le: '2' })).toBe(1);
    expect(await value(sink, 'sqlprobe_probe_loop_lag_seconds', at)).toBeCloseTo(0.0455);
  });

  it('creates no perturbed series for a clean result at the 20 ms bound', async () => {
    const sink = new PrometheusTelemetry();
    sink.record(underLoad(loginSuccess(), { maxMs: 20, meanMs: 1 }));
    await sink.flush();
    const text = await sink.exposition();
    expect(text).not.toContain('measurement="perturbed"');
    expect(await value(sink, 'sqlprobe_probe_results_total', { ...at, class: 'ok', measurement: 'clean' })).toBe(1);
    expect(await value(sink, 'sqlprobe_phase_duration_seconds_count', { ...at, phase: 'login' })).toBe(1);
    expect(await value(sink, 'sqlprobe_probe_loop_lag_seconds', at)).toBeCloseTo(0.02);
  });

  it('counts and observes a result from before loop lag was measured as before, with no measurement label and no loop lag, dropping the one before it', async () => {
    const sink = new PrometheusTelemetry();
    sink.record(stretched({ maxMs: 45.5, meanMs: 3.2 }));
    await sink.flush();
    expect(await samples(sink, 'sqlprobe_probe_loop_lag_seconds', at)).toHaveLength(1);
    sink.record(loginSuccess());
    await sink.flush();
    expect(await samples(sink, 'sqlprobe_probe_loop_lag_seconds')).toEqual([]);
    expect((await samples(sink, 'sqlprobe_probe_results_total', at)).map((s) => [s.labels.measurement, s.value])).toEqual([['perturbed', 1], [undefined, 1]]);
    expect((await samples(sink, 'sqlprobe_phase_duration_seconds_count', { ...at, phase: 'login' })).map((s) => [s.labels.measurement, s.value])).toEqual([[undefined, 1]]);
  });
});

describe('the latest result replaces the facts of the one before', () => {
  it('keeps one class series per probe and one path per target, the latest', async () => {
    const sink = new PrometheusTelemetry();
    sink.record(loginFailure({ target: 'orders' }));
    sink.record(loginSuccess({ policy: 'proxy' }));
    await sink.flush();
    const at = { target: 'orders', probe: 'login' };
    expect((await samples(sink, 'sqlprobe_probe_class_info', at)).map((s) => s.labels.class)).toEqual(['ok']);
    expect(await value(sink, 'sqlprobe_probe_success', at)).toBe(1);
    // The counter keeps the history: one failure, one success.
    expect((await samples(sink, 'sqlprobe_probe_results_total', at)).map((s) => [s.labels.class, s.value])).toEqual([['firewall-blocked', 1], ['ok', 1]]);
    expect((await samples(sink, 'sqlprobe_connection_policy_info', { target: 'orders' })).map((s) => s.labels.policy)).toEqual(['proxy']);
  });

  it('keeps the last conclusive idle verdict through an inconclusive one', async () => {
    const sink = new PrometheusTelemetry();
    const tick = idleTick();
    sink.record(tick);
    sink.record({ ...tick, idle: { ...tick.idle!, outcomes: [], verdict: { ...tick.idle!.verdict, kind: 'inconclusive', recommendations: [] } } });
    await sink.flush();
    expect((await samples(sink, 'sqlprobe_idle_verdict_info', { target: 'orders' })).map((s) => [s.labels.verdict, s.labels.recommendation])).toEqual([['nat-idle-drop', 'Keep TCP keepalive on']]);
  });
});

describe('idle and pool results', () => {
  it('count idle outcomes by rung, keepalive and outcome, with death ages in seconds', async () => {
    const sink = new PrometheusTelemetry();
    sink.record(idleTick());
    await sink.flush();
    const rung = { target: 'orders', rung: '5m' };
    expect(await value(sink, 'sqlprobe_idle_outcomes_total', { ...rung, keepalive: 'off', outcome: 'dead-on-use' })).toBe(1);
    expect(await value(sink, 'sqlprobe_idle_outcomes_total', { ...rung, keepalive: 'on', outcome: 'survived' })).toBe(1);
    // Died at 240.1 s: just past the 240 s bound.
    const death = { ...rung, keepalive: 'off', outcome: 'dead-on-use' };
    expect(await value(sink, 'sqlprobe_idle_death_age_seconds_bucket', { ...death, le: '240' })).toBe(0);
    expect(await value(sink, 'sqlprobe_idle_death_age_seconds_bucket', { ...death, le: '300' })).toBe(1);
    expect(await samples(sink, 'sqlprobe_idle_death_age_seconds_count', { ...rung, keepalive: 'on' })).toEqual([]);
  });

  it('count dead connections on borrow, without and with the socket check', async () => {
    const sink = new PrometheusTelemetry();
    sink.record(poolRun());
    await sink.flush();
    expect(await value(sink, 'sqlprobe_pool_dead_on_borrow_total', { target: 'orders', borrow_check: 'none' })).toBe(3);
    expect(await value(sink, 'sqlprobe_pool_dead_on_borrow_total', { target: 'orders', borrow_check: 'socket-check' })).toBe(2);
  });
});

describe('seed', () => {
  it('creates the counters of the configured targets at 0, so the first increment is one increase() sees', async () => {
    const sink = new PrometheusTelemetry();
    const idle = targetSchema.parse({ name: 'orders', server: 'orders.database.windows.net', database: 'orders', auth: { type: 'managed-identity' }, probes: ['tcp', 'idle', 'pool'], idle: { rungs: ['5m', '31m'] } });
    sink.seed([idle], 'westeurope');
    const where = { target: 'orders', region: 'westeurope' };
    // Clean successes only: a perturbed series appears with the first perturbed result.
    expect((await samples(sink, 'sqlprobe_probe_results_total', where)).map((s) => [s.labels.probe, s.labels.class, s.labels.measurement, s.value])).toEqual([['tcp', 'ok', 'clean', 0], ['idle', 'ok', 'clean', 0], ['pool', 'ok', 'clean', 0]]);
    // 2 rungs × 2 keepalive variants × 5 outcomes.
    const outcomes = await samples(sink, 'sqlprobe_idle_outcomes_total', where);
    expect(outcomes).toHaveLength(20);
    expect(new Set(outcomes.map((s) => s.labels.rung))).toEqual(new Set(['5m', '31m']));
    expect(outcomes.every((s) => s.value === 0)).toBe(true);
    const changes = await samples(sink, 'sqlprobe_idle_verdict_changes_total', { ...where, verdict: 'gateway-idle-kill' });
    expect(changes.map((s) => s.labels.previous_verdict).sort()).toEqual(['inconclusive', 'nat-idle-drop', 'no-idle-kill', 'none', 'silent-drop']);
    expect((await samples(sink, 'sqlprobe_pool_dead_on_borrow_total', where)).map((s) => s.value)).toEqual([0, 0]);
    expect(await samples(sink, 'sqlprobe_probe_success')).toEqual([]);
  });
});

describe('as a sink of initTelemetry', () => {
  it('gets results scrubbed of the configured secrets, like every other sink', async () => {
    const secret = 'Prom-Passw0rd-in-a-verdict-8e21';
    const sink = new PrometheusTelemetry();
    const env = { SQLPROBE_TARGETS: JSON.stringify([{ name: 'orders', server: 'o.database.windows.net', database: 'o', auth: { type: 'sql', user: 'u', passwordSetting: 'ORDERS_PW' } }]), ORDERS_PW: secret };
    const telemetry = initTelemetry(telemetrySettings(), { secrets: secretsOf(loadConfig(env).targets, env), sinks: [sink], print: () => undefined });
    const tick = idleTick();
    telemetry.record({ ...tick, idle: { ...tick.idle!, verdict: { ...tick.idle!.verdict, recommendations: [`rotate ${secret}`] } } });
    expect(await telemetry.flush(1000)).toBe(true);
    const text = await sink.exposition();
    expect(text).not.toContain(secret);
    expect(text).toContain('recommendation="rotate [redacted]"');
  });
});

describe('the name table', () => {
  it('is what the sink exposes: every metric, with its type and labels, and no other', async () => {
    const sink = new PrometheusTelemetry();
    // Both measurements: a perturbed result adds no histogram series, a clean one does.
    for (const r of [loginSuccess(), loginFailure(), idleTick(), poolRun()]) {
      for (const maxMs of [25, 5]) sink.record(underLoad(r, { maxMs, meanMs: 2 }));
    }
    sink.recordVerdictChange({ target: 'orders', region: 'westeurope', verdict: 'nat-idle-drop', recommendation: 'x' });
    await sink.flush();
    const text = await sink.exposition();
    const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(types).toEqual(Object.fromEntries(Object.values(PROMETHEUS).map((m) => [m.name, m.type])));
    for (const s of parseExposition(text)) {
      const metric = Object.values(PROMETHEUS).find((m) => s.name === m.name || s.name.startsWith(`${m.name}_`))!;
      expect(Object.keys(s.labels).filter((l) => l !== 'le').sort()).toEqual([...metric.labels].sort());
    }
    expect(new Set(parseExposition(text).map((s) => s.name))).toEqual(new Set(promSeriesNames()));
  });

  it('follows the naming conventions: a sqlprobe_ prefix, _total on counters, _seconds on durations, _info on info gauges', () => {
    const metrics: readonly PromMetric[] = Object.values(PROMETHEUS);
    for (const m of metrics) {
      expect(m.name).toMatch(/^sqlprobe_[a-z_]+$/);
      expect(m.name.endsWith('_total')).toBe(m.type === 'counter');
    }
    expect(metrics.filter((m) => m.type === 'histogram' && !m.name.endsWith('_seconds')).map((m) => m.name)).toEqual([]);
    expect(metrics.filter((m) => m.name.endsWith('_info') && !/always 1$/.test(m.help)).map((m) => m.name)).toEqual([]);
  });

  it('is in docs/telemetry.md, each name on one line with its Application Insights counterpart', () => {
    const lines = readFileSync(join(__dirname, '../../docs/telemetry.md'), 'utf8').split('\n');
    const missing = Object.values(PROMETHEUS).filter((m) => !lines.some((l) => l.includes(`\`${m.name}\``) && l.includes(m.azure.split(' ')[0])));
    expect(missing.map((m) => m.name)).toEqual([]);
  });
});
