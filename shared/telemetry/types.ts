import type { Settings } from '../config';
import type { ProbeResult, VerdictChange } from '../contract';
import type { Outbox } from './outbox';

/** The settings telemetry reads; a full `Settings` fits. */
export type TelemetrySettings = Pick<
  Settings,
  | 'APPLICATIONINSIGHTS_CONNECTION_STRING'
  | 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
  | 'SQLPROBE_LIVE_METRICS'
  | 'SQLPROBE_OFFLINE_STORAGE_DIR'
  | 'SQLPROBE_RESULTS_FILE'
  | 'OTEL_EXPORTER_OTLP_ENDPOINT'
  | 'OTEL_EXPORTER_OTLP_PROTOCOL'
  | 'OTEL_EXPORTER_OTLP_HEADERS'
> & Partial<Pick<Settings, 'onAzureCompute'>>;

export interface TelemetryOptions {
  /** Where the console sink writes its lines (default console.log); the CLI points it at stderr under --json. */
  print?: (line: string) => void;
  /** Secret values to scrub from everything sent: what the targets' secret settings hold, a password typed at a prompt. */
  secrets?: readonly string[];
  /** Sinks a host adds to those the settings pick (`sqlprobe start`'s status page and Prometheus registry); they get scrubbed results too. */
  sinks?: readonly Telemetry[];
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
