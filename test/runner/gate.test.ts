// The load-aware gate on jest's clock, driven by a load signal the test controls: when each probe
// may start is decided by the gate alone, never by how loaded the machine running the test is.
import { type Clock, type GateTuning, LoadGate, type LoadSample, type LoadSignal } from '../../shared/runner';

const TUNING: GateTuning = { lagLimitMs: 5, maxHoldMs: 250, targetLagMs: 2, targetUtilization: 0.5, initialRate: 100, minRate: 5, maxRate: 1000 };

/** The loop as the test describes it: samples are emitted by hand; `running` while anyone listens. */
class FakeLoad implements LoadSignal {
  private readonly listeners = new Set<(s: LoadSample) => void>();
  sample: LoadSample = { lagMs: 0, utilization: 0 };

  subscribe(listener: (s: LoadSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  current() {
    return { ...this.sample, running: this.listeners.size > 0 };
  }

  get listening(): number {
    return this.listeners.size;
  }

  emit(sample: LoadSample): void {
    this.sample = sample;
    for (const l of [...this.listeners]) l(sample);
  }
}

const fakeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t),
};

/** Starts `n` admissions and records when (on jest's clock) each one was let through. */
function waiters(gate: LoadGate, n: number, signal = new AbortController().signal) {
  const admittedAt: (number | false)[] = Array(n).fill(undefined);
  const done = Array.from({ length: n }, (_, i) => gate.admit(signal).then((ok) => (admittedAt[i] = ok ? Date.now() : false)));
  return { admittedAt, done };
}

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

describe('LoadGate', () => {
  it('lets a lone probe start at once on a quiet process', async () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    const { admittedAt } = waiters(gate, 1);
    await jest.advanceTimersByTimeAsync(0);
    expect(admittedAt).toEqual([0]);
    // Nobody waits, so the gate does not keep the loop monitor running.
    expect(load.listening).toBe(0);
  });

  it('spaces starts by its rate instead of releasing a burst in lockstep', async () => {
    const gate = new LoadGate(new FakeLoad(), TUNING, fakeClock);
    const { admittedAt } = waiters(gate, 5);
    await jest.advanceTimersByTimeAsync(100);
    // 100 starts a second: one at once, then one every 10 ms.
    expect(admittedAt).toEqual([0, 10, 20, 30, 40]);
  });

  it('admits nothing while the loop runs late, halves its rate, and resumes on the next responsive sample', async () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    const { admittedAt } = waiters(gate, 3);
    await jest.advanceTimersByTimeAsync(0);
    expect(admittedAt[0]).toBe(0);
    load.emit({ lagMs: 30, utilization: 0.9 });
    expect(gate.currentRate()).toBe(50);
    await jest.advanceTimersByTimeAsync(200);
    // Still late (the last sample said so): the queue waits.
    expect(admittedAt.slice(1)).toEqual([undefined, undefined]);
    load.emit({ lagMs: 1, utilization: 0.3 });
    await jest.advanceTimersByTimeAsync(0);
    expect(admittedAt[1]).toBe(200);
    // Then paced at the new rate: 50/s, × 0.9 after the calm sample (the smoothed lag is still over
    // its target), is one start every 22.2 ms.
    await jest.advanceTimersByTimeAsync(21);
    expect(admittedAt[2]).toBeUndefined();
    await jest.advanceTimersByTimeAsync(2);
    expect(admittedAt[2]).toBeGreaterThanOrEqual(222);
  });

  it('does not hold probes for ever under a loop that stays late: after maxHoldMs they start at the lowest rate', async () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    const { admittedAt } = waiters(gate, 4);
    await jest.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 20; i++) load.emit({ lagMs: 80, utilization: 1 });
    await jest.advanceTimersByTimeAsync(1000);
    // The second waited its 250 ms; then one every 200 ms (5 a second), each into a late loop.
    expect(admittedAt).toEqual([0, 250, 450, 650]);
  });

  it('slows down while the loop is busier than its target share, and speeds up while it is not', () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    waiters(gate, 1000);
    for (let i = 0; i < 10; i++) load.emit({ lagMs: 1, utilization: 0.8 });
    expect(gate.currentRate()).toBeCloseTo(100 * 0.9 ** 10);
    for (let i = 0; i < 10; i++) load.emit({ lagMs: 1, utilization: 0.2 });
    expect(gate.currentRate()).toBeCloseTo(100 * 0.9 ** 10 * 1.05 ** 10);
    for (let i = 0; i < 200; i++) load.emit({ lagMs: 100, utilization: 1 });
    expect(gate.currentRate()).toBe(TUNING.minRate);
    for (let i = 0; i < 500; i++) load.emit({ lagMs: 0, utilization: 0 });
    expect(gate.currentRate()).toBe(TUNING.maxRate);
  });

  it('lowers the rate while the smoothed lag stays above its target, though no sample reaches the limit', () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    waiters(gate, 100);
    // 4 ms late each time: under the 5 ms limit, and over the 2 ms target once smoothed (from the 4th sample).
    for (let i = 0; i < 4; i++) load.emit({ lagMs: 4, utilization: 0.1 });
    expect(gate.currentRate()).toBeCloseTo(100 * 1.05 ** 3 * 0.9);
    for (let i = 0; i < 10; i++) load.emit({ lagMs: 4, utilization: 0.1 });
    expect(gate.currentRate()).toBeCloseTo(100 * 1.05 ** 3 * 0.9 ** 11);
  });

  it('counts only starts: probes that never finish (hanging targets) do not hold back the ones behind them', async () => {
    const gate = new LoadGate(new FakeLoad(), TUNING, fakeClock);
    // 50 probes start and hang forever: nothing is ever released back to the gate.
    const { admittedAt } = waiters(gate, 51);
    await jest.advanceTimersByTimeAsync(500);
    expect(admittedAt.every((t) => typeof t === 'number')).toBe(true);
    expect(admittedAt[50]).toBe(500);
  });

  it('drops a waiter whose signal aborts, answering false, and lets the rest through', async () => {
    const load = new FakeLoad();
    const gate = new LoadGate(load, TUNING, fakeClock);
    const stop = new AbortController();
    const first = waiters(gate, 1);
    const stopped = waiters(gate, 2, stop.signal);
    const last = waiters(gate, 1);
    await jest.advanceTimersByTimeAsync(5);
    stop.abort();
    await jest.advanceTimersByTimeAsync(100);
    expect(first.admittedAt).toEqual([0]);
    expect(stopped.admittedAt).toEqual([false, false]);
    expect(last.admittedAt).toEqual([10]);
    expect(load.listening).toBe(0);
    await expect(gate.admit(AbortSignal.abort())).resolves.toBe(false);
  });
});
