import { type AppRuntime, idleTick, type Log, startIdleRun } from '../../shared/app';
import { loadConfig, type Target } from '../../shared/config';
import type { IdleRun, ProbeResult, VerdictChange } from '../../shared/contract';
import { IdleRegistry } from '../../shared/idle';
import { Cohort, poolPlan } from '../../shared/idle/cohort';
import { openHeldSession } from '../../shared/idle/held-connection';
import { poolDetails } from '../../shared/idle/results';
import { MemoryStateStore, type StateStore } from '../../shared/state';
import type { Telemetry } from '../../shared/telemetry';
import type { Simulator } from '../../sim';
import { cleanupCerts, nextEvent, SIM_OPTIONS, SIM_PASSWORD, simTarget, startTlsSim as startSim } from '../helpers/sim';

afterAll(cleanupCerts);

/** Telemetry that keeps what it is given. */
function recording(): Telemetry & { results: ProbeResult[]; changes: VerdictChange[] } {
  const t = {
    results: [] as ProbeResult[],
    changes: [] as VerdictChange[],
    record: (r: ProbeResult) => t.results.push(r),
    recordVerdictChange: (c: VerdictChange) => t.changes.push(c),
    flush: async () => true,
    shutdown: async () => true,
  };
  return t;
}

function logLines(): Log & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (...args: unknown[]) => lines.push(`${level}: ${args.map(String).join(' ')}`);
  return { lines, log: push('info'), warn: push('warn'), error: push('error') };
}

/** Table storage that is down: every call fails as the SDK fails against an unreachable endpoint. */
class DownStore extends MemoryStateStore {
  calls = 0;
  private down(): never {
    this.calls += 1;
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002'), { code: 'ECONNREFUSED' });
  }
  override async recordResult(): Promise<void> {
    this.down();
  }
  override async latestResults(): Promise<ProbeResult[]> {
    this.down();
  }
  override async saveIdleRun(): Promise<void> {
    this.down();
  }
  override async getIdleRun(): Promise<IdleRun | undefined> {
    this.down();
  }
}

function runtime(targets: Target[], idle: IdleRegistry, store: StateStore, env: Record<string, string> = {}): AppRuntime & { telemetry: ReturnType<typeof recording> } {
  const all = { SQLPROBE_REGION: 'test', SIM_PASSWORD, ...env };
  return { settings: loadConfig(all).settings, targets, problems: [], store, telemetry: recording(), idle, env: all };
}

describe('the idle-tick work with a state store that fails', () => {
  let sim: Simulator;
  let registry: IdleRegistry;
  /** The registry's clock: rungs fall due when the test says so. */
  let now = 0;
  beforeEach(async () => {
    sim = await startSim();
    now = 0;
    registry = new IdleRegistry({ slackMs: 0, clock: () => now });
  });
  afterEach(async () => {
    await registry.close();
    await sim.stop();
  });

  test('the idle result and its verdict still reach telemetry; the log says why', async () => {
    const store = new DownStore();
    const target = simTarget(sim, { name: 'orders', idle: { rungs: ['5s'], keepalive: ['on', 'off'], useTimeout: '2s' } });
    const rt = runtime([target], registry, store);
    const log = logLines();
    expect(await idleTick(rt, log)).toBe(0); // the cohort opens; nothing settled yet
    expect(registry.held('orders')).toBe(2);
    now += 5000;
    expect(await idleTick(rt, log)).toBe(1);

    expect(rt.telemetry.results.map((r) => r.idle?.outcomes.map((o) => o.outcome))).toEqual([['survived', 'survived']]);
    expect(rt.telemetry.changes).toEqual([expect.objectContaining({ target: 'orders', verdict: 'no-idle-kill' })]);
    expect(rt.telemetry.changes[0].previous).toBeUndefined();
    expect(store.calls).toBe(2); // asked for the previous verdicts, then to save the result
    expect(log.lines).toEqual([
      expect.stringMatching(/^info: sqlprobe: idle tick: this process \(\w{8}\) now holds the idle lease for region test$/),
      expect.stringMatching(/^warn: sqlprobe: previous verdicts not read from state storage \(Error: connect ECONNREFUSED .*\); every idle verdict this tick is reported as new$/),
      expect.stringMatching(/^warn: sqlprobe: 1 result\(s\) not saved to state storage/),
      'info: sqlprobe: idle tick reported 1 result(s)',
    ]);
  });

  test('an idle run whose record cannot be saved opens nothing and holds nothing', async () => {
    const target = simTarget(sim, { name: 'orders', probes: ['login'], idle: { keepalive: ['on', 'off'] } });
    const rt = runtime([target], registry, new DownStore());
    await expect(startIdleRun(rt, target, [5000, 10_000], logLines())).rejects.toThrow(/ECONNREFUSED/);
    // A tick on this target waits for anything the run was still opening: nothing is, nothing is held.
    await registry.tick([target], { region: 'test', timeoutMs: 5000, env: rt.env });
    expect(registry.held()).toBe(0);
    expect(sim.sessions()).toEqual([]);
  });

  test('a saved run is picked up by the holder\'s next tick, holds its connections and reports under the id it was saved as', async () => {
    const store = new MemoryStateStore();
    const target = simTarget(sim, { name: 'orders', probes: ['login'], idle: { keepalive: ['on', 'off'] } });
    const rt = runtime([target], registry, store);
    const run = await startIdleRun(rt, target, [5000, 10_000], logLines());
    // This process has not ticked yet, so it does not hold the idle lease: the run waits for the holder.
    expect(run).toMatchObject({ status: 'pending', expected: 4, outcomes: [], rungs: [5000, 10_000] });
    expect(await store.getIdleRun(run.id)).toEqual(run);
    expect(registry.held()).toBe(0);
    await idleTick(rt, logLines());
    expect(registry.held()).toBe(4);
    expect(registry.status(run.id)).toMatchObject({ status: 'running', expected: 4 });
    expect(await store.getIdleRun(run.id)).toMatchObject({ status: 'running', holder: registry.tenureId() });
  });
});

