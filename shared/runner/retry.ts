import { sleep } from './pool';
import type { ProbeResult } from './types';

function summary(result: ProbeResult): ProbeResult['attempts'][number] {
  return { startedAt: result.startedAt, durationMs: result.durationMs, success: result.success, ...(result.error ? { class: result.error.class } : {}) };
}

/**
 * Runs `attempt`, and once more after `delayMs` if it failed with a transient class and a delay is
 * configured: a firewall or a wrong password does not heal in seconds, a failover or throttling may.
 * The result is the last attempt's, with every attempt listed in `attempts`. No retry once the round
 * is aborted.
 */
export async function withRetry(attempt: () => Promise<ProbeResult>, delayMs: number | undefined, signal: AbortSignal): Promise<ProbeResult> {
  const first = await attempt();
  const transient = first.error?.transient === true;
  if (first.success || !transient || delayMs === undefined || !(await sleep(delayMs, signal))) return { ...first, attempts: [summary(first)] };
  const second = await attempt();
  return { ...second, attempts: [summary(first), summary(second)] };
}
