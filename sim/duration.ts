const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "20ms", "5s", "30m", "1h" or a bare number of milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (use e.g. 20ms, 5s, 30m)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']);
}
