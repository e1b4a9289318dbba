import type { Settings } from '../shared/config';
import type { ProbeResult } from '../shared/probers/result';
import { initTelemetry, type Telemetry } from '../shared/telemetry';
import { UsageError } from './exit';

/** How long an exiting command waits for Application Insights before giving up on the rest. */
const FLUSH_MS = 10_000;

export interface CliTelemetry {
  record: (result: ProbeResult) => void;
  /** The underlying sinks, for callers (the scheduled handlers) that report verdict changes too. */
  telemetry: Telemetry;
  /** Flushes and shuts down within a bound; says so on stderr when something was not sent. */
  close: () => Promise<void>;
}

/**
 * The same sinks the functions use: Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING
 * is set, JSON Lines for --results-file (or SQLPROBE_RESULTS_FILE). The console sink prints nothing:
 * the CLI's report and live table already show every result. `secrets` are scrubbed from every
 * result before any sink sees it, and from what goes to `sinks` (the metrics that `start` serves).
 */
export function openTelemetry(settings: Settings, resultsFile?: string, secrets: readonly string[] = [], sinks: readonly Telemetry[] = []): CliTelemetry {
  let telemetry: Telemetry;
  try {
    // A password typed at the prompt is in no app setting, so the sinks learn it from the caller.
    telemetry = initTelemetry(resultsFile ? { ...settings, SQLPROBE_RESULTS_FILE: resultsFile } : settings, { print: () => {}, secrets: [...secrets], sinks });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    telemetry,
    record: (result) => telemetry.record(result),
    close: async () => {
      if (!(await telemetry.shutdown(FLUSH_MS))) {
        process.stderr.write(`sqlprobe: some telemetry was not sent within ${FLUSH_MS / 1000} s (offline storage retries it when enabled)\n`);
      }
    },
  };
}
