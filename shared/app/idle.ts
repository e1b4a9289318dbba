import type { Target } from '../config';
import type { ConnectionOutcome, ProbeResult } from '../contract';
import { runSingle, type Standing } from '../idle';
import { attendIdleRuns, idleProbeOptions as probeOptions } from './idle-runs';
import { resultSink } from './result-sink';
import type { AppRuntime, Log } from './runtime';

/**
 * Sends idle and pool results on like any other, and an idle verdict that appeared or changed
 * (against the latest one in shared state, whichever instance wrote it) as a verdict-change event.
 */
async function recordIdleResults(rt: AppRuntime, results: readonly ProbeResult[], log: Log): Promise<void> {
  if (results.length === 0) return;
  const before = results.some((r) => r.idle) ? await previousResults(rt, log) : [];
  const previous = new Map(before.flatMap((r) => (r.idle ? [[r.target, r.idle.verdict.kind] as const] : [])));
  const sink = resultSink(rt, log);
  for (const result of results) {
    sink.record(result);
    const verdict = result.idle?.verdict;
    const was = previous.get(result.target);
    // "Inconclusive" is the absence of a verdict (nothing settled yet), not a change worth an event.
    if (verdict && verdict.kind !== 'inconclusive' && verdict.kind !== was) {
      rt.telemetry.recordVerdictChange({
        target: result.target, region: rt.settings.region, verdict: verdict.kind, ...(was ? { previous: was } : {}), recommendation: verdict.recommendations[0] ?? verdict.text,
      });
    }
  }
  await sink.settle();
}

/**
 * The latest results in shared state, to tell a changed verdict. State storage that fails must not
 * cost the idle results themselves: without it every verdict counts as new.
 */
async function previousResults(rt: AppRuntime, log: Log): Promise<ProbeResult[]> {
  try {
    return await rt.store.latestResults();
  } catch (err) {
    log.warn(`sqlprobe: previous verdicts not read from state storage (${String(err)}); every idle verdict this tick is reported as new`);
    return [];
  }
}

const short = (id: string) => id.slice(0, 8);
const at = (ms: number) => new Date(ms).toISOString();

/** Why a tick did nothing here, for its log line. */
function notHolder(standing: Standing, region: string): string {
  const { lease, error } = standing;
  if (error) return `the idle lease could not be checked (${error}), so this process holds nothing for region ${region}`;
  return `process ${lease ? `${short(lease.holder)} holds the idle lease for region ${region} until ${at(lease.expiresAt)}` : `another process holds the idle lease for region ${region}`}`;
}

/**
 * The `idle-tick` timer. In the process that holds the region's idle lease: checks the rungs that
 * are due and opens the cohorts that are due, for every target, and attends to on-demand runs; it
 * says how many results it reported. Anywhere else it does nothing for idle, and its log line says
 * which process holds the lease. `signal` stops it (Ctrl-C in `sqlprobe start`): opens cut short
 * are inconclusive, not failures.
 */
export async function idleTick(rt: AppRuntime, log: Log, tick: { isPastDue?: boolean; signal?: AbortSignal } = {}): Promise<number> {
  const results = await rt.idle.tick(rt.targets, probeOptions(rt), tick.signal);
  const standing = rt.idle.standing();
  const region = rt.settings.region;
  const pastDue = tick.isPastDue ? ' (past due: the timer moved to this instance or the host restarted)' : '';
  if (!standing.holder) {
    log.log(`sqlprobe: idle tick: nothing to do here: ${notHolder(standing, region)}${pastDue}`);
    return 0;
  }
  if (standing.error) log.warn(`sqlprobe: idle lease not renewed (${standing.error}); this process holds it until its last renewal lapses`);
  if (standing.took) {
    const from = standing.tookFrom;
    log.log(`sqlprobe: idle tick: this process (${short(rt.idle.id)}) now holds the idle lease for region ${region}${from ? `, after process ${short(from.holder)} (last heartbeat ${at(from.heartbeatAt)})` : ''}`);
  }
  await recordIdleResults(rt, results, log);
  await attendIdleRuns(rt, log);
  if (results.length > 0 || tick.isPastDue) log.log(`sqlprobe: idle tick reported ${results.length} result(s)${tick.isPastDue ? ' (past due)' : ''}`);
  return results.length;
}

/**
 * A whole idle ladder in this one call (`sqlprobe idle`): holds the cohort, checks each rung on
 * time, reports the result like any other. `onOutcome` hears each connection as it settles; when
 * `signal` aborts, the rungs not reached settle as inconclusive.
 */
export async function idleLadder(rt: AppRuntime, target: Target, rungs: readonly number[], log: Log, run: { signal: AbortSignal; onOutcome?: (outcome: ConnectionOutcome) => void }): Promise<ProbeResult> {
  const result = await runSingle('idle', target, probeOptions(rt), run.signal, { rungs, ...(run.onOutcome ? { onOutcome: run.onOutcome } : {}) });
  const sink = resultSink(rt, log);
  sink.record(result);
  await sink.settle();
  return result;
}
