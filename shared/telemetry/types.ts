import { z } from 'zod';
import type { Settings } from '../config/load';
import { verdictKind } from '../idle/schema';
import type { ProbeResult } from '../probers/result';
import type { Outbox } from './outbox';

/** An idle verdict that appeared, changed or cleared for a target in a region. */
export const verdictChangeSchema = z.object({
  target: z.string(),
  region: z.string(),
  verdict: verdictKind,
  /** The verdict before this change; absent for the first verdict of a target. */
  previous: verdictKind.optional(),
  /** The first recommendation of the new verdict, the one to act on. */
  recommendation: z.string(),
});
export type VerdictChange = z.infer<typeof verdictChangeSchema>;

/** The settings telemetry reads; a full `Settings` fits. */
export type TelemetrySettings = Pick<
  Settings,
  | 'APPLICATIONINSIGHTS_CONNECTION_STRING'
  | 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
  | 'SQLPROBE_LIVE_METRICS'
  | 'SQLPROBE_OFFLINE_STORAGE_DIR'
  | 'SQLPROBE_RESULTS_FILE'
>;

export interface TelemetryOptions {
  /** Where the console sink writes its lines (default console.log); the CLI points it at stderr under --json. */
  print?: (line: string) => void;
  /**
   * Where the targets' secrets are read from, to scrub them from everything sent (process.env by
   * default, as the probes read them).
   */
  env?: Record<string, string | undefined>;
  /** Further secret values to scrub, ones the environment does not hold (a password typed at a prompt). */
  secrets?: readonly string[];
  /**
   * Where Application Insights items that ingestion did not take are kept until a later flush sends
   * them: the app's storage account, so they outlive the instance. Without it, a local directory.
   */
  outbox?: Outbox;
}

/**
 * Where probe results go: Application Insights, a JSON Lines file or the console. Every sink has
 * this one interface, so triggers and the CLI never know which one they hold.
 */
export interface Telemetry {
  /** Cheap and synchronous; the Azure sink holds results in memory until its first flush. */
  record(result: ProbeResult): void;
  recordVerdictChange(change: VerdictChange): void;
  /**
   * Sends what was recorded. Settles within `timeoutMs` even when ingestion hangs, with false
   * when the bound cut it short (the export goes on in the background) or a sink failed. Never throws.
   */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes, then releases timers and sockets; the instance is unusable afterwards. */
  shutdown(timeoutMs: number): Promise<boolean>;
}
