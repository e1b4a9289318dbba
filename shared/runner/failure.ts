import type { Phase } from '../classify/schema';
import { ProbeRecorder } from '../probers/record';
import type { ProbeOptions } from '../probers/types';
import type { ProbeName, ProbeResult, Target } from './types';

/** The phase a probe is in when the runner must answer for it without knowing better. */
const FIRST_PHASE: Record<ProbeName, Phase> = { dns: 'dns', tcp: 'tcp', tls: 'tls', login: 'login', idle: 'idle', pool: 'idle' };

/** Started with the attempt, so a result the runner makes up carries the attempt's start and duration. */
export function attemptRecorder(target: Target, probe: ProbeName, options: ProbeOptions): ProbeRecorder {
  return new ProbeRecorder(target, probe, options, FIRST_PHASE[probe]);
}

/** For a prober that ignored its aborted signal past the grace period. */
export function timeoutResult(rec: ProbeRecorder): ProbeResult {
  const error = new Error(`the ${rec.probe} probe did not finish within its ${rec.options.timeoutMs} ms deadline`);
  return rec.result(rec.classify({ error, timedOut: true }));
}

/** For a prober that threw: a bug, or a broken target such as a missing password setting. */
export function thrownResult(rec: ProbeRecorder, error: unknown): ProbeResult {
  return rec.result(rec.classify({ error }));
}
