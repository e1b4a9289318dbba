import { createRuntime, FLUSH_TIMEOUT_MS, type AppRuntime } from '../shared/app';
import { ConfigError, loadConfig, secretsOf, type Env, type LoadedConfig, type Settings } from '../shared/config';
import type { ProbeResult } from '../shared/contract';
import { MemoryStateStore } from '../shared/state';
import { initTelemetry, type Telemetry } from '../shared/telemetry';
import { UsageError } from './exit';

/**
 * Settings and targets from the environment. A broken setting is bad usage (exit 2); a broken target
 * is only reported, so the others still run.
 */
export function loadCliConfig(env: Env = process.env, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): LoadedConfig {
  try {
    const config = loadConfig(env);
    for (const problem of config.problems) warn(`sqlprobe: skipping a target: ${problem}`);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.problems.join('\n'));
    throw err;
  }
}

/**
 * An AbortSignal that fires on Ctrl-C (SIGINT) or SIGTERM, so a command stops the way it finishes:
 * probes settle, connections close, telemetry flushes. A second Ctrl-C exits at once.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`stopped by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface CliHostOptions {
  /** `--results-file`: JSON Lines, on top of what the settings choose. */
  resultsFile?: string;
  /** Sees every result on its way to the sinks (the live table). */
  onResult?: (result: ProbeResult) => void;
  /** Sinks added to those the settings pick (the status page); they get scrubbed results too. */
  sinks?: readonly Telemetry[];
}

export interface CliRuntime {
  rt: AppRuntime;
  /** Flushes and shuts the sinks down within the flush bound; says so on stderr when something was not sent. */
  close(): Promise<void>;
}

/** Results go to the real sinks and, on the way, to `onResult`. */
function tee(inner: Telemetry, onResult: (result: ProbeResult) => void): Telemetry {
  return {
    record: (result) => {
      onResult(result);
      inner.record(result);
    },
    recordVerdictChange: (change) => inner.recordVerdictChange(change),
    flush: (ms) => inner.flush(ms),
    shutdown: (ms) => inner.shutdown(ms),
  };
}

/**
 * The runtime the commands hand to the app layer: state in this process's memory, and the sinks the
 * functions use (Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set, JSON Lines
 * for --results-file or SQLPROBE_RESULTS_FILE). The console sink prints nothing: the CLI's report
 * and live table already show every result. Every secret the targets' settings hold in `env` (a
 * password typed at a prompt included) is scrubbed from what the sinks get.
 */
export async function cliRuntime(config: Pick<LoadedConfig, 'targets' | 'problems'> & { settings: Settings }, env: Env, options: CliHostOptions = {}): Promise<CliRuntime> {
  const settings = options.resultsFile ? { ...config.settings, SQLPROBE_RESULTS_FILE: options.resultsFile } : config.settings;
  let sinks: Telemetry;
  try {
    sinks = initTelemetry(settings, { print: () => {}, secrets: secretsOf(config.targets, env), sinks: options.sinks ?? [] });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const telemetry = options.onResult ? tee(sinks, options.onResult) : sinks;
  const rt = await createRuntime({ ...config, settings }, env, { store: new MemoryStateStore(), telemetry });
  return {
    rt,
    close: async () => {
      await rt.idle.close();
      if (!(await telemetry.shutdown(FLUSH_TIMEOUT_MS))) {
        process.stderr.write(`sqlprobe: some telemetry was not sent within ${FLUSH_TIMEOUT_MS / 1000} s (offline storage retries it when enabled)\n`);
      }
    },
  };
}
