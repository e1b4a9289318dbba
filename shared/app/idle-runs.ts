import { randomUUID } from 'node:crypto';
import { idleSchema, type Target } from '../config';
import type { ConnectionOutcome, IdleRun } from '../contract';
import { type Cell, ladderCells, NotHolder, tenureOf, verdictFor } from '../idle';
import { roundOptionsFrom } from '../runner';
import type { AppRuntime, IdleDriver, Log } from './runtime';

export const idleProbeOptions = (rt: AppRuntime) => roundOptionsFrom(rt.settings, rt.env);

const stamp = () => new Date().toISOString();
const cellKey = (c: Cell) => `${c.rungMs}:${c.keepalive}`;
const DEFAULT_KEEPALIVE = idleSchema.parse({}).keepalive;

/** The run's cells that have no outcome yet, each settled as inconclusive for `reason`. */
function rest(run: IdleRun, reason: 'cancelled' | 'host-recycled' | 'open-failed', error?: string): ConnectionOutcome[] {
  const have = new Map<string, number>();
  for (const o of run.outcomes) have.set(cellKey(o), (have.get(cellKey(o)) ?? 0) + 1);
  return ladderCells(run.rungs, run.keepalive ?? DEFAULT_KEEPALIVE).flatMap((cell) => {
    const n = have.get(cellKey(cell)) ?? 0;
    have.set(cellKey(cell), n - 1);
    return n > 0 ? [] : [{ cohort: run.id, ...cell, outcome: 'inconclusive' as const, reason, ...(error ? { error } : {}) }];
  });
}

/** A run with these outcomes, its verdict and its time of change. */
const withOutcomes = (run: IdleRun, outcomes: ConnectionOutcome[]): IdleRun =>
  ({ ...run, outcomes, ...(outcomes.length > 0 ? { verdict: verdictFor(outcomes) } : {}), updatedAt: stamp() });

/** How many outcomes of each run it holds the holder process has written to the run's record. */
const savedCounts = new WeakMap<IdleDriver, Map<string, number>>();
const savedOf = (idle: IdleDriver) => {
  let saved = savedCounts.get(idle);
  if (!saved) savedCounts.set(idle, (saved = new Map()));
  return saved;
};

/**
 * `POST /api/idle-runs`: writes the run request to state storage and returns it, `pending`, at once.
 * The region's idle holder picks it up at its next tick; when that is this process, it picks it up
 * now instead, without waiting for its logins.
 */
export async function startIdleRun(rt: AppRuntime, target: Target, rungs: readonly number[] | undefined, log: Log): Promise<IdleRun> {
  const planned = rungs ?? target.idle.rungs;
  const now = stamp();
  const run: IdleRun = {
    id: randomUUID(), target: target.name, rungs: [...planned], keepalive: [...target.idle.keepalive], status: 'pending',
    createdAt: now, updatedAt: now, expected: ladderCells(planned, target.idle.keepalive).length, outcomes: [],
  };
  await rt.store.saveIdleRun(run);
  if (!rt.idle.holds()) return run;
  try {
    return await pickUp(rt, run);
  } catch (err) {
    log.warn(`sqlprobe: idle run ${run.id} left for the next idle tick: ${String(err)}`);
    return run;
  }
}

/** The holder takes a pending run: the record names this tenure first, then its cohort opens. */
async function pickUp(rt: AppRuntime, pending: IdleRun): Promise<IdleRun> {
  const tenure = rt.idle.tenureId();
  if (!tenure) return pending;
  const target = rt.targets.find((t) => t.name === pending.target);
  if (!target) {
    const error = `target "${pending.target}" is no longer configured`;
    const gone = (r: IdleRun) => ({ ...withOutcomes(r, rest(r, 'open-failed', error)), status: 'inconclusive' as const });
    return (await rt.store.updateIdleRun(pending.id, (r) => (r.status === 'pending' ? gone(r) : undefined))) ?? pending;
  }
  const run = await rt.store.updateIdleRun(pending.id, (r) => (r.status === 'pending' ? { ...r, status: 'running', holder: tenure, updatedAt: stamp() } : undefined));
  if (run?.status !== 'running' || run.holder !== tenure) return run ?? pending;
  try {
    await rt.idle.startRun(target, idleProbeOptions(rt), run.rungs, run.id);
  } catch (err) {
    if (!(err instanceof NotHolder)) throw err;
    // The lease lapsed in between: the run waits for whoever holds it next.
    return (await rt.store.updateIdleRun(run.id, (r) => (r.status === 'running' && r.holder === tenure ? { ...r, status: 'pending', holder: undefined, updatedAt: stamp() } : undefined))) ?? run;
  }
  savedOf(rt.idle).set(run.id, 0);
  return run;
}

