import type { Target } from '../config/target';
import { PROBERS, type ConnectivityProbe } from '../probers';
import { roundOptionsFrom, runRound, type RoundOptions, type RoundReport } from '../runner';
import type { Log } from './log';
import { resultSink } from './record';
import type { AppRuntime } from './runtime';

export { loginProblem } from '../config/target';

/** The probes a round runs; idle and pool are driven by the idle-tick timer and idle runs. */
export const CONNECTIVITY_PROBES = ['dns', 'tcp', 'tls', 'login'] as const satisfies readonly ConnectivityProbe[];

/** A target's own probes, without idle and pool. */
export const connectivityProbesOf = (target: Target) => target.probes.filter((p): p is ConnectivityProbe => (CONNECTIVITY_PROBES as readonly string[]).includes(p));

export interface ProbeRun {
  /** Cap on the whole round; running probes end as timeouts when it runs out. */
  budgetMs: number;
  /** The target's own connectivity probes by default. */
  probes?: RoundOptions['probes'];
  /** Ad-hoc targets are probed but neither reported nor kept: only configured targets have a history. */
  record?: boolean;
  signal?: AbortSignal;
}

/** One round over `targets` with the app's settings, results to telemetry and state, flushed before it returns. */
export async function probeTargets(rt: AppRuntime, targets: readonly Target[], run: ProbeRun, log: Log): Promise<RoundReport> {
  const sink = run.record === false ? undefined : resultSink(rt, log);
  const options = roundOptionsFrom(rt.settings, {
    budgetMs: run.budgetMs,
    probers: rt.probers ?? PROBERS,
    probes: run.probes ?? connectivityProbesOf,
    ...(rt.env ? { env: rt.env } : {}),
    ...(sink ? { onResult: sink.record } : {}),
  });
  const report = await runRound(targets, options, run.signal);
  await sink?.settle();
  return report;
}
