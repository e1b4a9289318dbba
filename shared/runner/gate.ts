import { type Clock, type LoadSample, loopMonitor, realClock } from './loop-lag';

/** Decides when a probe may start. */
export interface AdmissionGate {
  /** Resolves true when the probe may start, or false once `signal` aborts first. */
  admit(signal: AbortSignal): Promise<boolean>;
}

/** Every probe starts at once: the runner as it was before it watched its own load (benchmarks compare against it). */
export const UNGATED: AdmissionGate = { admit: async (signal) => !signal.aborted };

/** What the gate reads: the loop monitor's samples (LoopLagMonitor has this shape). */
export interface LoadSignal {
  subscribe(listener: (sample: LoadSample) => void): () => void;
  current(): LoadSample & { running: boolean };
}

export interface GateTuning {
  /** No probe starts while the loop runs callbacks later than this (ms)… */
  lagLimitMs: number;
  /** …for at most this long (ms): under a loop that stays late (another task's load), probes still start, paced at the lowest rate. */
  maxHoldMs: number;
  /** The delay (smoothed over a few samples, ms) that pacing aims at; above it the start rate falls. */
  targetLagMs: number;
  /** The busy share of the loop that pacing aims at; above it the start rate falls. */
  targetUtilization: number;
  /** Starts per second: where pacing begins, and its bounds. */
  initialRate: number;
  minRate: number;
  maxRate: number;
}

/**
 * A probe waiting to start is work in progress: unlike the loop monitor's samples, the gate's timer
 * keeps the process alive (a CLI round between two probes has nothing else that does).
 */
const gateClock: Clock = { ...realClock, setTimeout: (fn, ms) => setTimeout(fn, ms) };

/** Chosen with bench/runner-fanout (docs/BENCHMARKS.md); docs/architecture.md explains them. */
export const DEFAULT_TUNING: GateTuning = { lagLimitMs: 10, maxHoldMs: 100, targetLagMs: 3, targetUtilization: 0.7, initialRate: 100, minRate: 10, maxRate: 2000 };

interface Waiter {
  since: number;
  resolve: (admitted: boolean) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * Paces probe starts by the event loop's own load. A probe's CPU-heavy steps (the TLS handshake,
 * tedious's login processing) come in bursts when server flights arrive; started all at once, probes
 * receive their flights in lockstep and each one's callbacks queue behind the others', which
 * stretches every phase it reports. So starts are spaced by a rate that adapts on every loop sample:
 * halved when the loop runs late, lowered while the loop is busier than the target share, raised
 * while it is not. While the loop runs late no probe starts, for a while: when it stays late (the
 * load is not the probes'), probes start at the lowest rate, so results keep coming, flagged
 * `perturbed`.
 *
 * Only starts are paced: a probe waiting on the network holds nothing here, so a target that hangs
 * never delays the others (the runner's concurrency bounds how many wait at once). A lone probe, or
 * the first after a quiet spell, starts at once.
 */
export class LoadGate implements AdmissionGate {
  private readonly queue: Waiter[] = [];
  private rate: number;
  private smoothedLag = 0;
  private lastStart = -Infinity;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;

  constructor(
    private readonly load: LoadSignal,
    private readonly tuning: GateTuning = DEFAULT_TUNING,
    private readonly clock: Clock = gateClock,
  ) {
    this.rate = tuning.initialRate;
  }

  /** Starts per second the gate allows now. */
  currentRate(): number {
    return this.rate;
  }

  admit(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { since: this.clock.now(), resolve, signal, onAbort: () => this.drop(waiter) };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private drop(waiter: Waiter): void {
    const at = this.queue.indexOf(waiter);
    if (at >= 0) this.queue.splice(at, 1);
    waiter.resolve(false);
    this.pump();
  }

  private readonly onSample = (sample: LoadSample): void => {
    const { lagLimitMs, targetLagMs, targetUtilization, minRate, maxRate } = this.tuning;
    this.smoothedLag += 0.2 * (sample.lagMs - this.smoothedLag);
    if (sample.lagMs > lagLimitMs) this.rate = Math.max(minRate, this.rate / 2);
    else if (this.smoothedLag > targetLagMs || sample.utilization > targetUtilization) this.rate = Math.max(minRate, this.rate * 0.9);
    else this.rate = Math.min(maxRate, this.rate * 1.05);
    this.pump();
  };

  private pump(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const load = this.load.current();
    // A quiet process (no probe running, nothing sampled): start again from the initial rate.
    if (!load.running) this.rate = Math.max(this.rate, this.tuning.initialRate);
    while (this.queue.length > 0) {
      const now = this.clock.now();
      // A late loop holds the queue, up to maxHoldMs for the first in line, then lets it through at the lowest rate.
      const held = load.running && load.lagMs > this.tuning.lagLimitMs;
      const paced = this.lastStart + 1000 / (held ? this.tuning.minRate : this.rate);
      const wait = (held ? Math.max(paced, this.queue[0].since + this.tuning.maxHoldMs) : paced) - now;
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        break;
      }
      const waiter = this.queue.shift() as Waiter;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.lastStart = now;
      waiter.resolve(true);
    }
    // Listen to the loop while anyone waits: samples move the rate and release the queue.
    if (this.queue.length > 0) this.unsubscribe ??= this.load.subscribe(this.onSample);
    else if (this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }
}

/** The process's one gate: every round in the process shares its event loop. */
export const processGate = new LoadGate(loopMonitor);
