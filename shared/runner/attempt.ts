import type { ProbeOptions } from '../probers/types';
import { attemptRecorder, thrownResult, timeoutResult } from './failure';
import type { ProbeName, ProbeResult, Prober, Target } from './types';

/**
 * One try of one prober under its own deadline. The prober gets a signal that aborts at the
 * deadline or when `parent` (the round) aborts. A prober that throws becomes a failed result, and
 * one that ignores its signal is answered for at abort + `graceMs`, so it never holds the round.
 */
export async function runAttempt(prober: Prober, target: Target, probe: ProbeName, options: ProbeOptions, graceMs: number, parent: AbortSignal): Promise<ProbeResult> {
  const rec = attemptRecorder(target, probe, options);
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', abort, { once: true });
  if (parent.aborted) abort();
  const deadline = setTimeout(() => controller.abort(new DOMException('probe deadline', 'TimeoutError')), options.timeoutMs);
  let guard: NodeJS.Timeout | undefined;
  const abandoned = new Promise<ProbeResult>((resolve) => {
    const arm = () => { guard = setTimeout(() => resolve(timeoutResult(rec)), graceMs); };
    if (controller.signal.aborted) arm();
    else controller.signal.addEventListener('abort', arm, { once: true });
  });
  const settled = (async () => {
    try {
      return await prober(target, options, controller.signal);
    } catch (err) {
      return thrownResult(rec, err);
    }
  })();
  try {
    return await Promise.race([settled, abandoned]);
  } finally {
    clearTimeout(deadline);
    clearTimeout(guard);
    parent.removeEventListener('abort', abort);
  }
}
