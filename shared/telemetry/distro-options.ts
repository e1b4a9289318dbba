import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managedIdentity, parseConnectionString } from '../config';
import { cardinalityViews } from './cardinality';
import type { TelemetrySettings } from './types';

/** Under os.tmpdir(): /tmp on Linux (Flex Consumption included) and the local temp on Windows, both writable. */
export const defaultStorageDirectory = (): string => join(tmpdir(), 'sqlprobe-telemetry');

const OFF = { enabled: false };

/**
 * The distro's options for sqlprobe. Only the probe's own telemetry is wanted: auto-instrumentation
 * would turn the exporter's and Table storage's own HTTP calls into dependencies, and standard
 * metrics and performance counters run on meter providers of their own that an invocation's flush
 * cannot reach (ingestion extracts the standard request and dependency metrics itself).
 */
export async function distroOptions(settings: TelemetrySettings, warn: (text: string) => void): Promise<AzureMonitorOpenTelemetryOptions> {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING ?? '';
  const { plainHttpHost } = parseConnectionString(connectionString);
  const identity = managedIdentity(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING);
  let credential;
  if (identity && plainHttpHost) {
    // The pipeline refuses bearer tokens over http, and a local collector takes none.
    warn('APPLICATIONINSIGHTS_AUTHENTICATION_STRING is ignored: the IngestionEndpoint is plain http (a local collector)');
  } else if (identity) {
    const { ManagedIdentityCredential } = await import('@azure/identity');
    credential = new ManagedIdentityCredential(identity);
  }
  return {
    azureMonitorExporterOptions: {
      connectionString,
      credential,
      storageDirectory: settings.SQLPROBE_OFFLINE_STORAGE_DIR ?? defaultStorageDirectory(),
      ...(plainHttpHost && { host: plainHttpHost, allowInsecureConnection: true }),
      // Two quick retries ride out a blip; a longer outage is the outbox's job, not the invocation's.
      retryOptions: { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 2_000 },
    },
    // The default rate-limited sampler (5/s) drops spans right after start; every probe counts.
    samplingRatio: 1,
    tracesPerSecond: 0,
    enableLiveMetrics: settings.SQLPROBE_LIVE_METRICS,
    // Room for the phase series of every target, past OpenTelemetry's default of 2,000 per instrument.
    views: cardinalityViews(),
    enableStandardMetrics: false,
    enablePerformanceCounters: false,
    instrumentationOptions: { http: OFF, azureSdk: OFF, mongoDb: OFF, mySql: OFF, postgreSql: OFF, redis: OFF, redis4: OFF, bunyan: OFF, winston: OFF, console: OFF },
  };
}
