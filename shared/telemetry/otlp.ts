import { version } from '../../package.json';
import type { ProbeResult, VerdictChange } from '../contract';
import { settleWithin } from './deadline';
import { emitAvailability, emitVerdictChange } from './logs';
import { createMetricRecorder } from './metrics';
import { TRACER_NAME } from './names';
import { otlpHeaders, otlpSignalUrl } from '../config';
import { emitProbeSpan } from './span';
import type { Telemetry, TelemetrySettings } from './types';

type OtlpSettings = Pick<TelemetrySettings, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_PROTOCOL' | 'OTEL_EXPORTER_OTLP_HEADERS'>;

interface Pipeline {
  result(r: ProbeResult): void;
  verdictChange(c: VerdictChange): void;
  forceFlush(): Promise<unknown>;
  shutdown(): Promise<unknown>;
}

/**
 * Every series of one signal: the OTel SDK's default cap of 2,000 per instrument would fold the phase
 * histograms of a few hundred targets into one overflow series.
 */
const CARDINALITY_LIMIT = 1_000_000;

/** Providers of its own (never the global ones the Azure Monitor distro owns), with OTLP exporters. */
async function startPipeline(settings: OtlpSettings): Promise<Pipeline> {
  const json = settings.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json';
  const [traceSdk, metricsSdk, logsSdk, resources, traceExporter, metricExporter, logExporter] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-logs'),
    import('@opentelemetry/resources'),
    json ? import('@opentelemetry/exporter-trace-otlp-http') : import('@opentelemetry/exporter-trace-otlp-proto'),
    json ? import('@opentelemetry/exporter-metrics-otlp-http') : import('@opentelemetry/exporter-metrics-otlp-proto'),
    json ? import('@opentelemetry/exporter-logs-otlp-http') : import('@opentelemetry/exporter-logs-otlp-proto'),
  ]);
  const endpoint = settings.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  const headers = otlpHeaders(settings.OTEL_EXPORTER_OTLP_HEADERS);
  const target = (signal: 'traces' | 'metrics' | 'logs') => ({ url: otlpSignalUrl(endpoint, signal), headers });
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read by the SDK's env detector, override the defaults.
  const resource = resources
    .resourceFromAttributes({ 'service.name': TRACER_NAME, 'service.version': version })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));

  const tracerProvider = new traceSdk.TracerProvider({
    resource,
    spanProcessors: [new traceSdk.BatchSpanProcessor({ exporter: new traceExporter.OTLPTraceExporter(target('traces')) })],
  });
  const meterProvider = new metricsSdk.MeterProvider({
    resource,
    readers: [new metricsSdk.PeriodicExportingMetricReader({
      exporter: new metricExporter.OTLPMetricExporter(target('metrics')),
      cardinalityLimits: { default: CARDINALITY_LIMIT },
    })],
  });
  const loggerProvider = new logsSdk.LoggerProvider({
    resource,
    processors: [new logsSdk.BatchLogRecordProcessor({ exporter: new logExporter.OTLPLogExporter(target('logs')) })],
  });
  const tracer = tracerProvider.getTracer(TRACER_NAME, version);
  const logger = loggerProvider.getLogger(TRACER_NAME, version);
  const recordMetrics = createMetricRecorder(meterProvider.getMeter(TRACER_NAME, version));
  const providers = [tracerProvider, meterProvider, loggerProvider];
  return {
    result: (r) => {
      emitAvailability(r, emitProbeSpan(r, tracer), logger);
      recordMetrics(r);
    },
    verdictChange: (c) => emitVerdictChange(c, logger),
    forceFlush: () => Promise.all(providers.map((p) => p.forceFlush())),
    shutdown: () => Promise.all(providers.map((p) => p.shutdown())),
  };
}

/**
 * OTLP/HTTP export of the same spans, availability log records, metrics and verdict events as the
 * Azure Monitor sink, under the same names and attributes, to OTEL_EXPORTER_OTLP_ENDPOINT. Like that
 * sink it loads the SDK on the first flush, after the probes, so the load never stretches the
 * timings of probes in flight; results wait in memory until then.
 */
export class OtlpTelemetry implements Telemetry {
  private readonly waiting: ((p: Pipeline) => void)[] = [];
  private pipeline?: Pipeline;
  private starting?: Promise<Pipeline | undefined>;
  private stopping?: Promise<unknown>;
  /** Flushes run one after another: a processor's forceFlush that overlaps one in progress may return before exporting. */
  private flushed: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: OtlpSettings,
    private readonly warn: (text: string) => void,
  ) {}

  record(r: ProbeResult): void {
    this.send((p) => p.result(r));
  }

  recordVerdictChange(c: VerdictChange): void {
    this.send((p) => p.verdictChange(c));
  }

  flush(timeoutMs: number): Promise<boolean> {
    const flushed = this.flushed.then(() => this.start()).then((p) => {
      if (!p) throw new Error('OTLP export did not start');
      return p.forceFlush();
    });
    this.flushed = flushed.catch(() => undefined);
    return settleWithin(flushed, timeoutMs);
  }

  shutdown(timeoutMs: number): Promise<boolean> {
    if (!this.starting && this.waiting.length === 0) return Promise.resolve(true);
    this.stopping ??= this.start().then((p) => p?.shutdown());
    return settleWithin(this.stopping, timeoutMs);
  }

  private send(emit: (p: Pipeline) => void): void {
    if (this.pipeline) emit(this.pipeline);
    else this.waiting.push(emit);
  }

  private start(): Promise<Pipeline | undefined> {
    this.starting ??= startPipeline(this.settings).then(
      (p) => {
        this.pipeline = p;
        for (const emit of this.waiting.splice(0)) emit(p);
        return p;
      },
      (err: unknown) => {
        this.warn(`telemetry: OTLP export could not start (${(err as Error).message}); ${this.waiting.length} results dropped`);
        this.waiting.length = 0;
        this.pipeline = { result: () => undefined, verdictChange: () => undefined, forceFlush: async () => undefined, shutdown: async () => undefined };
        return undefined;
      },
    );
    return this.starting;
  }
}
