import type { ConnectionOutcome, Verdict } from '../contract';
import type { Cohort } from './cohort';
import { verdictFor } from './verdict';

export interface RunStatus {
  id: string;
  target: string;
  status: 'running' | 'completed' | 'cancelled';
  /** How many outcomes the run will settle in all. */
  expected: number;
  outcomes: ConnectionOutcome[];
  verdict: Verdict;
}

/** How long the process remembers finished runs: state storage keeps them; memory only until the holder saved them. */
export interface RunRetention {
  /** A finished run is forgotten this long after it finished. */
  ttlMs: number;
  /** At most this many finished runs are remembered; the oldest go first. */
  maxFinished: number;
}

export const RUN_RETENTION: RunRetention = { ttlMs: 10 * 60_000, maxFinished: 100 };

export function runRetention(given: Partial<RunRetention> = {}): RunRetention {
  const r = { ...RUN_RETENTION, ...given };
  if (!Number.isInteger(r.ttlMs) || r.ttlMs < 0 || r.ttlMs > 24 * 3_600_000) throw new RangeError(`idle run ttlMs: expected whole ms from 0 to 86400000 (24 h), got ${r.ttlMs}`);
  if (!Number.isInteger(r.maxFinished) || r.maxFinished < 0 || r.maxFinished > 10_000) throw new RangeError(`idle run maxFinished: expected 0 to 10000, got ${r.maxFinished}`);
  return r;
}

export interface HeldRun {
  target: string;
  expected: number;
  outcomes: ConnectionOutcome[];
  cohort?: Cohort;
  cancelled?: boolean;
  /** The registry's clock when the run finished. */
  finishedAt?: number;
}

/** The on-demand runs a registry holds, forgotten a while after they finish so repeated runs never grow the heap. */
export class RunBook {
  private readonly runs = new Map<string, HeldRun>();

  constructor(private readonly clock: () => number, private readonly retention: RunRetention) {}

  add(id: string, run: HeldRun): void {
    this.prune();
    this.runs.set(id, run);
  }

  get(id: string): HeldRun | undefined {
    return this.runs.get(id);
  }

  /** Books outcomes of a run; once it has them all it counts as finished. */
  record(id: string, outcomes: readonly ConnectionOutcome[]): void {
    const run = this.runs.get(id);
    if (!run || outcomes.length === 0) return;
    run.outcomes.push(...outcomes);
    if (run.outcomes.length >= run.expected && run.finishedAt === undefined) {
      run.finishedAt = this.clock();
      this.prune();
    }
  }

  /** Marks a run cancelled and finished; its cohort's remaining cells are abandoned by the registry. */
  cancel(id: string): HeldRun | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    run.cancelled = true;
    if (run.finishedAt === undefined) {
      run.finishedAt = this.clock();
      this.prune();
    }
    return run;
  }

  /** Whether a run for `target` still has connections to open or check. */
  holding(target: string): boolean {
    return [...this.runs.values()].some((r) => r.target === target && r.finishedAt === undefined);
  }

  status(id: string): RunStatus | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    const status = run.cancelled ? 'cancelled' : run.outcomes.length >= run.expected ? 'completed' : 'running';
    return { id, target: run.target, status, expected: run.expected, outcomes: [...run.outcomes], verdict: verdictFor(run.outcomes) };
  }

  /** Runs this process knows, finished ones included until they expire. */
  get size(): number {
    return this.runs.size;
  }

  /** Forgets the runs still in progress (their connections are gone); finished ones stay until they expire. */
  dropUnfinished(): void {
    for (const [id, run] of this.runs) if (run.finishedAt === undefined) this.runs.delete(id);
  }

  clear(): void {
    this.runs.clear();
  }

  /** Forgets finished runs past their time, and the oldest beyond the count. */
  prune(): void {
    const now = this.clock();
    const finished = [...this.runs].filter(([, r]) => r.finishedAt !== undefined).sort(([, a], [, b]) => a.finishedAt! - b.finishedAt!);
    const excess = finished.length - this.retention.maxFinished;
    finished.forEach(([id, r], i) => {
      if (i < excess || now - r.finishedAt! >= this.retention.ttlMs) this.runs.delete(id);
    });
  }
}
