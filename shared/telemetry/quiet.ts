import type { Instrumenter, TracingContext, TracingSpan } from '@azure/core-tracing';
import { dirname } from 'node:path';

/**
 * Only sqlprobe's own telemetry leaves the process. The pinned distro (1.20) adds more, and has no
 * option for any of it:
 * - useAzureMonitor() installs the Azure SDK tracing bridge even with the azureSdk instrumentation
 *   off (its ensureAzureSdkTracingBridge), so every Table storage, queue and identity call became a
 *   dependency, with a nested "GET /devstoreaccount1/…" for its HTTP request;
 * - its default resource asks the Azure instance-metadata service (http://169.254.169.254) whenever
 *   the environment names no Azure platform, which is every machine outside Azure;
 * - statsbeat reports to Microsoft's endpoint (and asks the metadata service whether it runs on a
 *   VM), the "customer SDK stats" add the exporter's own counters to the app's customMetrics, and
 *   each trace export carries an `_OTELRESOURCE_` metric.
 * test/telemetry/noise.test.ts runs a real round and the canaries in exporter-canaries.test.ts fail
 * once upstream stops doing these.
 */

/** Host suffixes of Azure Monitor ingestion (public, US Government and China clouds), as the exporter lists them. */
const AZURE_MONITOR_HOSTS = ['.applicationinsights.azure.com', '.services.visualstudio.com', '.monitor.azure.com', '.applicationinsights.azure.us', '.monitor.azure.us', '.applicationinsights.azure.cn', '.monitor.azure.cn'];

/**
 * The exporter's switches sqlprobe sets (each only where the operator has not set it). Statsbeat
 * stays on only for an Azure Monitor endpoint, from Azure compute the environment names (no
 * metadata lookup needed to know it).
 */
export function exporterSwitches(ingestionHost: string | undefined, onAzureCompute: boolean): Record<string, string> {
  const host = (ingestionHost ?? 'dc.services.visualstudio.com').toLowerCase();
  const azureEndpoint = AZURE_MONITOR_HOSTS.some((suffix) => host.endsWith(suffix));
  return {
    APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
    APPLICATIONINSIGHTS_OPENTELEMETRY_RESOURCE_METRIC_DISABLED: 'true',
    ...(azureEndpoint && onAzureCompute ? {} : { APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' }),
  };
}

/** A package as the distro resolves it (not a dependency of ours: the one instance the distro uses). */
const distroImport = (id: string): Promise<unknown> => import(require.resolve(id, { paths: [dirname(require.resolve('@azure/monitor-opentelemetry'))] }));

/** Before useAzureMonitor(): the exporter switches, and no instance-metadata lookup for the resource. */
export async function quietBeforeStart(ingestionHost: string | undefined, onAzureCompute: boolean, warn: (text: string) => void): Promise<void> {
  // The exporter takes these switches from the process environment only: writes, not settings reads.
  // eslint-disable-next-line no-restricted-properties
  const env = process.env;
  for (const [name, value] of Object.entries(exporterSwitches(ingestionHost, onAzureCompute))) env[name] ||= value;
  try {
    const { azureVmDetector } = (await distroImport('@opentelemetry/resource-detector-azure')) as { azureVmDetector: { detect(): unknown } };
    // Its only source is the metadata service; sqlprobe's results carry their own region.
    azureVmDetector.detect = () => ({ attributes: {} });
  } catch (err) {
    warn(`telemetry: could not turn off the Azure VM resource detector (${(err as Error).message}); start-up may call 169.254.169.254`);
  }
}

class Values implements TracingContext {
  constructor(private readonly values: ReadonlyMap<symbol, unknown> = new Map()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): TracingContext {
    return new Values(new Map(this.values).set(key, value));
  }
  deleteValue(key: symbol): TracingContext {
    const next = new Map(this.values);
    next.delete(key);
    return new Values(next);
  }
}

const idleSpan: TracingSpan = { end: () => undefined, isRecording: () => false, recordException: () => undefined, setAttribute: () => undefined, setStatus: () => undefined };

/** What @azure/core-tracing uses when nothing is installed: spans that record nothing. */
export const silentInstrumenter: Instrumenter = {
  startSpan: (_name, options) => ({ span: idleSpan, tracingContext: options.tracingContext ?? new Values() }),
  withContext: (_context, callback, ...args) => callback(...args),
  parseTraceparentHeader: () => undefined,
  createRequestHeaders: () => ({}),
};

/** After useAzureMonitor(): takes back the Azure SDK tracing bridge it installed. */
export async function quietAfterStart(): Promise<void> {
  const { useInstrumenter } = await import('@azure/core-tracing');
  useInstrumenter(silentInstrumenter);
}
