import type { Target } from '../config/target';
import type { ProbeResult } from '../probers/result';
import { roundOptionsFrom } from '../runner';
import type { IdleRun } from '../state';
import type { Log } from './log';
import { resultSink } from './record';
import type { AppRuntime, IdleDriver } from './runtime';

/** The holding process rewrites a run at least this often, so readers can tell it is alive. */
const HEARTBEAT_MS = 60_000;
/** A running run not rewritten for this long was held by a host that recycled or scaled in. */
export const STALE_AFTER_MS = 5 * HEARTBEAT_MS;
const DEFAULT_PUMP_MS = 2_000;

export class IdleUnavailableError extends Error {
  constructor() {
    super('idle probes are not available in this process');
  }
}

function driver(rt: AppRuntime): IdleDriver {
  if (!rt.idle) throw new IdleUnavailableError();
  return rt.idle;
}

const probeOptions = (rt: AppRuntime) => roundOptionsFrom(rt.settings, rt.env ? { env: rt.env } : {});

/**
 * Sends idle and pool results on like any other, and an idle verdict that appeared or changed
 * (against the latest one in shared state, whichever instance wrote it) as a verdict-change event.
 */
async function recordIdleResults(rt: AppRuntime, results: readonly ProbeResult[], log: Log): Promise<void> {
  if (results.length === 0) return;
  const before = results.some((r) => r.idle) ? await rt.store.latestResults() : [];
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

/** The `idle-tick` timer: checks the rungs that are due and opens the cohorts that are due, for every target. */
export async function idleTick(rt: AppRuntime, log: Log): Promise<number> {
  const results = await driver(rt).tick(rt.targets, probeOptions(rt));
  await recordIdleResults(rt, results, log);
  return results.length;
}

/**
 * Starts an idle ladder for one target and returns its first record. This process holds the
 * connections, so it also checks them (a timer tick may land on another instance) and writes
 * the run to shared state until it completes, so any instance can answer for it.
 */
export async function startIdleRun(rt: AppRuntime, target: Target, rungs: readonly number[] | undefined, log: Log): Promise<IdleRun> {
  const idle = driver(rt);
  const id = idle.startRun(target, probeOptions(rt), rungs);
  const run = snapshot(idle, id, target, rungs ?? target.idle.rungs, new Date().toISOString());
  await rt.store.saveIdleRun(run);
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

/** Drives one run in this process until it completes, saving it whenever it changes and at each heartbeat. */
function pump(rt: AppRuntime, idle: IdleDriver, target: Target, first: IdleRun, log: Log): void {
  let saved = first;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await recordIdleResults(rt, await idle.tick([target], probeOptions(rt)), log);
      const next = snapshot(idle, first.id, target, first.rungs, first.createdAt);
      const changed = next.outcomes.length !== saved.outcomes.length || next.status !== saved.status;
      if (changed || Date.parse(next.updatedAt) - Date.parse(saved.updatedAt) >= HEARTBEAT_MS) {
        await rt.store.saveIdleRun(next);
        saved = next;
      }
      if (next.status !== 'running') clearInterval(timer);
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
