import type { Target } from '../config';
import type { ConnectionOutcome, ProbeResult } from '../contract';
import type { ProbeOptions } from '../probers';
import { sleep } from '../runner';
import { Cohort, idlePlan, poolPlan } from './cohort';
import { openHeldSession } from './held-connection';
import type { OpenSessionFor } from './registry';
import { idleResult, poolDetails, poolResult, recorderFor } from './results';
import { verdictFor } from './verdict';

export interface SingleRunOptions {
  open?: OpenSessionFor;
  rungs?: readonly number[];
  /**
   * Called once per connection as its outcome settles, in settle order and before the run
   * resolves: a check at its rung (survived, closed-by-peer, dead-on-use, keepalive-detected), or
   * inconclusive for a connection that never opened or was given up when the signal aborted.
   */
  onOutcome?: (outcome: ConnectionOutcome) => void;
}

/**
 * Single-invocation mode, for long-running hosts and the CLI: one call holds the whole cohort,
 * checks each rung on time, and returns when the longest rung is settled. If the signal aborts
 * first, the rungs still pending settle as inconclusive.
 */
export async function runSingle(kind: 'idle' | 'pool', target: Target, options: ProbeOptions, signal: AbortSignal, { open = openHeldSession, rungs, onOutcome }: SingleRunOptions = {}): Promise<ProbeResult> {
  const rec = recorderFor(target, kind, options);
  const now = () => performance.now();
  const cohort = new Cohort(kind === 'idle' ? idlePlan(target, now(), rungs) : poolPlan(target, now()), now, onOutcome);
  const openHeld = (sig: AbortSignal) => open(target, options, sig);
  await cohort.open(openHeld, signal);
  const outcomes: ConnectionOutcome[] = cohort.entries.flatMap((e) => (e.outcome ? [e.outcome] : []));
  // Checks run alongside the schedule: a dead-on-use check takes seconds and must not delay the next rung.
  const checks: Promise<ConnectionOutcome[]>[] = [];
  for (let next = cohort.nextDueAt(); next !== undefined; next = cohort.nextDueAt()) {
    if (!(await sleep(Math.max(0, next - now()), signal))) break;
    checks.push(cohort.checkDue(now(), 0, target.expect.query, target.idle.useTimeout, openHeld, signal));
  }
  outcomes.push(...(await Promise.all(checks)).flat(), ...cohort.abandon('stopped'));
  if (kind === 'pool') return poolResult(rec, poolDetails(outcomes), cohort.openError);
  return idleResult(rec, { mode: 'single', outcomes, held: 0, verdict: verdictFor(outcomes) }, cohort.openError);
}
