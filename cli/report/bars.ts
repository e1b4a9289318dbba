import pc from 'picocolors';
import type { PhaseTiming } from '../../shared/contract';

const BAR_WIDTH = 32;

/** Formats milliseconds for people: "0.4 ms", "12 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/**
 * One waterfall row per phase, on a shared time axis, so where the time went (and what overlapped)
 * reads at a glance. The failed phase, if any, is drawn in red.
 */
export function phaseBars(phases: readonly PhaseTiming[], failedPhase?: string, width = BAR_WIDTH): string[] {
  const end = Math.max(...phases.map((p) => p.startMs + p.durationMs), 0);
  const scale = end > 0 ? width / end : 0;
  const nameWidth = Math.max(...phases.map((p) => p.name.length), 0);
  return phases.map((p) => {
    const offset = Math.min(width - 1, Math.floor(p.startMs * scale));
    const length = Math.max(1, Math.min(width - offset, Math.round(p.durationMs * scale)));
    const bar = '█'.repeat(length);
    const paint = p.name === failedPhase ? pc.red : pc.cyan;
    return `${p.name.padEnd(nameWidth)}  ${' '.repeat(offset)}${paint(bar)}${' '.repeat(width - offset - length)}  ${formatMs(p.durationMs).padStart(8)}`;
  });
}

/** A one-line phase summary for narrow places such as the live table: "dns 3 · tcp 1 · tls 14 ms". */
export function phaseSummary(phases: readonly PhaseTiming[]): string {
  return phases.map((p) => `${p.name} ${Math.round(p.durationMs)}`).join(' · ') + (phases.length ? ' ms' : '');
}
