import type { AzureMonitorOpenTelemetryOptions } from '@azure/monitor-opentelemetry';
import { MAX_TARGETS } from '../config';
import { MEASUREMENTS, PHASES, PROBES } from '../contract';
import { TRACER_NAME } from './names';

/**
 * Series one sqlprobe instrument may hold in one export: every target one app probes, each with
 * every probe and phase, clean or perturbed (sqlprobe.phase.duration's target × probe × phase ×
 * measurement; region is one per app).
 * OpenTelemetry's default is 2,000 per instrument, past which every new series is folded into one
 * `otel.metric.overflow` series: with the four default probes (14 phase series a target), the
 * phase durations of targets past about 140 would no longer be told apart. The limit only bounds
 * memory; a series costs nothing until it is recorded.
 */
export const SERIES_PER_INSTRUMENT = MAX_TARGETS * PROBES.length * PHASES.length * MEASUREMENTS.length;

/** The views the Azure Monitor distro's meter provider gets: sqlprobe's own instruments, with room for every target. */
export const cardinalityViews = (): NonNullable<AzureMonitorOpenTelemetryOptions['views']> => [
  { meterName: TRACER_NAME, aggregationCardinalityLimit: SERIES_PER_INSTRUMENT },
];
