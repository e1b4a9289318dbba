import { randomUUID } from 'node:crypto';
import { InvocationContext, type LogLevel, type Timer } from '@azure/functions';
import type { AppRuntime } from '../../shared/app';
import type { LoadedConfig } from '../../shared/config';
import type { IdleRegistry } from '../../shared/idle/registry';
import type { ProbeResult } from '../../shared/probers/result';
import { MemoryStateStore } from '../../shared/state';
import type { Telemetry } from '../../shared/telemetry';

/** Results go to the real sinks and, on the way, to the live view. */
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

/** The runtime the timer handlers get in Azure, built for this process: state in memory, the process's idle registry. */
export function cliRuntime(config: Pick<LoadedConfig, 'settings' | 'targets'>, telemetry: Telemetry, idle: IdleRegistry, env: Record<string, string | undefined>, onResult: (result: ProbeResult) => void): AppRuntime {
  return { ...config, problems: [], store: new MemoryStateStore(), telemetry: tee(telemetry, onResult), idle, env };
}

/** A real InvocationContext, as the host would pass; warnings and errors go to `log`, the chatter is dropped. */
export function invocationContext(functionName: string, log: (line: string) => void): InvocationContext {
  const logHandler = (level: LogLevel, ...args: unknown[]) => {
    if (level === 'warning' || level === 'error' || level === 'critical') log(args.map(String).join(' '));
  };
  return new InvocationContext({ functionName, invocationId: randomUUID(), logHandler });
}

/** The timer argument the host passes; the local scheduler knows only whether a tick was skipped. */
export function timerInfo(isPastDue: boolean): Timer {
  return { isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
}
