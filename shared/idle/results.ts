import type { Target } from '../config';
import type { Classification, ConnectionOutcome, IdleDetails, PoolDetails, ProbeResult } from '../contract';
import { type ProbeOptions, ProbeRecorder } from '../probers';
import { loopMonitor, withLoad, type LagStats } from '../runner';
import { type BorrowOutcome, OpenFailed } from './held-connection';

/** A failure to open the cohort is the only idle failure: idle deaths are measurements, not outages. */
export function idleResult(rec: ProbeRecorder, details: IdleDetails, openError?: unknown): ProbeResult {
  return loaded(rec, rec.result(openFailure(rec, openError), { idle: details }));
}

/** The login prober's classification when the opener gave one, else ours. */
function openFailure(rec: ProbeRecorder, openError: unknown): Classification | undefined {
  if (openError === undefined) return undefined;
  return openError instanceof OpenFailed ? openError.classification : rec.classify({ error: openError, phase: 'login' });
}

const isBorrow = (o: ConnectionOutcome): o is BorrowOutcome => 'validated' in o;

/** A pool's counts from its borrows: each borrow measured both without validation and with it. */
export function poolDetails(outcomes: ConnectionOutcome[]): PoolDetails {
  const settled = outcomes.filter((o) => o.outcome !== 'inconclusive');
  const failed = settled.filter((o) => o.outcome !== 'survived');
  const validatedFailed = settled.filter(isBorrow).filter((o) => !o.validated.ok);
  const details: PoolDetails = {
    size: Math.max(1, outcomes.length),
    idleMs: Math.max(0, ...outcomes.map((o) => o.idleMs ?? 0)),
    failedOnFirstUse: failed.length,
    caughtBySocketCheck: settled.filter((o) => o.outcome === 'closed-by-peer' || o.outcome === 'keepalive-detected').length,
    missedBySocketCheck: settled.filter((o) => o.outcome === 'dead-on-use').length,
    validatedFailures: validatedFailed.length,
    ...(failed[0]?.error ? { error: failed[0].error } : {}),
    ...(validatedFailed[0]?.validated.error ? { validatedError: validatedFailed[0].validated.error } : {}),
  };
  const lost = outcomes.find((o) => o.outcome === 'inconclusive' && o.reason !== 'open-failed');
  if (settled.length === 0 && lost?.reason) details.inconclusive = lost.reason === 'host-recycled' ? 'host-recycled' : 'stopped';
  return details;
}

/** A pool that handed out a dead connection fails: that is the outage an app would have had. */
export function poolResult(rec: ProbeRecorder, details: PoolDetails | undefined, openError?: unknown): ProbeResult {
  if (openError !== undefined) return loaded(rec, rec.result(openFailure(rec, openError), details ? { pool: details } : {}));
  if (!details || details.failedOnFirstUse === 0) return loaded(rec, rec.result(undefined, details ? { pool: details } : {}));
  const message = `${details.failedOnFirstUse} of ${details.size} pooled connections failed on first use after ${Math.round(details.idleMs / 1000)} s idle (${details.caughtBySocketCheck} caught by a socket check on borrow; ${details.validatedFailures} failed with it): ${details.error ?? 'no error text'}`;
  return loaded(rec, rec.result(rec.classify({ class: 'connection-lost', phase: 'query', message }), { pool: details }));
}

/** Each idle or pool recorder's window on the event loop, from the tick (or run) that made it to its result. */
const lagOf = new WeakMap<ProbeRecorder, { stop(): LagStats }>();
/** A tick that threw never makes its result: its window closes when the recorder is collected. */
const abandoned = new FinalizationRegistry<{ stop(): LagStats }>((watch) => watch.stop());

export function recorderFor(target: Target, probe: 'idle' | 'pool', options: ProbeOptions): ProbeRecorder {
  const rec = new ProbeRecorder(target, probe, options);
  const watch = loopMonitor.watch();
  lagOf.set(rec, watch);
  abandoned.register(rec, watch, rec);
  return rec;
}

function loaded(rec: ProbeRecorder, result: ProbeResult): ProbeResult {
  const watch = lagOf.get(rec);
  if (!watch) return result;
  abandoned.unregister(rec);
  return withLoad(result, watch.stop());
}
