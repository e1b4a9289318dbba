import { Cron } from 'croner';
import type { RoundReport } from '../runner';
import type { Log } from './log';
import { probeTargets } from './probe';
import { FLUSH_TIMEOUT_MS } from './record';
import type { AppRuntime } from './runtime';

/** host.json's functionTimeout; a test keeps the two equal. */
export const FUNCTION_TIMEOUT_MS = 10 * 60_000;
/** Left over at the end of a round for the flush and the state writes. */
const SETTLE_MARGIN_MS = FLUSH_TIMEOUT_MS + 5_000;

/** The round must end before the next tick (a timer invocation never overlaps itself) and inside functionTimeout. */
export function roundBudgetMs(schedule: string, now = new Date()): number {
  const untilNextTick = new Cron(schedule, { paused: true }).msToNext(now) ?? FUNCTION_TIMEOUT_MS;
  return Math.max(1_000, Math.min(untilNextTick, FUNCTION_TIMEOUT_MS) - SETTLE_MARGIN_MS);
}

/**
 * The `connectivity` timer: one round over every configured target. A long-running host (`sqlprobe
 * start`) passes `signal` to end a running round when it stops; probes it cuts short are skipped,
 * not reported as failures. The Functions host passes none: its round ends at the budget.
 */
export async function connectivityRound(rt: AppRuntime, log: Log, isPastDue = false, signal?: AbortSignal): Promise<RoundReport> {
  const budgetMs = roundBudgetMs(rt.settings.SQLPROBE_CONNECTIVITY_SCHEDULE);
  log.log(`sqlprobe: connectivity round over ${rt.targets.length} target(s), budget ${Math.round(budgetMs / 1000)} s${isPastDue ? ' (timer is past due: the previous tick was missed or ran long)' : ''}`);
  for (const problem of rt.problems) log.warn(`sqlprobe: skipping a target: ${problem}`);
  const report = await probeTargets(rt, rt.targets, { budgetMs, ...(signal ? { signal } : {}) }, log);
  const failed = report.results.filter((r) => !r.success).length;
  const cut = report.skipped.filter((s) => s.reason === 'aborted').length;
  log.log(`sqlprobe: round done in ${Math.round(report.durationMs)} ms: ${report.results.length} result(s), ${failed} failed${cut ? `, ${cut} probe(s) skipped ${signal?.aborted ? 'when the round was stopped' : 'when the budget ran out'}` : ''}`);
  return report;
}
