import type { TelemetrySettings } from '../../shared/telemetry';

/** Telemetry settings with every sink off, and `over` on top. */
export const telemetrySettings = (over: Partial<TelemetrySettings> = {}): TelemetrySettings => ({
  APPLICATIONINSIGHTS_CONNECTION_STRING: undefined,
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: undefined,
  SQLPROBE_LIVE_METRICS: false,
  SQLPROBE_OFFLINE_STORAGE_DIR: undefined,
  SQLPROBE_RESULTS_FILE: undefined,
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_HEADERS: undefined,
  ...over,
});
