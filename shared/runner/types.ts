import type { ProbeName, Target } from '../config/target';
import type { ProbeResult } from '../probers/result';
import type { ProbeOptions, Prober } from '../probers/types';

/** The probers a round may run, by probe name; a probe without an entry here is skipped. */
export type ProberMap = Partial<Record<ProbeName, Prober>>;

export interface RoundOptions extends ProbeOptions {
  /** How many targets are probed at once; a target's probes run one after another. */
  concurrency: number;
  /** When set, a probe that failed with a transient class is tried once more after this delay; the result lists both attempts. */
  retryDelayMs?: number;
  /** A cap on the whole round: when it runs out, running probes are aborted and queued ones skipped. */
  budgetMs?: number;
  /** How long past its deadline a prober that ignores its signal may take before the runner answers for it. */
  graceMs?: number;
  /** Which probes to run: a list for every target, or per target (the connectivity timer keeps a target's own connectivity probes). Each target's `probes` by default. */
  probes?: readonly ProbeName[] | ((target: Target) => readonly ProbeName[]);
  /** The probers by probe name; shared/probers PROBERS (dns, tcp, tls, login) by default. */
  probers?: ProberMap;
  /** Called once per final result (after any retry), as soon as it is known. */
  onResult?: (result: ProbeResult) => void;
}

export interface SkippedProbe {
  target: string;
  probe: ProbeName;
  /** `aborted`: the round ran out of budget or was stopped before the probe could run (or, stopped, finish). */
  reason: 'no-prober' | 'aborted';
}

export interface RoundReport {
  /** Final results in target order, then in each target's probe order. */
  results: ProbeResult[];
  skipped: SkippedProbe[];
  durationMs: number;
  /** Whatever onResult threw; the round carries on regardless. */
  callbackErrors: unknown[];
}

export type { ProbeName, ProbeResult, Prober, Target };
