import { redact } from '../classify';
import type { ProbeResult, VerdictChange } from '../contract';
import type { Telemetry } from './types';

/**
 * Defence in depth at the last step before results leave the process. Probers already redact
 * messages when they classify a failure; this catches a secret that reaches a result some other way
 * (a prober bug that copies a driver message unredacted, a secret echoed in a detail field).
 */

/** redact() ignores shorter values; so does the check for them, so clean text is never rewritten. */
const MIN_SECRET_LENGTH = 3;

/**
 * A copy of `value` with every known secret replaced in every string it holds; strings without a
 * secret stay exactly as they were. Applied to every result whatever its target: a secret of one
 * target has no business in another's result either.
 */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  const known = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  if (known.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return known.some((s) => v.includes(s)) ? redact(v, known) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** Wraps the sinks so every result and verdict change is scrubbed of the secrets before any sink sees it. */
export function redacting(sink: Telemetry, secrets: readonly string[]): Telemetry {
  if (secrets.length === 0) return sink;
  return {
    record: (r: ProbeResult) => sink.record(scrubSecrets(r, secrets)),
    recordVerdictChange: (c: VerdictChange) => sink.recordVerdictChange(scrubSecrets(c, secrets)),
    flush: (ms) => sink.flush(ms),
    shutdown: (ms) => sink.shutdown(ms),
  };
}
