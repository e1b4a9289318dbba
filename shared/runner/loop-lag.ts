import { performance } from 'node:perf_hooks';

/** The prober's own load while one probe ran: how late the event loop ran its callbacks. */
export interface LagStats {
  /** The largest delay seen, in ms: about the most any one phase of the probe can have been stretched. */
  maxMs: number;
  /** The mean delay over the samples (about 1 ms on a quiet loop: timers have millisecond granularity). */
  meanMs: number;
}

/** What the monitor needs of time, so tests can drive it with fake timers. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(timer: NodeJS.Timeout): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer),
};

/** Busy share of the loop since the previous call (perf_hooks.eventLoopUtilization deltas). */
export type Utilization = () => number;

export function eventLoopUtilization(): Utilization {
  let previous = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(current, previous);
    previous = current;
    return utilization;
  };
}

/** One sample, to whoever listens between samples (the admission gate). */
export interface LoadSample {
  lagMs: number;
  /** Smoothed busy share of the loop (0–1) over the last few samples. */
  utilization: number;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

/** The statistics of one window of samples: open while one probe runs. */
export class LagWatch {
  private max = 0;
  private sum = 0;
  private count = 0;
  private stats?: LagStats;

  constructor(private readonly monitor: LoopLagMonitor) {}

  add(lagMs: number): void {
    this.max = Math.max(this.max, lagMs);
    this.sum += lagMs;
    this.count++;
  }

  /**
   * Ends the window. A sample that is due but has not run yet is lag building up right now, so it
   * counts too: a probe shorter than the sampling interval still sees a loop that is blocked.
   */
  stop(): LagStats {
    if (!this.stats) {
      const pending = this.monitor.pendingLag();
      if (pending > 0 || this.count === 0) this.add(pending);
      this.stats = { maxMs: round1(this.max), meanMs: round1(this.sum / this.count) };
      this.monitor.release(this);
    }
    return this.stats;
  }
}

/** How much of each new utilization reading enters the smoothed value: about five samples' memory. */
const SMOOTHING = 0.2;

/**
 * Samples event-loop delay with a timer every `intervalMs`: the delay is how much later than due
 * the timer ran. Unlike perf_hooks.monitorEventLoopDelay, whose histogram covers the whole process,
 * this gives each probe its own window (`watch()`). It runs only while a window is open or a
 * listener (the admission gate) is waiting, and never keeps the process alive.
 */
export class LoopLagMonitor {
  private readonly watches = new Set<LagWatch>();
  private readonly listeners = new Set<(sample: LoadSample) => void>();
  private timer?: NodeJS.Timeout;
  private dueAt = 0;
  private utilization = 0;
  private lastLag = 0;
  private utilizationSince?: Utilization;

  constructor(
    readonly intervalMs = 10,
    private readonly clock: Clock = realClock,
    private readonly newUtilization: () => Utilization = eventLoopUtilization,
  ) {}

  /** Opens a window; `stop()` it when the probe ends. */
  watch(): LagWatch {
    const w = new LagWatch(this);
    this.watches.add(w);
    this.run();
    return w;
  }

  /** Calls `listener` on every sample until the returned function is called; keeps the sampler running meanwhile. */
  subscribe(listener: (sample: LoadSample) => void): () => void {
    this.listeners.add(listener);
    this.run();
    return () => {
      this.listeners.delete(listener);
      this.idleCheck();
    };
  }

  /** The latest reading; a stopped monitor reads as an idle loop. */
  current(): LoadSample & { running: boolean } {
    const running = this.timer !== undefined;
    return running ? { lagMs: Math.max(this.lastLag, this.pendingLag()), utilization: this.utilization, running } : { lagMs: 0, utilization: 0, running };
  }

  /** How late the sample that is due already is (0 when it is not due yet or the monitor is stopped). */
  pendingLag(): number {
    return this.timer === undefined ? 0 : Math.max(0, this.clock.now() - this.dueAt);
  }

  /** @internal A window that stopped. */
  release(w: LagWatch): void {
    this.watches.delete(w);
    this.idleCheck();
  }

  private run(): void {
    if (this.timer !== undefined) return;
    this.utilizationSince = this.newUtilization();
    this.utilization = 0;
    this.lastLag = 0;
    this.schedule();
  }

  private schedule(): void {
    this.dueAt = this.clock.now() + this.intervalMs;
    this.timer = this.clock.setTimeout(this.sample, this.intervalMs);
  }

  private readonly sample = (): void => {
    const lagMs = Math.max(0, this.clock.now() - this.dueAt);
    this.lastLag = lagMs;
    this.utilization += SMOOTHING * ((this.utilizationSince?.() ?? 0) - this.utilization);
    for (const w of this.watches) w.add(lagMs);
    this.schedule();
    const sample = { lagMs, utilization: this.utilization };
    for (const listener of [...this.listeners]) listener(sample);
  };

  private idleCheck(): void {
    if (this.watches.size > 0 || this.listeners.size > 0 || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The process's one monitor: every probe in the process shares its event loop. */
export const loopMonitor = new LoopLagMonitor();
