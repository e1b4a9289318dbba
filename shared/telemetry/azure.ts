import type { ProxyTracerProvider } from '@opentelemetry/api';
import { join } from 'node:path';
import { parseConnectionString } from '../config';
import type { ProbeResult, VerdictChange } from '../contract';
import { settleWithin } from './deadline';
import { Delivery } from './delivery';
import { defaultStorageDirectory, distroOptions } from './distro-options';
import { releaseSenders, routeSenders } from './exporter-sender';
import { FileOutbox } from './file-outbox';
import type { TrackClient } from './ingestion';
import { fixOfflineReplay, stopRemoteConfiguration } from './exporter-workarounds';
import type { Outbox } from './outbox';
import { quietAfterStart, quietBeforeStart } from './quiet';
import type { Telemetry, TelemetrySettings } from './types';

interface Emitters {
  result(r: ProbeResult): void;
  verdictChange(c: VerdictChange): void;
}

type Flushable = { forceFlush?: () => Promise<unknown> };

/**
 * A client to re-send held items with when no export of this process has posted yet (a flush with
 * nothing recorded): a log exporter of the same options, never used to export.
 */
async function drainClient(options: object): Promise<() => TrackClient> {
  const { AzureMonitorLogExporter } = await import('@azure/monitor-opentelemetry-exporter');
  let sender: { appInsightsClient: TrackClient } | undefined;
  return () => {
    sender ??= (new AzureMonitorLogExporter({ ...options, disableOfflineStorage: true }) as unknown as { _sender: { appInsightsClient: TrackClient } })._sender;
    return sender.appInsightsClient;
  };
}

/** The distro has no single flush: spans, metrics and logs each have a provider to flush. */
async function flushProviders(): Promise<unknown> {
  const [{ metrics, trace }, { logs }] = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/api-logs')]);
  const tracerProvider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as Flushable;
  const meterProvider = metrics.getMeterProvider() as Flushable;
  const loggerProvider = logs.getLoggerProvider() as Flushable;
  return Promise.all([tracerProvider.forceFlush?.(), meterProvider.forceFlush?.(), loggerProvider.forceFlush?.()]);
}

/**
 * Application Insights through @azure/monitor-opentelemetry. Loading the distro costs hundreds of
 * milliseconds and blocks the event loop, which would stretch the phase timings of probes still in
 * flight; so nothing loads until the first flush, which comes after the probes (the OpenTelemetry
 * API and the emitters neither: every module loaded at start delays the first probe). Until then
 * results wait in memory; afterwards they are emitted as they come.
 *
 * What ingestion does not take goes to `outbox` (the app's storage account), else to a directory
 * under the offline storage directory, and each flush sends what they hold once ingestion answers.
 */
export class AzureTelemetry implements Telemetry {
  private readonly waiting: ((e: Emitters) => void)[] = [];
  private emitters?: Emitters;
  private loading?: Promise<typeof import('@azure/monitor-opentelemetry') | undefined>;
  private stopping?: Promise<void>;
  private flushed: Promise<unknown> = Promise.resolve();
  private delivery?: Delivery;
  private drainClient?: () => TrackClient;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly warn: (text: string) => void,
    private readonly outbox?: Outbox,
  ) {}

  record(result: ProbeResult): void {
    this.emit((e) => e.result(result));
  }

  recordVerdictChange(change: VerdictChange): void {
    this.emit((e) => e.verdictChange(change));
  }

  /**
   * Flushes run one after another: the SDK's processors return at once, without exporting, from a
   * forceFlush that overlaps one in progress, and invocations on one worker overlap.
   */
  flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const flushed = this.flushed.then(() => this.load()).then(async (distro) => {
      // After a failed start every result is dropped: the flush did not deliver them.
      if (!distro || !this.delivery) throw new Error('Azure Monitor did not start');
      this.delivery.boundBy(deadline);
      await flushProviders();
      if (!(await this.delivery.finish({ drain: true, client: this.drainClient }))) throw new Error('telemetry items lost');
    });
    this.flushed = flushed.catch(() => undefined);
    return settleWithin(flushed, timeoutMs);
  }

  /** Once: a later call (say, after a first one timed out) waits on the same shutdown. */
  async shutdown(timeoutMs: number): Promise<boolean> {
    if (!this.loading && this.waiting.length === 0) return true;
    const deadline = Date.now() + timeoutMs;
    this.stopping ??= this.load().then(async (distro) => {
      this.delivery?.boundBy(deadline);
      await distro?.shutdownAzureMonitor();
      await this.delivery?.finish({ drain: false });
      releaseSenders(this.delivery);
      await stopRemoteConfiguration(this.warn);
    });
    return settleWithin(this.stopping, timeoutMs);
  }

  private emit(send: (e: Emitters) => void): void {
    if (this.emitters) send(this.emitters);
    else this.waiting.push(send);
  }

  private load(): Promise<typeof import('@azure/monitor-opentelemetry') | undefined> {
    this.loading ??= this.start().catch((err: unknown) => {
      // Keep the invocation alive; the results held so far are dropped, and said so.
      this.warn(`telemetry: Azure Monitor could not start (${(err as Error).message}); ${this.waiting.length} results dropped`);
      this.waiting.length = 0;
      this.emitters = { result: () => undefined, verdictChange: () => undefined };
      return undefined;
    });
    return this.loading;
  }

  private async start(): Promise<typeof import('@azure/monitor-opentelemetry')> {
    const options = await distroOptions(this.settings, this.warn);
    const exporterOptions = options.azureMonitorExporterOptions ?? {};
    const localCollector = exporterOptions.allowInsecureConnection === true;
    await quietBeforeStart(parseConnectionString(this.settings.APPLICATIONINSIGHTS_CONNECTION_STRING ?? '').host, this.settings.onAzureCompute ?? false, this.warn);
    const distro = await import('@azure/monitor-opentelemetry');
    const local = new FileOutbox(join(this.settings.SQLPROBE_OFFLINE_STORAGE_DIR ?? defaultStorageDirectory(), 'outbox'));
    this.delivery = new Delivery(this.outbox ? [this.outbox, local] : [local], this.warn);
    await routeSenders(this.delivery);
    await fixOfflineReplay(this.warn);
    distro.useAzureMonitor(options);
    await quietAfterStart();
    this.drainClient = await drainClient(exporterOptions);
    if (localCollector) await stopRemoteConfiguration(this.warn);
    const [{ emitAvailability, emitVerdictChange }, { createMetricRecorder }, { emitProbeSpan }] = await Promise.all([import('./logs'), import('./metrics'), import('./span')]);
    const recordMetrics = createMetricRecorder();
    this.emitters = {
      result: (r) => {
        emitAvailability(r, emitProbeSpan(r));
        recordMetrics(r);
      },
      verdictChange: emitVerdictChange,
    };
    for (const send of this.waiting.splice(0)) send(this.emitters);
    return distro;
  }
}
