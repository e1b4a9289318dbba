import { timerMs, type Target } from '../config';
import { measurementOf, PROBE_CATALOGUE, type LoopLag, type ProbeName, type ProbeResult } from '../contract';
import { ProbeRecorder, type Prober, type ProbeOptions } from '../probers';
import { sleep } from './bounded';
import { loopMonitor } from './loop-lag';

/**
 * Started with the attempt, so a result the runner makes up carries the attempt's start and
 * duration. It cannot know where a prober that never answered got stuck: it names the phase the
 * probe measures.
 */
function attemptRecorder(target: Target, probe: ProbeName, options: ProbeOptions): ProbeRecorder {
  return new ProbeRecorder(target, probe, options, PROBE_CATALOGUE[probe].phase);
}

/** For a prober that ignored its aborted signal past the grace period. */
function timeoutResult(rec: ProbeRecorder): ProbeResult {
  const error = new Error(`the ${rec.probe} probe did not finish within its ${rec.options.timeoutMs} ms deadline`);
  return rec.result(rec.classify({ error, timedOut: true }));
}

/**
 * For a prober that threw: a bug, or a broken target such as a missing password setting. What it
 * threw may not even be readable (a getter or proxy that throws); the attempt still ends in a result.
 */
function thrownResult(rec: ProbeRecorder, error: unknown): ProbeResult {
  try {
    return rec.result(rec.classify({ error }));
  } catch {
    return rec.result(rec.classify({ error: new Error(`the ${rec.probe} probe threw a value that cannot be read`) }));
  }
}

function summary(result: ProbeResult): ProbeResult['attempts'][number] {
  return { startedAt: result.startedAt, durationMs: result.durationMs, success: result.success, ...(result.error ? { class: result.error.class } : {}) };
}

/**
 * Runs `attempt`, and once more after `delayMs` if it failed with a transient class and a delay is
 * configured: a firewall or a wrong password does not heal in seconds, a failover or throttling may.
 * The result is the last attempt's, with every attempt listed in `attempts`. No retry once the round
 * is aborted. An attempt that never started (undefined: the round ended while it waited to start)
 * leaves the previous one standing, or no result at all.
 */
export async function withRetry(attempt: () => Promise<ProbeResult | undefined>, delayMs: number | undefined, signal: AbortSignal): Promise<ProbeResult | undefined> {
  const first = await attempt();
  if (!first) return undefined;
  const transient = first.error?.transient === true;
  const only = { ...first, attempts: [summary(first)] };
  if (first.success || !transient || delayMs === undefined || !(await sleep(delayMs, signal))) return only;
  const second = await attempt();
  return second ? { ...second, attempts: [summary(first), summary(second)] } : only;
}

/** The result with the prober's own load while it ran, and whether that load perturbed its timings. */
export function withLoad(result: ProbeResult, loopLag: LoopLag): ProbeResult {
  return { ...result, loopLag, measurement: measurementOf(loopLag) };
}

/**
 * One try of one prober under its own deadline. The prober gets a signal that aborts at the
 * deadline or when `parent` (the round) aborts. A prober that throws becomes a failed result, and
 * one that ignores its signal is answered for at abort + `graceMs`, so it never holds the round.
 * The result carries the event-loop delay seen while it ran.
 */
export async function runAttempt(prober: Prober, target: Target, probe: ProbeName, options: ProbeOptions, graceMs: number, parent: AbortSignal): Promise<ProbeResult> {
  const lag = loopMonitor.watch();
  const rec = attemptRecorder(target, probe, options);
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason);
  // An AbortSignal fires 'abort' at most once, and the listener goes at the end either way.
  parent.addEventListener('abort', abort);
  if (parent.aborted) abort();
  const deadline = setTimeout(() => controller.abort(new DOMException('probe deadline', 'TimeoutError')), timerMs(options.timeoutMs, 'the probe deadline'));
  let guard: NodeJS.Timeout | undefined;
  const abandoned = new Promise<ProbeResult>((resolve) => {
    const arm = () => { guard = setTimeout(() => resolve(timeoutResult(rec)), timerMs(graceMs, 'the grace after a deadline')); };
    if (controller.signal.aborted) arm();
    else controller.signal.addEventListener('abort', arm);
  });
  const settled = (async () => {
    try {
      return await prober(target, options, controller.signal);
    } catch (err) {
      return thrownResult(rec, err);
    }
  })();
  // Neither can reject: a throw becomes a result, and the grace timer only resolves.
  try {
    return withLoad(await Promise.race([settled, abandoned]), lag.stop());
  } finally {
    clearTimeout(deadline);
    clearTimeout(guard);
    parent.removeEventListener('abort', abort);
  }
}
