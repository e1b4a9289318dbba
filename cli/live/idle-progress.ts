import { formatDuration } from '../../shared/config';
import type { ConnectionOutcome } from '../../shared/contract';
import { outcomeText } from '../report/idle-report';
import type { Screen } from './view';

/** A countdown such as "25:13" or "1:02:03". */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const mmss = `${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss}` : mmss.replace(/^0/, '');
}

const clockTime = () => new Date().toISOString().slice(11, 19);

/** One settled connection: its rung, its keepalive variant, what happened and when (and, dead on use, what the app saw). */
export function outcomeLine(o: ConnectionOutcome): string {
  const error = o.outcome === 'dead-on-use' && o.error ? `: ${o.error}` : '';
  return `${clockTime()} rung ${formatDuration(o.rungMs)} · keepalive ${o.keepalive}: ${outcomeText(o)}${error}`;
}

export interface IdleProgress {
  /** Logs a connection's outcome as it settles (after the line of the rung it belongs to). */
  outcome(o: ConnectionOutcome): void;
  stop(): void;
}

/**
 * Progress while an idle ladder waits: a line as each rung falls due, a line per connection as its
 * outcome settles, and on a terminal a countdown to the next rung, redrawn every second. `stop`
 * logs the rungs that fell due since the last second, so every rung has its line before the report.
 */
export function idleProgress(rungs: readonly number[], perRung: number, screen: Screen, now: () => number = Date.now): IdleProgress {
  const started = now();
  const pending = [...new Set(rungs)].sort((a, b) => a - b);
  const update = () => {
    const elapsed = now() - started;
    while (pending.length && pending[0] <= elapsed) {
      const rung = pending.shift() as number;
      screen.log(`${clockTime()} rung ${formatDuration(rung)} reached: checking ${perRung} idle connection(s)`);
    }
    const next = pending[0];
    screen.redraw(next === undefined
      ? 'checking the last connections…'
      : `holding ${pending.length * perRung} idle connection(s) · rung ${formatDuration(next)} in ${countdown(next - elapsed)} · done in ${countdown(pending.at(-1)! - elapsed)}`);
  };
  update();
  const timer = setInterval(update, 1000);
  return {
    outcome: (o) => {
      // The rung's own line first: the once-a-second update may not have logged it yet.
      update();
      screen.log(outcomeLine(o));
    },
    stop: () => {
      clearInterval(timer);
      update();
      screen.redraw('');
    },
  };
}
