import type { IdleRun, ProbeResult } from '../contract';

/**
 * State another instance must see: an HTTP request may land on any instance of the app. The CLI
 * keeps it in memory; Azure keeps it in the app's storage account (Table storage).
 */
export interface StateStore {
  /** Keeps the latest result per target and probe (and listener, for failover groups). */
  recordResult(result: ProbeResult): Promise<void>;
  /** The latest results of every target, in no particular order. */
  latestResults(): Promise<ProbeResult[]>;
  /** Creates or replaces a run (the HTTP trigger writes a new one; later writes go through `updateIdleRun`). */
  saveIdleRun(run: IdleRun): Promise<void>;
  getIdleRun(id: string): Promise<IdleRun | undefined>;
  /**
   * Changes a run atomically against other writers: `change` gets the stored run and returns the
   * new one, or undefined to leave it; it may be called again when another writer got in between.
   * Answers the run as stored afterwards, or undefined when there is no such run.
   */
  updateIdleRun(id: string, change: (run: IdleRun) => IdleRun | undefined): Promise<IdleRun | undefined>;
  /**
   * The runs the region's idle holder `holder` must attend to: pending ones, cancelled ones whose
   * connections may still be held, and running ones another process held (its lease expired).
   */
  idleRunsToAttend(holder: string): Promise<IdleRun[]>;
  /** Claims `key` for `ms` (an on-demand login cool-down): 0 when claimed, else the ms left on the claim that holds it. */
  claimCooldown(key: string, ms: number, now?: number): Promise<number>;
}

/** The key under which a result replaces its predecessor. */
export function resultKey(result: ProbeResult): string {
  return result.listener ? `${result.probe}.${result.listener}` : result.probe;
}
