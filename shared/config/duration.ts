import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses "250ms", "5s", "31m", "1.5h" into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = PATTERN.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]]) : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A duration written as text ("31m") and parsed to milliseconds. */
export const durationMs = z
  .string({ error: 'expected a duration such as "500ms", "30s", "31m" or "1h"' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({ code: 'custom', message: 'expected a positive duration such as "500ms", "30s", "31m" or "1h"' });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A duration from `minMs` to `maxMs`: the message names the bound, why it is there, and a value
 * that fits. The setting or field the value came from is named by whoever reports the issue.
 */
export function boundedDuration(minMs: number, maxMs: number, why: string, example: string) {
  const hint = `expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (${why}), such as "${example}"`;
  return durationMs.refine((ms) => ms >= minMs && ms <= maxMs, hint);
}
