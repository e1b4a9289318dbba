import { LiveView, type Screen } from '../../cli/live/view';
import { targetSchema } from '../../shared/config';
import type { ConnectionOutcome } from '../../shared/contract';
import { verdictFor } from '../../shared/idle';
import { result } from '../helpers/results';

function recordingScreen(interactive: boolean): Screen & { lines: string[]; views: string[] } {
  const lines: string[] = [];
  const views: string[] = [];
  return { interactive, lines, views, log: (l) => lines.push(l), redraw: (v) => views.push(v) };
}

const target = targetSchema.parse({ name: 'demo-proxy', server: '127.0.0.1', database: 'appdb', idle: { rungs: ['20s', '90s'], keepalive: ['on'] } });
const outcome = (rungMs: number, o: Partial<ConnectionOutcome>): ConnectionOutcome => ({ cohort: 'c', rungMs, keepalive: 'on', outcome: 'survived', idleMs: rungMs, ...o });

function idleResult(outcomes: ConnectionOutcome[], all: ConnectionOutcome[]) {
  return result({ target: 'demo-proxy', probe: 'idle', phases: [], policy: undefined, idle: { mode: 'held', outcomes, held: 0, verdict: verdictFor(all) } });
}

describe('live view', () => {
  it('appends a line per result when not on a terminal', () => {
    const screen = recordingScreen(false);
    new LiveView([target], 'local', screen).onResult(result({ target: 'demo-proxy' }));
    expect(screen.lines).toEqual([expect.stringMatching(/^12:00:00 demo-proxy\/login ✔ 40 ms proxy · dns 4/)]);
    expect(screen.views).toEqual([]);
  });

  it('redraws the table on a terminal, with the footer', () => {
    const screen = recordingScreen(true);
    new LiveView([target], 'local', screen, () => 'next round in 5 s').onResult(result({ target: 'demo-proxy' }));
    expect(screen.lines).toEqual([]);
    expect(screen.views.at(-1)).toMatch(/demo-proxy[\s\S]*✔ 1\/1 ok proxy[\s\S]*next round in 5 s$/);
  });

  it('logs the verdict when its kind changes and once the ladder completes, with the recommendations', () => {
    const screen = recordingScreen(true);
    const view = new LiveView([target], 'local', screen);
    const first = [outcome(20_000, {})];
    const second = [outcome(90_000, { outcome: 'closed-by-peer', deathAgeMs: 60_000, close: 'fin' })];
    view.onResult(idleResult(first, first));
    expect(screen.lines[0]).toMatch(/^demo-proxy idle verdict: No idle kill up to 20 s/);
    expect(screen.views.at(-1)).toMatch(/\(1\/2 idle/);
    screen.lines.length = 0;
    view.onResult(idleResult(second, [...first, ...second]));
    expect(screen.lines[0]).toMatch(/^demo-proxy idle verdict: Gateway idle kill ≈ 60 s/);
    expect(screen.lines.slice(1).every((l) => l.startsWith('  → '))).toBe(true);
    expect(screen.views.at(-1)).not.toMatch(/2\/2|settled/);
  });

  it('does not log the same verdict twice in a row when the ladder completes with the same words', () => {
    const both = targetSchema.parse({ name: 'demo-proxy', server: '127.0.0.1', database: 'appdb', idle: { rungs: ['20s', '90s'], keepalive: ['on', 'off'] } });
    const screen = recordingScreen(false);
    const view = new LiveView([both], 'local', screen);
    const closed = { outcome: 'closed-by-peer', deathAgeMs: 60_000, close: 'fin' } as const;
    const first = [outcome(20_000, {}), outcome(90_000, closed)];
    const second = [outcome(20_000, { keepalive: 'off' }), outcome(90_000, { ...closed, keepalive: 'off' })];
    view.onResult(idleResult(first, first));
    view.onResult(idleResult(second, [...first, ...second]));
    const said = screen.lines.filter((l) => l.startsWith('demo-proxy idle verdict:'));
    // Both results carry the same verdict text; the second (ladder complete) must not repeat it.
    expect(verdictFor([...first, ...second]).text).toBe(verdictFor(first).text);
    expect(said).toEqual([`demo-proxy idle verdict: ${verdictFor(first).text}`]);
  });

  it('logs the completed ladder when it says something new, with the same kind', () => {
    const short = targetSchema.parse({ name: 'demo-proxy', server: '127.0.0.1', database: 'appdb', idle: { rungs: ['20s', '45s'], keepalive: ['on'] } });
    const screen = recordingScreen(false);
    const view = new LiveView([short], 'local', screen);
    const a = [outcome(20_000, {})];
    const b = [outcome(45_000, {})];
    view.onResult(idleResult(a, a));
    view.onResult(idleResult(b, [...a, ...b]));
    expect(screen.lines.filter((l) => l.startsWith('demo-proxy idle verdict:'))).toEqual([
      'demo-proxy idle verdict: No idle kill up to 20 s idle, the longest rung measured.',
      'demo-proxy idle verdict: No idle kill up to 45 s idle, the longest rung measured.',
    ]);
  });
});
