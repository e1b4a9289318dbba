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
  /** Creates or replaces a run: its writer is the one instance that holds its connections. */
  saveIdleRun(run: IdleRun): Promise<void>;
  getIdleRun(id: string): Promise<IdleRun | undefined>;
  /** Claims `key` for `ms` (an on-demand login cool-down): 0 when claimed, else the ms left on the claim that holds it. */
  claimCooldown(key: string, ms: number, now?: number): Promise<number>;
}

/** The key under which a result replaces its predecessor. */
export function resultKey(result: ProbeResult): string {
  return result.listener ? `${result.probe}.${result.listener}` : result.probe;
}