describe('stopping an idle tick (Ctrl-C in sqlprobe start)', () => {
  test('a cohort open cut short by the stop is inconclusive "stopped", not a failed open', async () => {
    const sim = await startSim();
    const registry = new IdleRegistry({ slackMs: 0 });
    try {
      // Accepts the connection, reads PRELOGIN and never answers: the open would wait out the probe timeout.
      await sim.setFault('gateway', { kind: 'blackhole' });
      const target = simTarget(sim, { name: 'orders', probes: ['idle', 'pool'], idle: { rungs: ['5s'], keepalive: ['on', 'off'] }, pool: { size: 2 } });
      // A probe timeout far beyond the test's own: only the stop can end these opens in time.
      const rt = runtime([target], registry, new MemoryStateStore(), { SQLPROBE_PROBE_TIMEOUT: '10m' });
      const stop = new AbortController();
      const log = logLines();
      const tick = idleTick(rt, log, { signal: stop.signal });
      await nextEvent(sim, 'fault');
      stop.abort(new Error('stopped by SIGINT'));
      expect(await tick).toBe(1);

      const [idle] = rt.telemetry.results;
      expect(idle).toMatchObject({ probe: 'idle', success: true });
      expect(idle.error).toBeUndefined();
      expect(idle.idle?.outcomes.map((o) => [o.outcome, o.reason, o.error])).toEqual([['inconclusive', 'stopped', undefined], ['inconclusive', 'stopped', undefined]]);
      expect(idle.idle?.verdict.kind).toBe('inconclusive');
      // The pool's open was cut short too; with nothing borrowed it has nothing to report.
      expect(rt.telemetry.results.filter((r) => r.probe === 'pool')).toEqual([]);
      expect(registry.held()).toBe(0);
      // No warning: a stop is not a fault.
      expect(log.lines).toEqual([expect.stringMatching(/now holds the idle lease/), 'info: sqlprobe: idle tick reported 1 result(s)']);
    } finally {
      await registry.close();
      await sim.stop();
    }
  });

  test('a validated borrow whose replacement open is cut short by the stop is not counted as a validated failure', async () => {
    const sim = await startSim();
    const target = simTarget(sim, { probes: ['pool'], pool: { size: 1, idleFor: '1s' } });
    const open = (sig: AbortSignal) => openHeldSession(target, SIM_OPTIONS, sig);
    const cohort = new Cohort(poolPlan(target, 0), () => 0);
    try {
      await cohort.open(open, new AbortController().signal);
      // The pooled connection is dead and the socket check will see it: the validated borrow must replace it.
      cohort.entries[0].held!.session.connection.socket!.destroy();
      // The replacement's open then hangs, until the caller stops.
      await sim.setFault('gateway', { kind: 'blackhole' });
      const stop = new AbortController();
      const borrowing = cohort.checkDue(1000, 0, 'SELECT 1', 1000, open, stop.signal);
      await nextEvent(sim, 'fault');
      stop.abort(new Error('stopped by SIGINT'));
      const outcomes = await borrowing;
      expect(outcomes).toEqual([expect.objectContaining({ outcome: 'inconclusive', reason: 'stopped' })]);
      expect(poolDetails(outcomes)).toMatchObject({ failedOnFirstUse: 0, validatedFailures: 0, inconclusive: 'stopped' });
    } finally {
      cohort.abandon('stopped');
      await sim.stop();
    }
  });
});
