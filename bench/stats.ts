import * as os from 'node:os';

/** "median (min–max)" of repeated runs, rounded to `digits`. */
export function medianRange(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const f = (n: number): string => n.toFixed(digits);
  return `${f(median)} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

/** One line naming the machine the numbers come from, with its load when the benchmark started. */
export function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg()[0].toFixed(1);
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}, load average ${load} at start`;
}

/** The q-quantile (0–1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Waits until the 1-minute load average is below `max` (checked every 15 s, for at most `patienceMs`); returns it. */
export async function quietEnough(max: number, patienceMs: number, say: (line: string) => void): Promise<number> {
  const until = Date.now() + patienceMs;
  while (os.loadavg()[0] >= max && Date.now() < until) {
    say(`load average ${os.loadavg()[0].toFixed(1)} ≥ ${max}: waiting for a quieter machine…`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  return os.loadavg()[0];
}
