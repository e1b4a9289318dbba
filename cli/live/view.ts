import type { Target } from '../../shared/config';
import type { ProbeResult } from '../../shared/contract';
import { resultLine } from '../report/probe-report';
import { wrapText } from '../report/terminal';
import { Board } from './board';
import { verdictCell, verdictLines } from '../report/idle-report';

/** Where the live view goes: a terminal is redrawn in place, anything else (CI, a log file) is appended to. */
export interface Screen {
  /** True on a terminal: results update the view in place instead of adding lines. */
  interactive: boolean;
  /** Replaces the whole view (a terminal) or does nothing (append mode shows events instead). */
  redraw(view: string): void;
  /** One line that belongs in a log; on a terminal it appears above the redrawn view. */
  log(line: string): void;
}

const CLEAR_DOWN = '\x1b[J';
const up = (n: number) => (n > 0 ? `\x1b[${n}A\r` : '\r');

/**
 * On a terminal every line is wrapped at word boundaries to its width: the terminal's own wrap cuts
 * words, and rows it adds behind the view's back would break the redraw (which moves up by rows).
 */
export function terminalScreen(out: NodeJS.WriteStream): Screen {
  let view = '';
  let height = 0;
  const draw = (prefix: string) => {
    const text = view ? `${view}\n` : '';
    out.write(`${up(height)}${CLEAR_DOWN}${prefix}${text}`);
    height = text.split('\n').length - 1;
  };
  return {
    interactive: true,
    redraw(next) {
      view = wrapText(next, out.columns);
      draw('');
    },
    log(line) {
      draw(`${wrapText(line, out.columns)}\n`);
    },
  };
}

export function appendScreen(out: NodeJS.WritableStream): Screen {
  return {
    interactive: false,
    redraw() {},
    log(line) {
      out.write(`${line}\n`);
    },
  };
}

export function screenFor(out: NodeJS.WriteStream): Screen {
  return out.isTTY ? terminalScreen(out) : appendScreen(out);
}

/**
 * `sqlprobe start`'s output: every result updates the board; a terminal redraws it in place, other
 * outputs get a line per result. Verdict changes are logged in both, as they are what to act on.
 */
export class LiveView {
  private readonly board: Board;
  private readonly settled = new Map<string, number>();
  /** Per target: when its verdict was last logged (kind, ladder complete) and what was said. */
  private readonly verdicts = new Map<string, { key: string; said: string }>();

  constructor(
    private readonly targets: readonly Target[],
    private readonly region: string,
    private readonly screen: Screen,
    /** A status line under the table (next round, held connections). */
    private readonly footer: () => string = () => '',
  ) {
    this.board = new Board(targets.map((t) => ({ name: t.name, region })));
  }

  log(line: string): void {
    this.screen.log(line);
  }

  refresh(): void {
    if (this.screen.interactive) this.screen.redraw(`${this.board.render()}\n${this.footer()}`);
  }

  onResult(result: ProbeResult): void {
    this.board.addResult(result);
    if (!this.screen.interactive) this.screen.log(resultLine(result));
    const verdict = result.idle?.verdict;
    if (verdict) {
      const target = this.targets.find((t) => t.name === result.target);
      const settled = (this.settled.get(result.target) ?? 0) + (result.idle?.outcomes.length ?? 0);
      this.settled.set(result.target, settled);
      const expected = target ? target.idle.rungs.length * target.idle.keepalive.length : settled;
      this.board.setVerdict(result.target, this.region, verdictCell(verdict, settled, expected));
      // Logged when the kind of verdict changes and once the ladder is complete, not at every rung,
      // and never twice in a row with the same words (completing often confirms what was said).
      const key = `${verdict.kind}${settled >= expected ? ' complete' : ''}`;
      const lines = verdictLines(result.target, verdict);
      const last = this.verdicts.get(result.target);
      const said = lines.join('\n');
      if (verdict.kind !== 'inconclusive' && last?.key !== key) {
        this.verdicts.set(result.target, { key, said });
        if (last?.said !== said) for (const line of lines) this.screen.log(line);
      }
    }
    this.refresh();
  }
}
