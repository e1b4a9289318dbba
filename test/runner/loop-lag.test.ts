// The loop-lag monitor on a hand-driven clock: "the loop is blocked" is time passing with no timer
// run, so each window's numbers are exact and no real machine's load enters the test.
import { type Clock, LoopLagMonitor } from '../../shared/runner';

class ManualLoop implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;

  now = () => this.t;

  setTimeout = (fn: () => void, ms: number): NodeJS.Timeout => {
    const id = ++this.nextId;
    this.timers.push({ at: this.t + ms, fn, id });
    return id as unknown as NodeJS.Timeout;
  };

  clearTimeout = (timer: NodeJS.Timeout): void => {
    this.timers = this.timers.filter((t) => t.id !== (timer as unknown as number));
  };

  get pending(): number {
    return this.timers.length;
  }

  /** A responsive loop for `ms`: every timer runs when it is due. */
  idle(ms: number): void {
    const until = this.t + ms;
    for (let next = this.due(until); next; next = this.due(until)) {
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = until;
  }

  /** A callback that runs for `ms`: time passes, nothing else runs; overdue timers run after it. */
  block(ms: number): void {
    this.t += ms;
    this.idle(0);
  }

  private due(until: number) {
    const [first] = [...this.timers].sort((a, b) => a.at - b.at);
    if (!first || first.at > until) return undefined;
    this.timers = this.timers.filter((t) => t !== first);
    return first;
  }
}

const monitorOn = (loop: ManualLoop, utilization = [0]) => {
  let i = 0;
  return new LoopLagMonitor(10, loop, () => () => utilization[Math.min(i++, utilization.length - 1)]);
};

describe('LoopLagMonitor', () => {
  it('reports no lag for a probe on a responsive loop', () => {
    const loop = new ManualLoop();
    const watch = monitorOn(loop).watch();
    loop.idle(95);
    expect(watch.stop()).toEqual({ maxMs: 0, meanMs: 0 });
  });

  it('reports the delay of a blocked stretch during the probe: its max, and the mean over the samples', () => {
    const loop = new ManualLoop();
    const watch = monitorOn(loop).watch();
    loop.idle(20); // samples at 10 and 20, on time
    loop.block(45); // the sample due at 30 runs at 65: 35 ms late
    loop.idle(25); // on time again at 75 and 85
    expect(watch.stop()).toEqual({ maxMs: 35, meanMs: 7 });
  });

  it('counts lag still building up when the probe ends, even in a probe shorter than one sample', () => {
    const loop = new ManualLoop();
    const monitor = monitorOn(loop);
    const watch = monitor.watch();
    // The probe's own last callback comes after 30 ms of someone else's work; the sample due at 10 has not run.
    loop.t += 30;
    expect(watch.stop()).toEqual({ maxMs: 20, meanMs: 20 });
  });

  it('gives each probe its own window', () => {
    const loop = new ManualLoop();
    const monitor = monitorOn(loop);
    const early = monitor.watch();
    loop.block(50);
    const late = monitor.watch();
    loop.idle(30);
    expect(early.stop().maxMs).toBe(40);
    expect(late.stop()).toEqual({ maxMs: 0, meanMs: 0 });
  });

  it('samples only while a window is open or a listener waits, so an idle process has no timer', () => {
    const loop = new ManualLoop();
    const monitor = monitorOn(loop, [0.9]);
    expect(loop.pending).toBe(0);
    const watch = monitor.watch();
    expect(loop.pending).toBe(1);
    const samples: number[] = [];
    const unsubscribe = monitor.subscribe((s) => samples.push(s.utilization));
    watch.stop();
    loop.idle(30);
    // Smoothed: each sample moves the reading a fifth of the way to the latest utilization.
    expect(samples.map((u) => Math.round(u * 1000) / 1000)).toEqual([0.18, 0.324, 0.439]);
    expect(monitor.current()).toMatchObject({ running: true });
    unsubscribe();
    expect(loop.pending).toBe(0);
    expect(monitor.current()).toEqual({ lagMs: 0, utilization: 0, running: false });
    // A window stopped twice reports the same numbers and releases nothing more.
    expect(watch.stop()).toEqual(watch.stop());
  });
});
