import { AzureTelemetry } from './azure';
import { parseConnectionString } from './connection';
import { ConsoleSink, JsonLinesSink } from './local-sinks';
import { redacting, secretsFromEnv } from './redact';
import type { Telemetry, TelemetryOptions, TelemetrySettings } from './types';

export * from './names';
export { decodeItems, encodeItems, outboxQueueName, OUTBOX_RETENTION_MS, type HeldBatch, type Outbox, type OutboxItem } from './outbox';
export { scrubSecrets, secretsFromEnv } from './redact';
export { verdictChangeSchema, type Telemetry, type TelemetryOptions, type TelemetrySettings, type VerdictChange } from './types';

/**
 * Picks the sinks from the settings: Application Insights when a connection string is set, a JSON
 * Lines file when SQLPROBE_RESULTS_FILE is set (both when both are), else the console. Cheap: the
 * Azure Monitor distro loads on the first flush. Throws on a malformed connection string. Every
 * sink gets results scrubbed of the secrets the configured targets name (and `options.secrets`).
 */
export function initTelemetry(settings: TelemetrySettings, options: TelemetryOptions = {}): Telemetry {
  const sinks: Telemetry[] = [];
  if (settings.APPLICATIONINSIGHTS_CONNECTION_STRING) {
    parseConnectionString(settings.APPLICATIONINSIGHTS_CONNECTION_STRING);
    sinks.push(new AzureTelemetry(settings, (text) => console.warn(text), options.outbox));
  }
  if (settings.SQLPROBE_RESULTS_FILE) sinks.push(new JsonLinesSink(settings.SQLPROBE_RESULTS_FILE));
  if (sinks.length === 0) sinks.push(new ConsoleSink(options.print ?? ((line) => console.log(line))));
  const secrets = [...secretsFromEnv(options.env ?? process.env), ...(options.secrets ?? [])];
  return redacting(sinks.length === 1 ? sinks[0] : fanOut(sinks), secrets);
}

function fanOut(sinks: Telemetry[]): Telemetry {
  const all = async (each: (s: Telemetry) => Promise<boolean>) => (await Promise.all(sinks.map(each))).every(Boolean);
  return {
    record: (r) => sinks.forEach((s) => s.record(r)),
    recordVerdictChange: (c) => sinks.forEach((s) => s.recordVerdictChange(c)),
    flush: (ms) => all((s) => s.flush(ms)),
    shutdown: (ms) => all((s) => s.shutdown(ms)),
  };
}
