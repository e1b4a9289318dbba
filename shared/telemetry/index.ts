import { parseConnectionString } from '../config';
import { AzureTelemetry } from './azure';
import { ConsoleSink, JsonLinesSink } from './local-sinks';
import { OtlpTelemetry } from './otlp';
import type { PrometheusTelemetry } from './prometheus';
import { redacting } from './scrub';
import type { Telemetry, TelemetryOptions, TelemetrySettings } from './types';

export * from './names';
export * from './prometheus-names';
export type { PrometheusTelemetry } from './prometheus';
export { decodeItems, encodeItems, outboxQueueName, OUTBOX_RETENTION_MS, type HeldBatch, type Outbox, type OutboxItem } from './outbox';
export { scrubSecrets } from './scrub';
export type { Telemetry, TelemetryOptions, TelemetrySettings } from './types';

/** A Prometheus registry as a sink; prom-client loads only when a host asks for one, never at a cold start. */
export async function prometheusSink(): Promise<PrometheusTelemetry> {
  const { PrometheusTelemetry } = await import('./prometheus');
  return new PrometheusTelemetry();
}

/**
 * Picks the sinks from the settings: Application Insights when a connection string is set, a JSON
 * Lines file when SQLPROBE_RESULTS_FILE is set, OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (all
 * that are set), else the console; plus `options.sinks`. Cheap: the Azure Monitor distro and the
 * OpenTelemetry SDK load on the first flush. Throws on a malformed connection string. Every sink
 * gets results scrubbed of `options.secrets` (the values the targets' secret settings hold).
 */
export function initTelemetry(settings: TelemetrySettings, options: TelemetryOptions = {}): Telemetry {
  const sinks: Telemetry[] = [];
  if (settings.APPLICATIONINSIGHTS_CONNECTION_STRING) {
    parseConnectionString(settings.APPLICATIONINSIGHTS_CONNECTION_STRING);
    sinks.push(new AzureTelemetry(settings, (text) => console.warn(text), options.outbox));
  }
  if (settings.SQLPROBE_RESULTS_FILE) sinks.push(new JsonLinesSink(settings.SQLPROBE_RESULTS_FILE));
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT) sinks.push(new OtlpTelemetry(settings, (text) => console.warn(text)));
  if (sinks.length === 0) sinks.push(new ConsoleSink(options.print ?? ((line) => console.log(line))));
  sinks.push(...(options.sinks ?? []));
  return redacting(sinks.length === 1 ? sinks[0] : fanOut(sinks), options.secrets ?? []);
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
