import { z } from 'zod';
import { connectionOutcomeSchema, verdictSchema } from '../idle/schema';
import type { ProbeResult } from '../probers/result';

/**
 * An idle run started over HTTP. The instance holding its connections writes it here as rungs
 * settle, so `GET /api/idle-runs/{id}` answers from any instance.
 */
export const idleRunSchema = z.object({
  id: z.uuid(),
  target: z.string(),
  /** Planned idle ages, in ms. */
  rungs: z.array(z.int().positive()),
  /** `inconclusive`: the holding instance stopped reporting (recycled or scaled in). */
  status: z.enum(['running', 'completed', 'inconclusive']),
  createdAt: z.iso.datetime(),
  /** Refreshed by the holding instance at least every heartbeat, even when nothing settled. */
  updatedAt: z.iso.datetime(),
  /** How many outcomes the run settles in all: progress is `outcomes.length / expected`. */
  expected: z.int().nonnegative(),
  /** Outcomes so far, in the order they settled. */
  outcomes: z.array(connectionOutcomeSchema),
  verdict: verdictSchema.optional(),
});
export type IdleRun = z.infer<typeof idleRunSchema>;

/**
 * State another instance must see: an HTTP request may land on any instance of the app. The CLI
 * keeps it in memory; Azure keeps it in the app's storage account (Table storage).
 */
export interface StateStore {
  /** Keeps the latest result per target and probe (and listener, for failover groups). */
  recordResult(result: ProbeResult): Promise<void>;
  /** The latest results of every target, in no particular order. */
  latestResults(): Promise<ProbeResult[]>;
  /** Creates or replaces a run: its writer is the one instance that holds its connections. */
  saveIdleRun(run: IdleRun): Promise<void>;
  getIdleRun(id: string): Promise<IdleRun | undefined>;
}

/** The key under which a result replaces its predecessor. */
export function resultKey(result: ProbeResult): string {
  return result.listener ? `${result.probe}.${result.listener}` : result.probe;
}
