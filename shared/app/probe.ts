import { Cron } from 'croner';
import type { Target } from '../config';
import { isRoundProbe, type ProbeName, type ProbeResult, type RoundProbe } from '../contract';
import { PROBERS } from '../probers';
import { roundOptionsFrom, runRound, type RoundOptions, type RoundReport, type SkippedProbe } from '../runner';
import { FLUSH_TIMEOUT_MS, resultSink } from './result-sink';
import type { AppRuntime, Log } from './runtime';

/** host.json's functionTimeout; a test keeps the two equal. */
export const FUNCTION_TIMEOUT_MS = 10 * 60_000;
/** Left over at the end of a round for the flush and the state writes. */
const SETTLE_MARGIN_MS = FLUSH_TIMEOUT_MS + 5_000;

/**
 * The round must end before the next tick (a timer invocation never overlaps itself) and inside
 * functionTimeout, leaving the settle margin for the flush. A schedule shorter than twice that margin
 * (the demo's 15 s) still gives the probes half of each interval: a flush that needs its whole bound
 * only makes the next tick late (past due), while a budget of next to nothing would turn every
 * probe of a busy round into a false timeout.
 */
export function roundBudgetMs(schedule: string, now = new Date()): number {
  const interval = Math.min(new Cron(schedule, { paused: true }).msToNext(now) ?? FUNCTION_TIMEOUT_MS, FUNCTION_TIMEOUT_MS);
  return Math.max(1_000, interval - SETTLE_MARGIN_MS, Math.floor(interval / 2));
}

/** A target's own probes that a round runs; idle and pool are driven by the idle-tick timer and idle runs. */
export const roundProbesOf = (target: Target): RoundProbe[] => target.probes.filter(isRoundProbe);

export interface ProbeRun {
  /** Cap on the whole round; running probes end as timeouts when it runs out. None by default. */
  budgetMs?: number;
  /** The target's own round probes by default. */
  probes?: readonly ProbeName[];
  /** Ad-hoc targets are probed but neither reported nor kept: only configured targets have a history. */
  record?: boolean;
  /** Stops the round: probes it cuts short are skipped, not reported as failures. */
  signal?: AbortSignal;
  /** The tls probe audits every TLS version the server accepts, even for targets without expect.minTls. */
  tlsAudit?: boolean;
  /** Sees each result as it settles, after telemetry and state have it. */
  onResult?: (result: ProbeResult) => void;
  onSkipped?: (skipped: SkippedProbe) => void;
}

/**
 * One round over `targets` with the app's settings: each result goes to telemetry and state as it
 * settles, and telemetry is flushed before it returns. The report holds counts, not results.
 */
export async function probeTargets(rt: AppRuntime, targets: readonly Target[], run: ProbeRun, log: Log): Promise<RoundReport> {
  const sink = run.record === false ? undefined : resultSink(rt, log);
  const { onResult, onSkipped } = run;
  const options: RoundOptions = roundOptionsFrom(rt.settings, rt.env, {
    probers: rt.probers ?? PROBERS,
    probes: run.probes ?? roundProbesOf,
    ...(run.budgetMs === undefined ? {} : { budgetMs: run.budgetMs }),
    onResult: (result) => {
      sink?.record(result);
      onResult?.(result);
    },
    ...(onSkipped ? { onSkipped } : {}),
    ...(run.tlsAudit ? { tlsAudit: true } : {}),
  });
  const report = await runRound(targets, options, run.signal);
  await sink?.settle();
  return report;
}

export interface TargetProbe {
  /** In the order the target lists its probes. */
  results: ProbeResult[];
  skipped: SkippedProbe[];
  report: RoundReport;
}

/** One target probed now (the HTTP probe, `sqlprobe probe`): a handful of results, kept and returned. */
export async function probeTarget(rt: AppRuntime, target: Target, run: Omit<ProbeRun, 'onResult' | 'onSkipped'>, log: Log): Promise<TargetProbe> {
  const results: ProbeResult[] = [];
  const skipped: SkippedProbe[] = [];
  const report = await probeTargets(rt, [target], { ...run, onResult: (r) => results.push(r), onSkipped: (s) => skipped.push(s) }, log);
  return { results, skipped, report };
}

/**
 * The `connectivity` timer: one round over every configured target. A long-running host (`sqlprobe
 * start`) passes `signal` to end a running round when it stops; probes it cuts short are skipped,
 * not reported as failures. The Functions host passes none: its round ends at the budget.
 */
export async function connectivityRound(rt: AppRuntime, log: Log, tick: { isPastDue?: boolean; signal?: AbortSignal } = {}): Promise<RoundReport> {
  const { isPastDue = false, signal } = tick;
  const budgetMs = roundBudgetMs(rt.settings.SQLPROBE_CONNECTIVITY_SCHEDULE);
  log.log(`sqlprobe: connectivity round over ${rt.targets.length} target(s), budget ${Math.round(budgetMs / 1000)} s${isPastDue ? ' (timer is past due: the previous tick was missed or ran long)' : ''}`);
  for (const problem of rt.problems) log.warn(`sqlprobe: skipping a target: ${problem}`);
  const report = await probeTargets(rt, rt.targets, { budgetMs, ...(signal ? { signal } : {}) }, log);
  const cut = report.skipped.aborted;
  const perturbed = report.perturbed ? `, ${report.perturbed} with timings perturbed by this process's own load` : '';
  log.log(`sqlprobe: round done in ${Math.round(report.durationMs)} ms: ${report.results} result(s), ${report.failed} failed${perturbed}${cut ? `, ${cut} probe(s) skipped ${signal?.aborted ? 'when the round was stopped' : 'when the budget ran out'}` : ''}`);
  return report;
}
