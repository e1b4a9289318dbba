import type { Target } from '../../shared/config';
import type { ProbeResult } from '../../shared/contract';
import type { Prober } from '../../shared/probers';
import { runRound, type RoundOptions, type RoundReport, type SkippedProbe } from '../../shared/runner';
import { result as built } from '../helpers/results';

/** A well-behaved prober whose outcome the test decides, settling on abort like a real one. */
export function fakeProber(outcome: (targetName: string, call: number) => { success: boolean; delayMs?: number; transient?: boolean }, probe: 'dns' | 'tcp' = 'tcp'): Prober {
  const calls = new Map<string, number>();
  return (t, options, signal) => {
    const call = (calls.get(t.name) ?? 0) + 1;
    calls.set(t.name, call);
    // A failure is a dropped connect (tcp-timeout, transient) unless the test says it is a refusal.
    const { success, delayMs = 0, transient = true } = outcome(t.name, call);
    const startedAt = new Date().toISOString();
    const result = (ok: boolean, cls?: 'tcp-timeout' | 'tcp-refused' | 'timeout-tcp'): ProbeResult => built({
      target: t.name, probe, region: options.region, server: t.server, port: t.port,
      startedAt, durationMs: delayMs, success: ok, attempts: [{ startedAt, durationMs: delayMs, success: ok }], phases: [],
      ...(cls ? { error: { class: cls, phase: 'tcp', transient: cls !== 'tcp-refused', message: cls, recommendation: '' } } : {}),
      sqlprobeVersion: 'test',
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(result(success, success ? undefined : transient ? 'tcp-timeout' : 'tcp-refused')), delayMs);
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve(result(false, 'timeout-tcp')); }, { once: true });
    });
  };
}

/** runRound with what it streams collected: every result and skipped probe, in the order they came. */
export async function collectRound(targets: readonly Target[], options: RoundOptions, signal?: AbortSignal): Promise<{ report: RoundReport; results: ProbeResult[]; skipped: SkippedProbe[] }> {
  const results: ProbeResult[] = [];
  const skipped: SkippedProbe[] = [];
  const report = await runRound(targets, {
    ...options,
    onResult: (r) => {
      results.push(r);
      options.onResult?.(r);
    },
    onSkipped: (s) => skipped.push(s),
  }, signal);
  return { report, results, skipped };
}
