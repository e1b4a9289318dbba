import { wrapText } from '../report/wrap';

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
