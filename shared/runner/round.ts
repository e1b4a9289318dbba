import type { Env, Settings, Target } from '../config';
import type { ProbeName, ProbeResult } from '../contract';
import { loadDriversFor, PROBERS, type ProbeOptions, type Prober } from '../probers';
import { runAttempt, withRetry } from './attempt';
import { deadlineSignal, forEachBounded } from './bounded';
import { type AdmissionGate, processGate } from './gate';

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
  /** Called once per final result (after any retry), as soon as it is known. The round keeps only counts. */
  onResult?: (result: ProbeResult) => void;
  /** Called once per probe that did not run (or was cut short by the caller's stop). */
  onSkipped?: (skipped: SkippedProbe) => void;
  /** When a probe may start; the process's load-aware gate by default (UNGATED starts every probe at once). */
  gate?: AdmissionGate;
}

export interface SkippedProbe {
  target: string;
  probe: ProbeName;
  /** `aborted`: the round ran out of budget or was stopped before the probe could run (or, stopped, finish). */
  reason: 'no-prober' | 'aborted';
}

/**
 * What a round kept: counts. Results stream to `onResult` as they settle, so a round over thousands
 * of targets holds only the probes in flight; a caller that wants the results collects them there.
 */
export interface RoundReport {
  /** Final results (after any retry). */
  results: number;
  failed: number;
  /** Results whose timings the prober's own load may have stretched (measurement `perturbed`). */
  perturbed: number;
  skipped: Record<SkippedProbe['reason'], number>;
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
 * are not skewed by its own siblings. Each probe starts when the gate lets it (by default paced by
 * the event loop's load, so probes in flight keep honest timings). Every probe has its own
 * deadline; a hanging target holds one slot for at most that deadline per probe. Never throws:
 * failures are results, each handed to `onResult` as it settles.
 *
 * When the budget runs out, running probes end as timeouts (the round took too long, which is
 * worth reporting) and probes not yet started are skipped. When `signal` aborts (the caller stops:
 * Ctrl-C, shutdown), running probes are ended too, but a probe that fails once it is stopped is
 * skipped, not a failed result: `onSkipped` hears of it, `onResult` does not. One that succeeded
 * still counts.
 */
export async function runRound(targets: readonly Target[], options: RoundOptions, signal?: AbortSignal): Promise<RoundReport> {
  const t0 = performance.now();
  const { concurrency, retryDelayMs, budgetMs, graceMs = DEFAULT_GRACE_MS, probes, probers: given, onResult, onSkipped, gate = processGate, ...probeOptions } = options;
  const probers: ProberMap = given ?? PROBERS;
  const probesOf = (t: Target) => (typeof probes === 'function' ? probes(t) : (probes ?? t.probes));
  const { signal: round, clear } = roundSignal(budgetMs, signal);
  const report: RoundReport = { results: 0, failed: 0, perturbed: 0, skipped: { 'no-prober': 0, aborted: 0 }, durationMs: 0, callbackErrors: [] };
  const call = <T>(callback: ((item: T) => void) | undefined, item: T) => {
    try {
      callback?.(item);
    } catch (err) {
      report.callbackErrors.push(err);
    }
  };
  const skip = (target: Target, probe: ProbeName, reason: SkippedProbe['reason']) => {
    report.skipped[reason]++;
    call(onSkipped, { target: target.name, probe, reason });
  };
  // Drivers load now, before any probe's clock starts: loading tedious blocks the loop.
  for (const target of targets) for (const probe of probesOf(target)) loadDriversFor(target, probe);

  const probeTarget = async (target: Target): Promise<void> => {
    for (const probe of probesOf(target)) {
      const prober = probers[probe];
      if (!prober || round.aborted) {
        skip(target, probe, prober ? 'aborted' : 'no-prober');
        continue;
      }
      const attempt = async () => ((await gate.admit(round)) ? runAttempt(prober, target, probe, probeOptions, graceMs, round) : undefined);
      const result = await withRetry(attempt, retryDelayMs, round);
      // Never started (the round ran out while the gate held it), or stopped by the caller (not by
      // the budget): a failure now says nothing about the target.
      if (!result || (!result.success && signal?.aborted)) {
        skip(target, probe, 'aborted');
        continue;
      }
      report.results++;
      if (!result.success) report.failed++;
      if (result.measurement === 'perturbed') report.perturbed++;
      call(onResult, result);
    }
  };

  const started = await forEachBounded(targets, concurrency, round, probeTarget).finally(clear);
  // Targets the pool never reached because the round ran out.
  for (const target of targets.slice(started)) for (const probe of probesOf(target)) skip(target, probe, 'aborted');
  report.durationMs = performance.now() - t0;
  return report;
}
