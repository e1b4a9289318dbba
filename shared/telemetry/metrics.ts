import { metrics, type Meter } from '@opentelemetry/api';
import { z } from 'zod';
import { formatDuration } from '../config';
import { connectionOutcomeSchema, poolDetailsSchema, type ProbeResult } from '../contract';
import { resultClass } from './availability';
import { BORROW_CHECKS, DIMENSIONS as D, METRICS, TRACER_NAME } from './names';

/** What telemetry reads from `result.idle` and `result.pool`; other fields pass through unread. */
const idleOutcomes = z.object({
  outcomes: z.array(connectionOutcomeSchema.pick({ rungMs: true, keepalive: true, outcome: true, deathAgeMs: true })),
});
const poolCounts = poolDetailsSchema.pick({ failedOnFirstUse: true, missedBySocketCheck: true, validatedFailures: true });

/** The negotiated TLS version and whether the certificate names the server, where the result has them. */
function tlsDimensions(r: ProbeResult): Record<string, string | boolean> {
  return {
    ...(r.tls?.version !== undefined && { [D.tlsVersion]: r.tls.version }),
    ...(r.tls?.hostnameMatches !== undefined && { [D.hostnameMatches]: r.tls.hostnameMatches }),
  };
}

/**
 * Creates the instruments on the current global meter provider (so again after a re-initialisation),
 * or on `meter` (the OTLP sink's own provider), and returns the function that records one result on them.
 */
export function createMetricRecorder(meter: Meter = metrics.getMeter(TRACER_NAME)): (r: ProbeResult) => void {
  const phaseDuration = meter.createHistogram(METRICS.phaseDuration, { unit: 'ms', description: 'Duration of one probe phase' });
  const probeResult = meter.createCounter(METRICS.probeResult, { unit: '{result}', description: 'Probe results by class; class "ok" is a success' });
  const idleOutcome = meter.createCounter(METRICS.idleOutcome, { unit: '{connection}', description: 'Idle connections checked at their rung, by outcome' });
  const idleDeathAge = meter.createHistogram(METRICS.idleDeathAge, { unit: 'ms', description: 'Idle age at which a held connection was closed or found dead' });
  const certDaysLeft = meter.createGauge(METRICS.certDaysLeft, { unit: 'd', description: 'Days until the server certificate expires' });
  const deadOnBorrow = meter.createCounter(METRICS.poolDeadOnBorrow, { unit: '{connection}', description: 'Pooled connections that failed on their first use after idle' });

  return (r) => {
    const where = { [D.target]: r.target, [D.region]: r.region };
    // The probe too: the dns, tcp and tls phases of a tls probe and of a login probe differ in what they cover.
    // Perturbed samples stay apart, so the latency alert and the workbook can leave them out.
    const measured = r.measurement ? { [D.measurement]: r.measurement } : {};
    for (const phase of r.phases) phaseDuration.record(phase.durationMs, { ...where, ...measured, [D.probe]: r.probe, [D.phase]: phase.name });
    probeResult.add(1, { ...where, [D.probe]: r.probe, [D.class]: resultClass(r) });
    if (r.tls?.cert) certDaysLeft.record(r.tls.cert.daysLeft, { ...where, [D.server]: r.server, ...tlsDimensions(r) });

    const idle = idleOutcomes.safeParse(r.idle);
    for (const o of idle.success ? idle.data.outcomes : []) {
      const dims = { ...where, [D.rung]: formatDuration(o.rungMs), [D.keepalive]: o.keepalive, [D.outcome]: o.outcome };
      idleOutcome.add(1, dims);
      if (o.deathAgeMs !== undefined) idleDeathAge.record(o.deathAgeMs, dims);
    }

    const pool = poolCounts.safeParse(r.pool);
    if (pool.success) {
      deadOnBorrow.add(pool.data.failedOnFirstUse, { ...where, [D.borrowCheck]: BORROW_CHECKS.none });
      // Measured by borrowing through the check; results stored before that measurement carry the estimate.
      const validated = pool.data.validatedFailures ?? pool.data.missedBySocketCheck;
      deadOnBorrow.add(validated, { ...where, [D.borrowCheck]: BORROW_CHECKS.socketCheck });
    }
  };
}
