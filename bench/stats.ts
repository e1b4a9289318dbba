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
