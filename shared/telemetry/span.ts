import { SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { ProbeResult } from '../contract';
import { availabilityMessage, resultDimensions, testName } from './availability';
import { DIMENSIONS as D, PHASE_EVENT, SPAN_ATTRIBUTES as S, TRACER_NAME } from './names';

/**
 * Replays a finished probe as a CLIENT span (a `dependencies` row of type SQL) with the probe's own
 * start and end times, and one event per phase at the phase's start. It is a root span: each probe
 * is its own operation, which its availability result joins through operation_Id. On the global
 * tracer provider, or on `tracer` (the OTLP sink's own).
 */
export function emitProbeSpan(r: ProbeResult, tracer: Tracer = trace.getTracer(TRACER_NAME, r.sqlprobeVersion)): Span {
  const start = Date.parse(r.startedAt);
  const span = tracer.startSpan(testName(r), {
    kind: SpanKind.CLIENT,
    root: true,
    startTime: start,
    attributes: {
      [S.dbSystem]: S.dbSystemValue,
      [S.serverAddress]: r.server,
      [S.serverPort]: r.port,
      [S.peerName]: r.server,
      [D.region]: r.region,
      ...resultDimensions(r),
    },
  });
  for (const phase of r.phases) {
    span.addEvent(PHASE_EVENT, { [D.phase]: phase.name, [D.durationMs]: phase.durationMs }, start + phase.startMs);
  }
  if (!r.success) span.setStatus({ code: SpanStatusCode.ERROR, message: availabilityMessage(r) });
  span.end(start + r.durationMs);
  return span;
}
