import { formatDuration } from '../../shared/config/duration';
import type { Screen } from './screen';

/** A countdown such as "25:13" or "1:02:03". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const mmss = `${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss}` : mmss.replace(/^0/, '');
}

/**
 * Progress while an idle ladder waits: a line as each rung falls due and is checked, and on a
 * terminal a countdown to the next rung, redrawn every second. `stop` logs the rungs that fell due
 * since the last second, so every rung has its line before the report.
 */
export function idleProgress(rungs: readonly number[], perRung: number, screen: Screen, now: () => number = Date.now): { stop: () => void } {
  const started = now();
  const pending = [...new Set(rungs)].sort((a, b) => a - b);
  const update = () => {
    const elapsed = now() - started;
    while (pending.length && pending[0] <= elapsed) {
      const rung = pending.shift() as number;
      screen.log(`${new Date().toISOString().slice(11, 19)} rung ${formatDuration(rung)} reached: checking ${perRung} idle connection(s)`);
    }
    const next = pending[0];
    screen.redraw(next === undefined
      ? 'checking the last connections…'
      : `holding ${pending.length * perRung} idle connection(s) · rung ${formatDuration(next)} in ${countdown(next - elapsed)} · done in ${countdown(pending.at(-1)! - elapsed)}`);
  };
  update();
  const timer = setInterval(update, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      update();
      screen.redraw('');
    },
  };
}