/** A cancelled run's connections, held here or by a holder that died: closed here, or nothing left to close. */
async function closeCancelled(rt: AppRuntime, run: IdleRun): Promise<void> {
  await rt.idle.cancelRun(run.id);
  await rt.store.updateIdleRun(run.id, (r) => (r.closing ? { ...r, closing: false, updatedAt: stamp() } : undefined));
}

/** A running run of a tenure that ended (this process holds the lease now): its open cells are host-recycled, once. */
async function settleOrphan(rt: AppRuntime, run: IdleRun, tenure: string): Promise<void> {
  await rt.store.updateIdleRun(run.id, (r) => (r.status === 'running' && r.holder !== tenure
    ? { ...withOutcomes(r, [...r.outcomes, ...rest(r, 'host-recycled')]), status: 'inconclusive' }
    : undefined));
}

/** Writes what each run held here settled since the last write; a run cancelled or taken over meanwhile is left as it is. */
async function saveProgress(rt: AppRuntime, tenure: string, log: Log): Promise<void> {
  const saved = savedOf(rt.idle);
  for (const [id, count] of saved) {
    const status = rt.idle.status(id);
    if (!status || status.status === 'cancelled') {
      saved.delete(id);
      continue;
    }
    if (status.outcomes.length === count) continue;
    try {
      const run = await rt.store.updateIdleRun(id, (r) => {
        if (r.status !== 'running' || r.holder !== tenure) return undefined;
        const outcomes = [...r.outcomes, ...status.outcomes.slice(r.outcomes.length)];
        return { ...withOutcomes(r, outcomes), status: outcomes.length >= r.expected ? 'completed' : 'running' };
      });
      if (run?.status === 'running' && run.holder === tenure) saved.set(id, status.outcomes.length);
      else saved.delete(id);
    } catch (err) {
      log.warn(`sqlprobe: idle run ${id}: progress not saved to state storage (${String(err)}); the next tick tries again`);
    }
  }
}

/**
 * The holder's share of a tick for on-demand runs: picks up pending runs (their cohorts open within
 * this tick), closes the connections of cancelled ones, settles the runs of dead holders, and writes
 * what its own runs settled. One query finds the runs that need it.
 */
export async function attendIdleRuns(rt: AppRuntime, log: Log): Promise<void> {
  const tenure = rt.idle.tenureId();
  if (!tenure) return;
  let runs: IdleRun[] = [];
  try {
    runs = await rt.store.idleRunsToAttend(tenure);
  } catch (err) {
    log.warn(`sqlprobe: idle runs not read from state storage (${String(err)}); pending runs wait for the next tick`);
  }
  for (const run of runs) {
    try {
      if (run.closing) await closeCancelled(rt, run);
      else if (run.status === 'pending') await pickUp(rt, run);
      else if (run.status === 'running' && run.holder !== tenure) await settleOrphan(rt, run, tenure);
    } catch (err) {
      log.warn(`sqlprobe: idle run ${run.id}: ${String(err)}`);
    }
  }
  await rt.idle.drain();
  await saveProgress(rt, tenure, log);
}

/** A run as any instance sees it: a running one whose holder's lease ended reads as inconclusive, never as failed. */
export async function readIdleRun(rt: AppRuntime, id: string): Promise<IdleRun | undefined> {
  const run = await rt.store.getIdleRun(id);
  if (run?.status !== 'running') return run;
  const lease = await rt.idle.readLease();
  const alive = lease !== undefined && tenureOf(lease.holder, lease.term) === run.holder && lease.expiresAt > Date.now();
  return alive ? run : { ...run, status: 'inconclusive' };
}

/**
 * `DELETE /api/idle-runs/{id}`: a pending or running run ends at once, its unsettled cells
 * inconclusive `cancelled`. Its connections close now when this process holds them, else at the
 * holder's next tick (`closing` until then). Answers the run as stored, `undefined` for no such run.
 */
export async function cancelIdleRun(rt: AppRuntime, id: string): Promise<IdleRun | undefined> {
  const run = await rt.store.updateIdleRun(id, (r) => (r.status === 'pending' || r.status === 'running'
    ? { ...withOutcomes(r, [...r.outcomes, ...rest(r, 'cancelled')]), status: 'cancelled', closing: r.status === 'running' }
    : undefined));
  if (!run?.closing || !rt.idle.status(id)) return run;
  await rt.idle.cancelRun(id);
  return rt.store.updateIdleRun(id, (r) => (r.closing ? { ...r, closing: false, updatedAt: stamp() } : undefined));
}
