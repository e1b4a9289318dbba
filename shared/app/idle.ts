import { randomUUID } from 'node:crypto';
import type { Target } from '../config';
import type { ConnectionOutcome, IdleRun, ProbeResult } from '../contract';
import { ladderCells, runSingle } from '../idle';
import { roundOptionsFrom } from '../runner';
import { resultSink } from './result-sink';
import type { AppRuntime, IdleDriver, Log } from './runtime';

/** The holding process rewrites a run at least this often, so readers can tell it is alive. */
const HEARTBEAT_MS = 60_000;
/** A running run not rewritten for this long was held by a host that recycled or scaled in. */
export const STALE_AFTER_MS = 5 * HEARTBEAT_MS;
const DEFAULT_PUMP_MS = 2_000;

const probeOptions = (rt: AppRuntime) => roundOptionsFrom(rt.settings, rt.env);

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

/**
 * The `idle-tick` timer: checks the rungs that are due and opens the cohorts that are due, for every
 * target, and says how many results it reported. `signal` stops it (Ctrl-C in `sqlprobe start`):
 * opens cut short are inconclusive, not failures.
 */
export async function idleTick(rt: AppRuntime, log: Log, tick: { isPastDue?: boolean; signal?: AbortSignal } = {}): Promise<number> {
  const results = await rt.idle.tick(rt.targets, probeOptions(rt), tick.signal);
  await recordIdleResults(rt, results, log);
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

/**
 * Starts an idle ladder for one target and returns its first record. The record is saved before
 * any connection opens, so a state store that fails leaves nothing held. This process holds the
 * connections, so it also checks them (a timer tick may land on another instance) and writes
 * the run to shared state until it completes, so any instance can answer for it.
 */
export async function startIdleRun(rt: AppRuntime, target: Target, rungs: readonly number[] | undefined, log: Log): Promise<IdleRun> {
  const { idle } = rt;
  const planned = rungs ?? target.idle.rungs;
  const now = new Date().toISOString();
  const run: IdleRun = {
    id: randomUUID(), target: target.name, rungs: [...planned], status: 'running', createdAt: now, updatedAt: now,
    expected: ladderCells(planned, target.idle.keepalive).length, outcomes: [],
  };
  await rt.store.saveIdleRun(run);
  idle.startRun(target, probeOptions(rt), planned, run.id);
  pump(rt, idle, target, run, log);
  return run;
}

function snapshot(idle: IdleDriver, id: string, target: Target, rungs: readonly number[], createdAt: string): IdleRun {
  const status = idle.status(id);
  return {
    id,
    target: target.name,
    rungs: [...rungs],
    status: status?.status ?? 'inconclusive',
    createdAt,
    updatedAt: new Date().toISOString(),
    expected: status?.expected ?? 0,
    outcomes: status?.outcomes ?? [],
    ...(status?.outcomes.length ? { verdict: status.verdict } : {}),
  };
}

/**
 * Drives one run in this process until it completes, saving it whenever it changes and at each heartbeat.
 * It stops for good once the run is over, even if that last save fails, and without another write
 * once the driver no longer knows the run (its registry was closed or recycled): the record then
 * goes stale and reads as inconclusive, as for any holder that went silent.
 */
function pump(rt: AppRuntime, idle: IdleDriver, target: Target, first: IdleRun, log: Log): void {
  let saved = first;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    if (!idle.status(first.id)) {
      clearInterval(timer);
      return;
    }
    busy = true;
    try {
      await recordIdleResults(rt, await idle.tick([target], probeOptions(rt)), log);
      if (!idle.status(first.id)) {
        clearInterval(timer);
        return;
      }
      const next = snapshot(idle, first.id, target, first.rungs, first.createdAt);
      if (next.status !== 'running') clearInterval(timer);
      const changed = next.outcomes.length !== saved.outcomes.length || next.status !== saved.status;
      if (changed || Date.parse(next.updatedAt) - Date.parse(saved.updatedAt) >= HEARTBEAT_MS) {
        await rt.store.saveIdleRun(next);
        saved = next;
      }
    } catch (err) {
      log.error(`sqlprobe: idle run ${first.id}: ${String(err)}`);
    } finally {
      busy = false;
    }
  }, rt.idlePumpMs ?? DEFAULT_PUMP_MS);
  // The held sockets keep a worker alive; this timer alone must not keep a CLI or a test from exiting.
  timer.unref();
}

/** A run as any instance sees it; one whose holder went silent is inconclusive, never a failure. */
export async function readIdleRun(rt: AppRuntime, id: string, now = Date.now()): Promise<IdleRun | undefined> {
  const run = await rt.store.getIdleRun(id);
  if (run?.status === 'running' && now - Date.parse(run.updatedAt) > STALE_AFTER_MS) return { ...run, status: 'inconclusive' };
  return run;
}
