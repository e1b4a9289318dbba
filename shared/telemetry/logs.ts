import { context, trace, type Span } from '@opentelemetry/api';
import { logs, type Logger } from '@opentelemetry/api-logs';
import type { ProbeResult, VerdictChange } from '../contract';
import { availabilityAttributes } from './availability';
import { CUSTOM_EVENT_NAME, DIMENSIONS as D, EVENTS, TRACER_NAME } from './names';

/** One availabilityResults row, stamped with the probe's start and the span's operation. */
export function emitAvailability(r: ProbeResult, span: Span, logger: Logger = logs.getLogger(TRACER_NAME)): void {
  logger.emit({
    timestamp: Date.parse(r.startedAt),
    attributes: availabilityAttributes(r),
    context: trace.setSpan(context.active(), span),
  });
}

/** One customEvents row per verdict change; `previousVerdict` is absent for a first verdict. */
export function emitVerdictChange(change: VerdictChange, logger: Logger = logs.getLogger(TRACER_NAME)): void {
  logger.emit({
    attributes: {
      [CUSTOM_EVENT_NAME]: EVENTS.verdictChanged,
      [D.target]: change.target,
      [D.region]: change.region,
      [D.verdict]: change.verdict,
      ...(change.previous && { [D.previousVerdict]: change.previous }),
      [D.recommendation]: change.recommendation,
    },
  });
}
