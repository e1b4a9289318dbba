import type { Env, Settings, Target } from '../config';
import type { ProbeName, ProbeResult } from '../contract';
import { PROBERS, type ProbeOptions, type Prober } from '../probers';
import { runAttempt, withRetry } from './attempt';
import { deadlineSignal, forEachBounded } from './bounded';

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
  /** The probers by probe name; the round probers (PROBERS) by default. */
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

/** The round options that come from app settings (`env` holds the secrets); callers add budget, probes, probers and onResult. */
export function roundOptionsFrom(settings: Settings, env: Env, extra: Partial<RoundOptions> = {}): RoundOptions {
  return {
    env,
    region: settings.region,
    timeoutMs: settings.SQLPROBE_PROBE_TIMEOUT,
    concurrency: settings.SQLPROBE_CONCURRENCY,
    ...(settings.SQLPROBE_RETRY_DELAY > 0 ? { retryDelayMs: settings.SQLPROBE_RETRY_DELAY } : {}),
    ...(settings.SQLPROBE_DNS_SERVERS ? { dnsServers: settings.SQLPROBE_DNS_SERVERS } : {}),
    ...extra,
  };
}

/** How long a prober that ignores its aborted signal may linger before the runner answers for it. */
export const DEFAULT_GRACE_MS = 250;

function roundSignal(budgetMs: number | undefined, signal: AbortSignal | undefined): { signal: AbortSignal; clear: () => void } {
  const budget = budgetMs === undefined ? undefined : deadlineSignal(budgetMs, 'the round budget');
  const signals = [signal, budget?.signal].filter((s): s is AbortSignal => !!s);
  return { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals), clear: () => budget?.clear() };
}

/**
 * Probes every target once. Targets run concurrently (at most `concurrency` at a time); a target's
 * probes run one after another, so it never holds more than one connection and its phase timings
 * are not skewed by its own siblings. Every probe has its own deadline; a hanging target holds
 * one slot for at most that deadline per probe. Never throws: failures are results.
 *
 * When the budget runs out, running probes end as timeouts (the round took too long, which is
 * worth reporting). When `signal` aborts (the caller stops: Ctrl-C, shutdown), running probes are
 * ended too, but a probe that fails once it is stopped is listed as skipped, not as a failed
 * result: neither `onResult` nor the results hear of it. One that succeeded still counts.
 */
export async function runRound(targets: readonly Target[], options: RoundOptions, signal?: AbortSignal): Promise<RoundReport> {
  const t0 = performance.now();
  const { concurrency, retryDelayMs, budgetMs, graceMs = DEFAULT_GRACE_MS, probes, probers: given, onResult, ...probeOptions } = options;
  const probers: ProberMap = given ?? PROBERS;
  const probesOf = (t: Target) => (typeof probes === 'function' ? probes(t) : (probes ?? t.probes));
  const { signal: round, clear } = roundSignal(budgetMs, signal);
  const perTarget: ProbeResult[][] = targets.map(() => []);
  const skipped: SkippedProbe[] = [];
  const callbackErrors: unknown[] = [];
  const reached = targets.map(() => false);

  const probeTarget = async (target: Target, index: number): Promise<void> => {
    reached[index] = true;
    for (const probe of probesOf(target)) {
      const prober = probers[probe];
      if (!prober || round.aborted) {
        skipped.push({ target: target.name, probe, reason: prober ? 'aborted' : 'no-prober' });
        continue;
      }
      const result = await withRetry(() => runAttempt(prober, target, probe, probeOptions, graceMs, round), retryDelayMs, round);
      // Stopped by the caller (not by the budget): a failure now says nothing about the target.
      if (!result.success && signal?.aborted) {
        skipped.push({ target: target.name, probe, reason: 'aborted' });
        continue;
      }
      perTarget[index].push(result);
      try {
        onResult?.(result);
      } catch (err) {
        callbackErrors.push(err);
      }
    }
  };

  await forEachBounded(targets, concurrency, round, probeTarget).finally(clear);
  // Targets the pool never reached because the round ran out.
  targets.forEach((target, i) => {
    if (!reached[i]) for (const probe of probesOf(target)) skipped.push({ target: target.name, probe, reason: 'aborted' });
  });
  return { results: perTarget.flat(), skipped, durationMs: performance.now() - t0, callbackErrors };
}
