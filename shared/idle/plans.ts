import type { Target } from '../config/target';
import { ladderCells, type CohortPlan } from './cohort';

/** The idle ladder of a target: one connection per rung and keepalive variant. */
export function idlePlan(target: Target, openedAt: number, rungs: readonly number[] = target.idle.rungs): CohortPlan {
  return { target: target.name, kind: 'idle', cells: ladderCells(rungs, target.idle.keepalive), keepaliveIdleMs: target.idle.keepaliveIdle, openedAt };
}

/** A pool of `size` connections that all idle for `idleFor`, with the keepalive an app's pool would have. */
export function poolPlan(target: Target, openedAt: number): CohortPlan {
  const cells = Array.from({ length: target.pool.size }, () => ({ rungMs: target.pool.idleFor, keepalive: target.pool.keepalive }));
  return { target: target.name, kind: 'pool', cells, keepaliveIdleMs: target.idle.keepaliveIdle, openedAt };
}
